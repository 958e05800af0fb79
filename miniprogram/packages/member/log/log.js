// 我的活动记录（在职党员活动登记薄）：每次活动、状态、时长；对记录有异议可申诉。
const api = require('../../../services/api');
const format = require('../../../utils/format');

function view(entry) {
  const a = entry.activity || {};
  return {
    id: a.id,
    title: a.title,
    time: format.timeRange(a.starts_at, a.ends_at),
    state: format.stateLabel(entry.state),
    hours: entry.hours !== null && entry.hours !== undefined ? `${format.hoursText(entry.hours)} 小时` : '',
    pending: entry.pending_record ? `有一条 ${format.hoursText(entry.pending_record.hours)} 小时的记录待审核` : '',
  };
}

Page({
  data: { items: [], appeals: [], page: 1, hasMore: false, loaded: false },

  onLoad() {
    return this.load();
  },

  onShow() {
    if (this.data.loaded) this.load();
  },

  retry() {
    return this.load();
  },

  async load({ more = false } = {}) {
    this.setData({ error: '' });
    const page = more ? this.data.page + 1 : 1;
    try {
      const [{ items, pagination }, appeals] = await Promise.all([
        api.myActivityLog({ page }, { showError: false }),
        more ? Promise.resolve(null) : api.myAppeals({ loading: false }),
      ]);
      const list = items.map(view);
      const data = { items: more ? this.data.items.concat(list) : list, page, hasMore: !!(pagination && pagination.total_pages > page), loaded: true };
      if (appeals) {
        data.appeals = appeals.map((x) => ({
          id: x.id,
          title: x.activity_title || '',
          status: { open: '处理中', upheld: '已采纳', dismissed: '未采纳' }[x.status] || x.status,
          resolution: x.resolution || '',
        }));
      }
      this.setData(data);
    } catch (e) {
      this.setData({ loaded: true, error: e.message || '活动记录加载失败' });
    }
  },

  onReachBottom() {
    if (this.data.hasMore) return this.load({ more: true });
    return null;
  },

  appeal(e) {
    const { id, title } = e.currentTarget.dataset;
    wx.navigateTo({ url: `/packages/member/appeal/appeal?id=${id}&title=${encodeURIComponent(title)}` });
  },
});
