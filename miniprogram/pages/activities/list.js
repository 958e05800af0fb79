// 活动列表：近期 / 往期，按类别筛选；点进详情报名。
const api = require('../../services/api');
const format = require('../../utils/format');

function view(a) {
  return {
    id: a.id,
    title: a.title,
    category: a.category_label || '',
    time: format.timeRange(a.starts_at, a.ends_at),
    address: a.address,
    status: a.status_label || '',
    mine: format.signupLabel(a.my_signup_status),
    places: a.capacity ? `${a.confirmed_count || 0}/${a.capacity} 人` : `${a.confirmed_count || 0} 人已报名`,
  };
}

Page({
  data: {
    when: 'upcoming',
    categories: format.ACTIVITY_CATEGORIES,
    categoryIndex: 0,
    items: [],
    page: 1,
    hasMore: false,
    loaded: false,
    error: '',
    offline: false,
  },

  onLoad() {
    return this.load();
  },

  // tab 页：切回来时刷新（报名、签到后名额和我的状态会变）。
  onShow() {
    if (this.data.loaded) this.load({ loading: false });
  },

  onPullDownRefresh() {
    return this.load().then(() => wx.stopPullDownRefresh());
  },

  onReachBottom() {
    if (this.data.hasMore) return this.load({ more: true });
    return null;
  },

  async load({ more = false, loading = true } = {}) {
    const page = more ? this.data.page + 1 : 1;
    const category = this.data.categories[this.data.categoryIndex].value;
    try {
      const { items, pagination } = await api.listActivities({ when: this.data.when, category: category || undefined, page }, { loading, showError: false });
      const list = items.map(view);
      this.setData({
        items: more ? this.data.items.concat(list) : list,
        page,
        hasMore: !!(pagination && pagination.total_pages > page),
        loaded: true,
        error: '',
        offline: false,
      });
    } catch (e) {
      this.setData({ loaded: true, error: e.message || '活动加载失败', offline: e.code === 'network_error' });
    }
  },

  onWhen(e) {
    this.setData({ when: e.currentTarget.dataset.when });
    return this.load();
  },

  onCategory(e) {
    this.setData({ categoryIndex: Number(e.detail.value) });
    return this.load();
  },

  open(e) {
    wx.navigateTo({ url: `/packages/member/activity/activity?id=${e.currentTarget.dataset.id}` });
  },

  scanToClock() {
    wx.navigateTo({ url: '/packages/member/clock/clock' });
  },
});
