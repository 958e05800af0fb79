// 我的积分：本月 / 本季度 / 半年 / 本年 / 累计的积分与时长，本年星级，积分明细（台账）。
const auth = require('../../../services/auth');
const api = require('../../../services/api');
const format = require('../../../utils/format');

const PERIOD_LABELS = { month: '本月', quarter: '本季度', half_year: '本半年', year: '本年', all_time: '累计' };

Page({
  data: { stars: 0, starText: '', year: '', periods: [], entries: [], page: 1, hasMore: false, loaded: false, error: '', rules: null },

  onLoad() {
    return this.load();
  },

  onPullDownRefresh() {
    return this.load().then(() => wx.stopPullDownRefresh());
  },

  async load() {
    try {
      const [points, { items, pagination }] = await Promise.all([api.myPoints({ showError: false }), api.myPointEntries({ page: 1 }, { loading: false, showError: false })]);
      this.setData({
        error: '',
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
      this.setData({ loaded: true, error: e.message || '积分加载失败' });
    }
  },

  // 积分规则：本社区今天生效的规则（种类、类别、分值、上限），点开时才取。
  async toggleRules() {
    if (this.data.rules) {
      this.setData({ rules: null });
      return;
    }
    let me = auth.currentUser();
    if (!me || !me.member) me = await auth.freshMe();
    const communityId = me && me.member && me.member.community && me.member.community.id;
    if (!communityId) {
      wx.showToast({ title: '报到通过后可查看本社区的积分规则', icon: 'none' });
      return;
    }
    try {
      const rules = await api.pointRules(communityId, { loading: '正在加载' });
      this.setData({
        rules: rules.map((r) => ({
          id: r.id,
          name: format.pointKindLabel(`${r.kind}:${r.category}`),
          points: r.kind === 'hours' ? `每小时 ${r.points} 分` : `每次 ${r.points > 0 ? '+' : ''}${r.points} 分`,
          caps: [r.daily_cap ? `每天最多 ${r.daily_cap} 分` : '', r.monthly_cap ? `每月最多 ${r.monthly_cap} 分` : ''].filter(Boolean).join('，'),
          from: r.effective_from,
        })),
      });
    } catch (e) {
      // 已提示。
    }
  },

  entryView(e) {
    return {
      id: e.id,
      amount: e.amount > 0 ? `+${e.amount}` : `${e.amount}`,
      positive: e.amount >= 0,
      reason: format.pointReason(e),
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
