// 我的积分：本月 / 本季度 / 半年 / 本年 / 累计的积分与时长，本年星级，积分明细（台账）。
const api = require('../../../services/api');
const format = require('../../../utils/format');

const PERIOD_LABELS = { month: '本月', quarter: '本季度', half_year: '本半年', year: '本年', all_time: '累计' };

Page({
  data: { stars: 0, starText: '', year: '', periods: [], entries: [], page: 1, hasMore: false, loaded: false },

  onLoad() {
    return this.load();
  },

  async load() {
    try {
      const [points, { items, pagination }] = await Promise.all([api.myPoints(), api.myPointEntries({ page: 1 }, { loading: false })]);
      this.setData({
        stars: points.stars || 0,
        starText: points.stars ? '★'.repeat(points.stars) : '暂未评星',
        year: points.year,
        periods: (points.periods || []).map((p) => ({ kind: p.kind, label: PERIOD_LABELS[p.kind] || p.period, points: p.points, hours: format.hoursText(p.hours) })),
        entries: items.map(this.entryView),
        hasMore: !!(pagination && pagination.total_pages > 1),
        page: 1,
        loaded: true,
      });
    } catch (e) {
      this.setData({ loaded: true });
    }
  },

  entryView(e) {
    return {
      id: e.id,
      amount: e.amount > 0 ? `+${e.amount}` : `${e.amount}`,
      positive: e.amount >= 0,
      reason: e.reason || e.rule_key,
      date: e.earned_on,
      hours: e.hours ? `${format.hoursText(e.hours)} 小时` : '',
    };
  },

  async onReachBottom() {
    if (!this.data.hasMore) return;
    const page = this.data.page + 1;
    try {
      const { items, pagination } = await api.myPointEntries({ page });
      this.setData({ entries: this.data.entries.concat(items.map(this.entryView)), page, hasMore: !!(pagination && pagination.total_pages > page) });
    } catch (e) {
      // 已提示。
    }
  },

  goBoard() {
    wx.navigateTo({ url: '/packages/member/leaderboard/leaderboard' });
  },
});
