// 通知详情：打开即算已读（服务端记录）；关联活动可直接去看。订阅消息的跳转页也是这里（?id=）。
const api = require('../../services/api');
const format = require('../../utils/format');

Page({
  data: { notice: null, time: '' },

  onLoad(query = {}) {
    return this.load(Number(query.id));
  },

  async load(id) {
    try {
      const notice = await api.openNotice(id);
      this.setData({ notice, time: format.formatDateTime(notice.published_at) });
    } catch (e) {
      // 已提示。
    }
  },

  openActivity() {
    wx.navigateTo({ url: `/packages/member/activity/activity?id=${this.data.notice.activity_id}` });
  },
});
