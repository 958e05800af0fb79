// 我的：本人信息、位置打卡授权开关、隐私指引、退出登录。
const auth = require('../../services/auth');
const api = require('../../services/api');
const roles = require('../../services/roles');
const subscribe = require('../../services/subscribe');
const format = require('../../utils/format');

Page({
  data: {
    hasMember: false,
    name: '',
    memberType: '',
    phone: '',
    unit: '',
    place: '',
    locationConsent: false,
    savingConsent: false,
    hideFromBoards: false,
    isStaff: false,
    roleLabel: '',
    agreedVersion: '',
    error: '',
    units: [],
  },

  onLoad() {
    subscribe.preload();
    this.openUnits();
    return this.load();
  },

  // tab 页：切回来时刷新（报到通过、改了设置后看到最新的）。
  onShow() {
    this.setData({ agreedVersion: auth.agreedPrivacyVersion() });
    if (this.loaded) this.load({ loading: false });
  },

  onPullDownRefresh() {
    return this.load({ loading: false }).then(() => wx.stopPullDownRefresh());
  },

  async load({ loading = true } = {}) {
    this.setData({ agreedVersion: auth.agreedPrivacyVersion() });
    try {
      const me = await auth.fetchMe({ loading, showError: false });
      this.loaded = true;
      this.showMember(me.member);
      this.setData({ error: '', isStaff: roles.isStaff(me) || !!roles.secretaryUnitId(me), roleLabel: roles.roleLabel(me) || (roles.secretaryUnitId(me) ? roles.ROLE_LABELS.unit_secretary : '') });
    } catch (e) {
      this.setData({ error: e.message || '加载失败' });
    }
  },

  // 手机号快速验证：按钮 open-type="getPhoneNumber" 给一个 code，服务端换成微信确认过的号码并存为本人手机号。
  async onPhone(e) {
    const code = e.detail && e.detail.code;
    if (!code) return; // 用户拒绝或基础库不支持：不打扰。
    try {
      await api.verifiedPhone(code, { loading: '正在更新' });
      wx.showToast({ title: '手机号已更新', icon: 'success' });
      await this.load({ loading: false });
    } catch (err) {
      // 已提示（如授权已失效）。
    }
  },

  // 换了工作单位：从单位列表里选，保存后反馈单改发给新单位。
  async openUnits() {
    if (this.data.units.length) return;
    try {
      const units = await api.listUnits({ loading: false });
      this.setData({ units });
    } catch (err) {
      // 已提示。
    }
  },

  async onUnitChange(e) {
    const unit = this.data.units[Number(e.detail.value)];
    if (!unit) return;
    try {
      const member = await api.updateMe({ employer_unit_id: unit.id }, { loading: '正在保存' });
      this.showMember(member);
      wx.showToast({ title: '工作单位已更新', icon: 'success' });
    } catch (err) {
      // 已提示。
    }
  },

  goPoints() {
    wx.navigateTo({ url: '/packages/member/points/points' });
  },

  goReport() {
    wx.switchTab({ url: '/pages/report/report' });
  },

  showMember(member) {
    if (!member) {
      this.setData({ hasMember: false, name: '', memberType: '尚未报到', locationConsent: false });
      return;
    }
    const building = member.building ? member.building.name : '';
    this.setData({
      hasMember: true,
      name: member.name,
      memberType: format.memberTypeLabel(member.member_type),
      phone: member.phone_masked || '',
      unit: member.employer_unit ? member.employer_unit.name : '',
      place: [member.community && member.community.name, building, member.room].filter(Boolean).join(' '),
      locationConsent: !!member.location_consent,
      hideFromBoards: !!member.hide_from_public_boards,
    });
  },

  async onLocationConsentChange(e) {
    const granted = !!e.detail.value;
    this.setData({ locationConsent: granted, savingConsent: true });
    try {
      const member = await api.setLocationConsent(granted, { loading: '正在保存' });
      this.setData({ locationConsent: !!(member && member.location_consent) });
      wx.showToast({ title: granted ? '已开启位置打卡' : '已关闭位置打卡', icon: 'none' });
    } catch (err) {
      this.setData({ locationConsent: !granted });
    } finally {
      this.setData({ savingConsent: false });
    }
  },

  async onHideFromBoardsChange(e) {
    const hide = !!e.detail.value;
    this.setData({ hideFromBoards: hide });
    try {
      const member = await api.updateMe({ hide_from_public_boards: hide }, { loading: '正在保存' });
      this.setData({ hideFromBoards: !!(member && member.hide_from_public_boards) });
    } catch (err) {
      this.setData({ hideFromBoards: !hide });
    }
  },

  onSubscribe() {
    return subscribe.request(null).then((results) => {
      const accepted = Object.keys(results).filter((k) => results[k] === 'accept').length;
      wx.showToast({ title: accepted ? `已订阅 ${accepted} 类提醒` : '未订阅提醒', icon: 'none' });
    });
  },

  goStaff() {
    wx.navigateTo({ url: '/packages/staff/index/index' });
  },

  openPrivacy() {
    if (typeof wx.openPrivacyContract === 'function') wx.openPrivacyContract({});
  },

  onLogout() {
    wx.showModal({
      title: '退出登录',
      content: '退出后需要重新登录才能报到和打卡，确定退出吗？',
      confirmText: '退出',
      confirmColor: '#c7000b',
      success: async (res) => {
        if (!res.confirm) return;
        await auth.logout();
        wx.reLaunch({ url: '/pages/login/login' });
      },
    });
  },
});
