// 到社区报到：选择社区、楼栋、房号、工作单位、党员类型，填写姓名手机号，提交后显示审核状态。
const auth = require('../../services/auth');
const api = require('../../services/api');
const format = require('../../utils/format');
const { confirm } = require('../../utils/modal');

const PHONE = /^1\d{10}$/;

function currentView(registrations) {
  const latest = (registrations || [])[0];
  if (!latest || ['withdrawn', 'ended'].indexOf(latest.status) >= 0) return null;
  const status = format.registrationStatus(latest.status);
  return {
    id: latest.id,
    status: latest.status,
    label: status.label,
    theme: status.theme,
    community: latest.community ? latest.community.name : '',
    communityAddress: latest.community && latest.community.address ? latest.community.address : '',
    building: latest.building ? latest.building.name : '',
    room: latest.room || '',
    reason: latest.reject_reason || '',
    submittedAt: format.formatDateTime(latest.submitted_at),
  };
}

Page({
  data: {
    current: null,
    showForm: false,
    communities: [],
    buildings: [],
    units: [],
    memberTypes: format.MEMBER_TYPES,
    communityIndex: -1,
    buildingIndex: -1,
    unitIndex: -1,
    form: { name: '', phone: '', room: '', member_type: 'in_service' },
    privacyVersion: '',
    privacyAgreed: false,
    submitting: false,
    moving: false,
    error: '',
    loaded: false,
  },

  onLoad() {
    const privacyVersion = auth.privacyNoticeVersion();
    const me = auth.currentUser();
    const name = (me && me.member && me.member.name) || '';
    this.setData({
      privacyVersion,
      privacyAgreed: auth.agreedPrivacyVersion() === privacyVersion,
      'form.name': name,
    });
    return this.load();
  },

  // tab 页：切回来时刷新，社区审核通过后不用重启就能看到。
  onShow() {
    if (this.data.loaded && !this.data.submitting) this.load({ loading: false });
  },

  onPullDownRefresh() {
    return this.load({ loading: false }).then(() => wx.stopPullDownRefresh());
  },

  async load({ loading = true } = {}) {
    try {
      const [registrations, communities, units] = await Promise.all([
        api.myRegistrations({ loading, showError: false }),
        api.listCommunities({ loading: false, showError: false }),
        api.listUnits({ loading: false, showError: false }),
      ]);
      const current = currentView(registrations);
      this.setData({
        current,
        communities,
        units,
        error: '',
        loaded: true,
        moving: this.data.moving && !!current && current.status === 'approved',
        showForm: !current || current.status === 'rejected' || (this.data.moving && current.status === 'approved'),
      });
    } catch (e) {
      this.setData({ error: e.message || '报到信息加载失败', loaded: true });
    }
  },

  // 待审核时可以撤回（填错了、或不想报到了），撤回后可重新填写。
  async onWithdraw() {
    const yes = await confirm({ title: '撤回报到申请', content: '撤回后社区不再审核这份申请，您可以修改后重新提交。确定撤回吗？', confirmText: '撤回' });
    if (!yes) return;
    try {
      await api.withdrawRegistration(this.data.current.id, { loading: '正在撤回' });
      wx.showToast({ title: '已撤回', icon: 'none' });
      await this.load({ loading: false });
    } catch (err) {
      // 已提示。
    }
  },

  // 搬家：到新居住的社区报到。提交后原社区的报到结束，新社区审核通过后即在新社区参加活动。
  onMove() {
    this.setData({ moving: true, showForm: true, communityIndex: -1, buildingIndex: -1, buildings: [], 'form.room': '' });
  },

  cancelMove() {
    this.setData({ moving: false, showForm: false });
  },

  async onCommunityChange(e) {
    const communityIndex = Number(e.detail.value);
    const community = this.data.communities[communityIndex];
    this.setData({ communityIndex, buildingIndex: -1, buildings: [] });
    if (!community) return;
    try {
      const buildings = await api.listBuildings(community.id);
      this.setData({ buildings });
    } catch (err) {
      // 错误已提示。
    }
  },

  onBuildingChange(e) {
    this.setData({ buildingIndex: Number(e.detail.value) });
  },

  onUnitChange(e) {
    this.setData({ unitIndex: Number(e.detail.value) });
  },

  onMemberTypeChange(e) {
    this.setData({ 'form.member_type': e.detail.value });
  },

  onInput(e) {
    this.setData({ [`form.${e.currentTarget.dataset.field}`]: (e.detail.value || '').trim() });
  },

  onPrivacyChange(e) {
    this.setData({ privacyAgreed: (e.detail.value || []).indexOf('agree') >= 0 });
  },

  // 返回第一条要提示的问题；都填好了返回空字符串。
  validate() {
    const { form, communityIndex, buildingIndex, unitIndex, privacyAgreed } = this.data;
    if (communityIndex < 0) return '请选择所在社区';
    if (buildingIndex < 0) return '请选择楼栋';
    if (!form.room) return '请填写房号';
    if (form.member_type === 'in_service' && unitIndex < 0) return '在职党员请选择工作单位';
    if (!form.name) return '请填写姓名';
    if (!PHONE.test(form.phone)) return '请输入11位手机号';
    if (!privacyAgreed) return '请先同意隐私保护指引';
    return '';
  },

  async onSubmit() {
    if (this.data.submitting) return;
    const problem = this.validate();
    if (problem) {
      wx.showToast({ title: problem, icon: 'none' });
      return;
    }
    const { form, communities, buildings, units, communityIndex, buildingIndex, unitIndex, privacyVersion } = this.data;
    const body = {
      name: form.name,
      phone: form.phone,
      member_type: form.member_type,
      employer_unit_id: unitIndex >= 0 ? units[unitIndex].id : null,
      community_id: communities[communityIndex].id,
      building_id: buildings[buildingIndex].id,
      room: form.room,
      privacy_version: privacyVersion,
      privacy_agreed: true,
    };
    this.setData({ submitting: true });
    try {
      await api.submitRegistration(body, { loading: '正在提交' });
      auth.agreePrivacy(privacyVersion);
      this.setData({ moving: false });
      await this.load({ loading: false });
      wx.showToast({ title: '已提交，等待审核', icon: 'success' });
    } catch (e) {
      // 服务端的错误信息已提示（如隐私版本已更新、已有报到）。
    } finally {
      this.setData({ submitting: false });
    }
  },
});
