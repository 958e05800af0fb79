// 现场模式首页（社区工作者、书记、网格员；单位党组织书记只看反馈单）：
// 今天的活动（今天开始、今天结束或正在进行的，不论何时创建），每个活动的签到码 / 花名册 / 发通知 / 发布 / 取消；
// 审核箱（带待办条数）、发起活动、给社区发通知、扫码登录管理后台、社区先锋榜、单位反馈单。
const auth = require('../../../services/auth');
const api = require('../../../services/api');
const roles = require('../../../services/roles');
const inbox = require('../../../services/inbox');
const format = require('../../../utils/format');
const { ask } = require('../../../utils/modal');

const MAX_PAGES = 5;

function isToday(a, today) {
  return format.formatDate(a.starts_at) === today || format.formatDate(a.ends_at) === today || a.status === 'in_progress';
}

// 按开始时间倒序一页页往后翻，直到翻过今天（以后的活动再多也不会把今天的挤出第一页）。
async function todaysActivities(communityId, today) {
  const quiet = { loading: false, showError: false };
  const found = [];
  const collect = (items) => items.filter((a) => isToday(a, today)).forEach((a) => found.push(a));
  const ongoing = await api.communityActivities(communityId, { status: 'in_progress' }, quiet);
  collect(ongoing.items);
  for (const status of ['published', 'draft']) {
    for (let page = 1; page <= MAX_PAGES; page += 1) {
      const { items, pagination } = await api.communityActivities(communityId, { status, page }, quiet);
      collect(items);
      const last = items[items.length - 1];
      if (!last || format.formatDate(last.starts_at) < today || !pagination || pagination.total_pages <= page) break;
    }
  }
  const seen = {};
  return found
    .filter((a) => (seen[a.id] ? false : (seen[a.id] = true)))
    .sort((x, y) => String(x.starts_at).localeCompare(String(y.starts_at)));
}

Page({
  data: { communityId: null, role: '', today: '', activities: [], pending: 0, allowed: true, isStaff: false, unitId: null, loaded: false, error: '' },

  onLoad() {
    return this.load();
  },

  onShow() {
    if (this.data.loaded) this.load();
  },

  onPullDownRefresh() {
    return this.load().then(() => wx.stopPullDownRefresh());
  },

  async load() {
    const me = await auth.freshMe();
    const isStaff = roles.isStaff(me);
    const unitId = roles.secretaryUnitId(me);
    if (!isStaff && !unitId) {
      this.setData({ allowed: false, loaded: true });
      return;
    }
    const communityId = roles.staffCommunityId(me);
    this.setData({ isStaff, unitId, communityId, role: roles.roleLabel(me) || roles.ROLE_LABELS.unit_secretary, today: format.formatDateCn(new Date()) });
    if (!isStaff) {
      this.setData({ loaded: true });
      return;
    }
    try {
      const [list, counts] = await Promise.all([todaysActivities(communityId, format.formatDate(new Date())), inbox.counts(communityId)]);
      this.setData({
        activities: list.map((a) => ({
          id: a.id,
          title: a.title,
          time: format.timeRange(a.starts_at, a.ends_at),
          status: a.status,
          statusLabel: a.status_label,
          count: a.confirmed_count || 0,
        })),
        pending: inbox.total(counts),
        loaded: true,
        error: '',
      });
    } catch (e) {
      this.setData({ loaded: true, error: e.message || '今天的活动加载失败' });
    }
  },

  go(e) {
    const { page, id } = e.currentTarget.dataset;
    const urls = {
      code: `/packages/staff/onsite-code/onsite-code?id=${id}`,
      roster: `/packages/staff/roster/roster?id=${id}`,
      notice: `/packages/staff/notice/notice?id=${id}&communityId=${this.data.communityId}`,
      communityNotice: `/packages/staff/notice/notice?communityId=${this.data.communityId}`,
      approvals: '/packages/staff/approvals/approvals',
      create: `/packages/staff/activity-form/activity-form?communityId=${this.data.communityId}`,
      consoleLogin: '/packages/staff/console-login/console-login',
      unit: `/packages/staff/unit/unit?unitId=${this.data.unitId}`,
      board: `/packages/member/leaderboard/leaderboard?scope=community&scopeId=${this.data.communityId}`,
    };
    wx.navigateTo({ url: urls[page] });
  },

  async publish(e) {
    const id = Number(e.currentTarget.dataset.id);
    try {
      await api.publishActivity(id, { loading: '正在发布' });
      wx.showToast({ title: '已发布', icon: 'success' });
      await this.load();
    } catch (err) {
      // 已提示。
    }
  },

  // 取消活动要写明原因（会通知已报名的党员）。
  async cancel(e) {
    const id = Number(e.currentTarget.dataset.id);
    const res = await ask({ title: '取消活动', editable: true, placeholderText: '取消原因（必填，会通知已报名的党员）', confirmText: '取消活动', cancelText: '不取消' });
    if (!res.confirm) return;
    const reason = res.content.trim();
    if (!reason) {
      wx.showToast({ title: '请写明取消原因', icon: 'none' });
      return;
    }
    try {
      await api.cancelActivity(id, reason, { loading: '正在取消' });
      wx.showToast({ title: '已取消，已通知报名的党员', icon: 'none' });
      await this.load();
    } catch (err) {
      // 已提示。
    }
  },
});
