// 给活动成员发通知（网上动员）：对象为本活动报名的党员，立即发送；发送后显示送达人数。
const api = require('../../../services/api');

Page({
  data: { id: null, communityId: null, title: '', body: '', sent: null, sending: false },

  onLoad(query = {}) {
    this.setData({ id: Number(query.id), communityId: Number(query.communityId) });
  },

  onField(e) {
    this.setData({ [e.currentTarget.dataset.field]: e.detail.value });
  },

  async send() {
    const title = (this.data.title || '').trim();
    const body = (this.data.body || '').trim();
    if (!title || !body) {
      wx.showToast({ title: '请填写标题和内容', icon: 'none' });
      return;
    }
    this.setData({ sending: true });
    try {
      const notice = await api.sendNotice(
        this.data.communityId,
        { title, body, activity_id: this.data.id, audience: { type: 'activity', activity_id: this.data.id } },
        { loading: '正在发送' },
      );
      const stats = notice.stats || {};
      this.setData({ sent: { audience: stats.audience_size || 0, subscribe: stats.subscribe_sent || 0 } });
    } catch (e) {
      // 已提示（如内容未通过安全检测）。
    } finally {
      this.setData({ sending: false });
    }
  },
});
