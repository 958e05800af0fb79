// 通知：未读加粗，点开即算已读；「订阅消息提醒」在点击里请求订阅（最多5个模板），结果报给服务端。
const api = require('../../services/api');
const subscribe = require('../../services/subscribe');
const format = require('../../utils/format');

Page({
  data: { items: [], unread: 0, onlyUnread: false, page: 1, hasMore: false, loaded: false, error: '', offline: false },

  onLoad() {
    subscribe.preload();
    return this.load();
  },

  onShow() {
    if (this.data.loaded) this.load({ loading: false });
  },

  onPullDownRefresh() {
    return this.load().then(() => wx.stopPullDownRefresh());
  },

  async load({ more = false, loading = true } = {}) {
    const page = more ? this.data.page + 1 : 1;
    try {
      const [{ items, pagination }, count] = await Promise.all([
        api.myNotices({ page, unread: this.data.onlyUnread }, { loading, showError: false }),
        api.unreadCount({ loading: false, showError: false }),
      ]);
      const list = items.map((n) => ({ id: n.id, title: n.title, body: n.body, read: !!n.read, time: format.formatDateTime(n.published_at) }));
      this.setData({
        items: more ? this.data.items.concat(list) : list,
        unread: count.unread,
        page,
        hasMore: !!(pagination && pagination.total_pages > page),
        loaded: true,
        error: '',
        offline: false,
      });
    } catch (e) {
      this.setData({ loaded: true, error: e.message || '通知加载失败', offline: e.code === 'network_error' });
    }
  },

  onReachBottom() {
    if (this.data.hasMore) return this.load({ more: true });
    return null;
  },

  toggleUnread() {
    this.setData({ onlyUnread: !this.data.onlyUnread });
    return this.load();
  },

  open(e) {
    wx.navigateTo({ url: `/pages/notices/detail?id=${e.currentTarget.dataset.id}` });
  },

  onSubscribe() {
    return subscribe.request(null).then((results) => {
      const accepted = Object.keys(results).filter((k) => results[k] === 'accept').length;
      wx.showToast({ title: accepted ? `已订阅 ${accepted} 类提醒` : '未订阅提醒', icon: 'none' });
    });
  },
});
