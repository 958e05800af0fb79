// 先锋榜：社区 / 楼栋 / 单位，本月 / 本年 / 累计；我的名次。公开榜单显示脱敏姓名（由服务端处理）。
// 工作人员从现场模式进入时带 scope=community&scopeId=<社区>，只看社区榜。
const auth = require('../../../services/auth');
const api = require('../../../services/api');
const format = require('../../../utils/format');

const SCOPES = [
  { value: 'community', label: '社区榜' },
  { value: 'building', label: '楼栋榜' },
  { value: 'unit', label: '单位榜' },
];

function periods(now = new Date()) {
  const month = format.monthOf(now);
  return [
    { value: month, label: '本月' },
    { value: month.slice(0, 4), label: '本年' },
    { value: 'all', label: '累计' },
  ];
}

Page({
  data: {
    scopes: SCOPES,
    scope: 'community',
    periods: periods(),
    period: '',
    fixedScopeId: null,
    scopeName: '',
    entries: [],
    me: null,
    unavailable: '',
    error: '',
  },

  onLoad(query = {}) {
    const list = periods();
    this.setData({ periods: list, period: list[0].value });
    if (query.scopeId) this.setData({ scope: query.scope || 'community', fixedScopeId: Number(query.scopeId) });
    return this.load();
  },

  scopeId(me) {
    if (this.data.fixedScopeId) return this.data.fixedScopeId;
    const member = me && me.member;
    if (!member) return null;
    if (this.data.scope === 'community') return member.community && member.community.id;
    if (this.data.scope === 'building') return member.building && member.building.id;
    return member.employer_unit && member.employer_unit.id;
  },

  async load() {
    let me = auth.currentUser();
    if (!me || !me.member) {
      try {
        me = await auth.fetchMe({ loading: false });
      } catch (e) {
        return;
      }
    }
    const scopeId = this.scopeId(me);
    if (!scopeId) {
      this.setData({ entries: [], me: null, scopeName: '', unavailable: this.data.scope === 'unit' ? '报到时没有填写工作单位' : '报到通过后才能查看榜单' });
      return;
    }
    try {
      const board = await api.leaderboard({ scope: this.data.scope, scopeId, period: this.data.period }, { showError: false });
      this.setData({
        unavailable: '',
        error: '',
        scopeName: board.scope_name,
        entries: (board.entries || []).map((e, i) => ({
          key: `${e.rank}-${i}`,
          rank: e.rank,
          name: e.name,
          points: e.points,
          hours: format.hoursText(e.hours),
          stars: e.stars ? '★'.repeat(e.stars) : '',
          isMe: !!e.is_me,
        })),
        me: board.me
          ? {
            rank: board.me.rank || null,
            points: board.me.points,
            hours: format.hoursText(board.me.hours),
            hidden: !!board.me.hidden_from_public,
          }
          : null,
      });
    } catch (e) {
      this.setData({ error: e.message || '榜单加载失败' });
    }
  },

  onPullDownRefresh() {
    return this.load().then(() => wx.stopPullDownRefresh());
  },

  onScope(e) {
    this.setData({ scope: e.currentTarget.dataset.value });
    return this.load();
  },

  onPeriod(e) {
    this.setData({ period: e.currentTarget.dataset.value });
    return this.load();
  },
});
