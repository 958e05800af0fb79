// 报到审核：待审核的报到（社区 / 网格内），通过或填写理由退回。
const api = require('../../../services/api');
const format = require('../../../utils/format');

Page({
  data: { items: [], rejecting: null, reason: '', loaded: false },

  onLoad() {
    return this.load();
  },

  async load() {
    try {
      const { items } = await api.pendingRegistrations();
      this.setData({
        items: items.map((r) => ({
          id: r.id,
          name: r.member ? r.member.name : '',
          type: r.member ? format.memberTypeLabel(r.member.member_type) : '',
          unit: r.member && r.member.employer_unit ? r.member.employer_unit.name : '',
          phone: r.member ? r.member.phone_masked || '' : '',
          place: [r.community && r.community.name, r.building && r.building.name, r.room].filter(Boolean).join(' '),
          submittedAt: format.formatDateTime(r.submitted_at),
        })),
        loaded: true,
      });
    } catch (e) {
      this.setData({ loaded: true });
    }
  },

  async approve(e) {
    const id = Number(e.currentTarget.dataset.id);
    try {
      await api.approveRegistration(id, { loading: '正在通过' });
      wx.showToast({ title: '已通过', icon: 'success' });
      await this.load();
    } catch (err) {
      // 已提示。
    }
  },

  startReject(e) {
    this.setData({ rejecting: Number(e.currentTarget.dataset.id), reason: '' });
  },

  onReason(e) {
    this.setData({ reason: e.detail.value });
  },

  cancelReject() {
    this.setData({ rejecting: null });
  },

  async confirmReject() {
    const reason = (this.data.reason || '').trim();
    if (!reason) {
      wx.showToast({ title: '请填写退回理由', icon: 'none' });
      return;
    }
    try {
      await api.rejectRegistration(this.data.rejecting, reason, { loading: '正在提交' });
      wx.showToast({ title: '已退回', icon: 'none' });
      this.setData({ rejecting: null });
      await this.load();
    } catch (err) {
      // 已提示。
    }
  },
});
