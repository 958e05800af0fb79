// 现场模式首页（社区工作者、书记、网格员）：今天的活动，每个活动的签到码 / 花名册 / 发通知；待审核的报到；社区先锋榜。
const auth = require('../../../services/auth');
const api = require('../../../services/api');
const roles = require('../../../services/roles');
const format = require('../../../utils/format');

function isToday(a, today) {
  return format.formatDate(a.starts_at) === today || format.formatDate(a.ends_at) === today || a.status === 'in_progress';
}

Page({
  data: { communityId: null, role: '', today: '', activities: [], pending: 0, allowed: true, loaded: false },

  onLoad() {
    return this.load();
  },

  onShow() {
    if (this.data.loaded) this.load();
  },

  async load() {
    const me = await auth.freshMe();
    if (!roles.isStaff(me)) {
      this.setData({ allowed: false, loaded: true });
      return;
    }
    const communityId = roles.staffCommunityId(me);
    const today = format.formatDate(new Date());
    this.setData({ communityId, role: roles.roleLabel(me), today: format.formatDateCn(new Date()) });
    try {
      const [{ items }, regs] = await Promise.all([
        api.communityActivities(communityId, {}),
        api.pendingRegistrations({ loading: false, showError: false }).catch(() => ({ items: [], pagination: null })),
      ]);
      this.setData({
        activities: items
          .filter((a) => ['published', 'in_progress'].indexOf(a.status) >= 0 && isToday(a, today))
          .map((a) => ({ id: a.id, title: a.title, time: format.timeRange(a.starts_at, a.ends_at), status: a.status_label, count: a.confirmed_count || 0 })),
        pending: regs.pagination ? regs.pagination.total : regs.items.length,
        loaded: true,
      });
    } catch (e) {
      this.setData({ loaded: true });
    }
  },

  go(e) {
    const { page, id } = e.currentTarget.dataset;
    const urls = {
      code: `/packages/staff/onsite-code/onsite-code?id=${id}`,
      roster: `/packages/staff/roster/roster?id=${id}`,
      notice: `/packages/staff/notice/notice?id=${id}&communityId=${this.data.communityId}`,
      approvals: '/packages/staff/approvals/approvals',
      board: `/packages/member/leaderboard/leaderboard?scope=community&scopeId=${this.data.communityId}`,
    };
    wx.navigateTo({ url: urls[page] });
  },
});
