// 首页：问候、我的报到状态、本年时长/积分/星级、我报名的近期活动、未读通知、功能入口；工作人员另有「现场模式」入口。
const auth = require('../../services/auth');
const api = require('../../services/api');
const roles = require('../../services/roles');
const format = require('../../utils/format');

// 把 GET /me 里的报到记录转成页面上显示的状态。
function registrationView(registration) {
  if (!registration) {
    return { status: '', label: '未报到', theme: 'default', community: '', place: '', reason: '', canReport: true };
  }
  const status = format.registrationStatus(registration.status);
  const building = registration.building ? ` ${registration.building.name}` : '';
  const room = registration.room ? ` ${registration.room}` : '';
  return {
    status: registration.status,
    label: status.label,
    theme: status.theme,
    community: registration.community ? registration.community.name : '',
    place: `${building}${room}`,
    rejected: registration.status === 'rejected',
    reason: registration.status === 'rejected' ? registration.reject_reason || '' : '',
    canReport: ['submitted', 'approved'].indexOf(registration.status) < 0,
  };
}

const MENU = [
  { key: 'scan', label: '扫码签到签退', icon: 'scan', url: '/packages/member/clock/clock' },
  { key: 'log', label: '活动记录', icon: 'time', url: '/packages/member/log/log' },
  { key: 'points', label: '我的积分', icon: 'chart-bar', url: '/packages/member/points/points' },
  { key: 'board', label: '先锋榜', icon: 'flag', url: '/packages/member/leaderboard/leaderboard' },
  { key: 'pledge', label: '承诺书', icon: 'file-paste', url: '/packages/member/pledge/pledge' },
  { key: 'party-day', label: '党员活动日', icon: 'calendar', url: '/packages/member/party-day/party-day' },
  { key: 'notices', label: '通知', icon: 'notification', url: '/pages/notices/list' },
];

const PLACEHOLDER_STATS = [
  { key: 'hours', label: '服务时长（小时）', value: '—' },
  { key: 'points', label: '积分', value: '—' },
  { key: 'stars', label: '星级', value: '—' },
];

Page({
  data: {
    greeting: '',
    displayName: '',
    today: '',
    registration: registrationView(null),
    stats: PLACEHOLDER_STATS,
    menu: MENU,
    activities: [],
    unread: 0,
    isStaff: false,
    loaded: false,
    error: '',
    offline: false,
  },

  onLoad() {
    if (!auth.hasAgreedCurrentPrivacy()) {
      wx.reLaunch({ url: '/pages/login/login' });
      return null;
    }
    return this.load();
  },

  onShow() {
    // 从报到页回来时刷新状态；首次进入由 onLoad 加载。
    if (this.data.loaded) this.load({ loading: false });
  },

  onPullDownRefresh() {
    return this.load({ loading: false }).then(() => wx.stopPullDownRefresh());
  },

  async load(options = {}) {
    const now = new Date();
    this.setData({ greeting: format.greeting(now), today: format.formatDateCn(now) });
    try {
      const me = await auth.fetchMe({ ...options, showError: false });
      this.setData({
        error: '',
        offline: false,
        displayName: (me.member && me.member.name) || (me.user && me.user.display_name) || '党员同志',
        registration: registrationView(me.registration),
        isStaff: roles.isStaff(me) || !!roles.secretaryUnitId(me),
        loaded: true,
      });
      if (me.member) await this.loadMemberData();
    } catch (e) {
      // 没有加载成功：说清楚并给「重新加载」，不显示成「未报到」。
      this.setData({ error: e.message || '加载失败', offline: e.code === 'network_error' });
    }
  },

  // 积分、近期活动、未读通知：各自失败不影响其它部分。
  async loadMemberData() {
    const quiet = { loading: false, showError: false };
    const [points, upcoming, unread] = await Promise.all([
      api.myPoints(quiet).catch(() => null),
      api.listActivities({ when: 'upcoming', pageSize: 20 }, quiet).catch(() => null),
      api.unreadCount(quiet).catch(() => null),
    ]);
    const data = {};
    if (points) {
      const year = (points.periods || []).find((p) => p.kind === 'year') || {};
      data.stats = [
        { key: 'hours', label: '服务时长（小时）', value: format.hoursText(year.hours) },
        { key: 'points', label: '积分', value: String(year.points || 0) },
        { key: 'stars', label: '星级', value: points.stars ? '★'.repeat(points.stars) : '—', aria: points.stars ? `${points.stars} 星` : '暂未评星' },
      ];
    }
    if (upcoming) {
      data.activities = upcoming.items
        .filter((a) => a.my_signup_status === 'confirmed' || a.my_signup_status === 'waitlisted')
        .slice(0, 3)
        .map((a) => ({ id: a.id, title: a.title, time: format.timeRange(a.starts_at, a.ends_at), mine: format.signupLabel(a.my_signup_status) }));
    }
    if (unread) data.unread = unread.unread || 0;
    this.setData(data);
  },

  openMenu(e) {
    wx.navigateTo({ url: e.currentTarget.dataset.url });
  },

  openActivity(e) {
    wx.navigateTo({ url: `/packages/member/activity/activity?id=${e.currentTarget.dataset.id}` });
  },

  goActivities() {
    wx.switchTab({ url: '/pages/activities/list' });
  },

  goNotices() {
    wx.navigateTo({ url: '/pages/notices/list' });
  },

  goStaff() {
    wx.navigateTo({ url: '/packages/staff/index/index' });
  },

  goReport() {
    wx.switchTab({ url: '/pages/report/report' });
  },
});
