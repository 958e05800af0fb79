// 通知详情：打开即算已读（服务端记录）；关联活动可直接去看。订阅消息的跳转页也是这里（?id=）。
const api = require('../../services/api');
const format = require('../../utils/format');

Page({
  data: { notice: null, time: '', error: '' },

  onLoad(query = {}) {
    this.noticeId = Number(query.id);
    return this.load(this.noticeId);
  },

  retry() {
    return this.load(this.noticeId);
  },

  async load(id) {
    try {
      const notice = await api.openNotice(id, { showError: false });
      this.setData({ notice, error: '', time: format.formatDateTime(notice.published_at) });
    } catch (e) {
      this.setData({ error: e.message || '通知加载失败' });
    }
  },

  openActivity() {
    wx.navigateTo({ url: `/packages/member/activity/activity?id=${this.data.notice.activity_id}` });
  },
});
