// 申诉：对某次活动的签到、时长记录有异议时写明理由；同一活动同时只能有一条处理中的申诉。
const api = require('../../../services/api');

Page({
  data: { id: null, title: '', reason: '', submitting: false, done: false },

  onLoad(query = {}) {
    this.setData({ id: Number(query.id), title: query.title ? decodeURIComponent(query.title) : '' });
  },

  onInput(e) {
    this.setData({ reason: e.detail.value });
  },

  async submit() {
    const reason = (this.data.reason || '').trim();
    if (!reason) {
      wx.showToast({ title: '请写明申诉理由', icon: 'none' });
      return;
    }
    this.setData({ submitting: true });
    try {
      await api.submitAppeal(this.data.id, reason, { loading: '正在提交' });
      this.setData({ done: true });
    } catch (e) {
      // 已提示（如已有处理中的申诉）。
    } finally {
      this.setData({ submitting: false });
    }
  },

  back() {
    wx.navigateBack({ delta: 1 });
  },
});
