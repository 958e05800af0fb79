// 按业务划分的接口函数：页面只调这里，不直接拼 URL。
const http = require('./request');

module.exports = {
  // 本人
  getMe: (options) => http.get('/me', options),
  updateMe: (body, options) => http.patch('/me', body, options),
  setLocationConsent: (granted, options) => http.post('/me/consents/location', { granted }, options),

  // 报到用的选择项
  listCommunities: (options) => http.get('/communities', options),
  listBuildings: (communityId, options) => http.get(`/communities/${communityId}/buildings`, options),
  listUnits: (options) => http.get('/units', options),

  // 报到（到社区报到）
  myRegistrations: (options) => http.get('/registrations/mine', options),
  submitRegistration: (body, options) => http.post('/registrations', body, options),
  withdrawRegistration: (id, options) => http.post(`/registrations/${id}/withdraw`, null, options),
  // 手机号快速验证：<button open-type="getPhoneNumber"> 给的 code 换成微信确认过的手机号
  verifiedPhone: (code, options) => http.post('/me/phone', { code }, options),

  // 活动：列表、详情、报名、取消报名、签到签退、活动记录、申诉
  listActivities: ({ when = 'upcoming', category, page = 1, pageSize = 20 } = {}, options = {}) =>
    http.getPage('/activities', { ...options, page, pageSize, query: { when, category } }),
  getActivity: (id, options) => http.get(`/activities/${id}`, options),
  signUp: (id, options) => http.post(`/activities/${id}/signup`, null, options),
  withdrawSignUp: (id, options) => http.post(`/activities/${id}/signup/withdraw`, null, options),
  clockIn: (id, proof, options) => http.post(`/activities/${id}/clock-in`, proof, options),
  clockOut: (id, proof, options) => http.post(`/activities/${id}/clock-out`, proof, options),
  myActivityLog: ({ page = 1, pageSize = 20 } = {}, options = {}) => http.getPage('/me/activity-log', { ...options, page, pageSize }),
  myAppeals: (options) => http.get('/me/appeals', options),
  submitAppeal: (activityId, reason, options) => http.post(`/activities/${activityId}/appeals`, { reason }, options),

  // 积分、星级、先锋榜
  myPoints: (options) => http.get('/points/me', options),
  myPointEntries: ({ page = 1, pageSize = 20 } = {}, options = {}) => http.getPage('/points/me/entries', { ...options, page, pageSize }),
  leaderboard: ({ scope, scopeId, period, limit = 50 }, options) =>
    http.get('/points/leaderboards', { ...options, query: { scope, scope_id: scopeId, period, limit } }),
  pointRules: (communityId, options) => http.get('/points/rules', { ...options, query: { community_id: communityId } }),
  starLevels: (communityId, year, options) => http.get('/points/star-levels', { ...options, query: { community_id: communityId, year } }),

  // 包楼栋承诺书、履诺记录
  pledgeTemplates: (communityId, options) => http.get(`/communities/${communityId}/pledge-templates`, options),
  pledgeBuildings: (options) => http.get('/pledges/buildings', options),
  myPledges: (options) => http.get('/pledges/mine', options),
  withdrawPledge: (id, options) => http.post(`/pledges/${id}/withdraw`, null, options),
  signPledge: (body, options) => http.post('/pledges', body, options),
  pledgeBoard: (buildingId, options) => http.get(`/buildings/${buildingId}/pledge-board`, options),
  myPledgeNotes: (options) => http.get('/pledge-notes/mine', options),
  submitPledgeNote: (pledgeId, body, options) => http.post(`/pledges/${pledgeId}/notes`, body, options),

  // 固定党员活动日、预约补课
  myPartyDay: (month, options) => http.get('/party-day/mine', { ...options, query: { month } }),
  makeupSessions: (communityId, month, options) => http.get(`/communities/${communityId}/makeup-sessions`, { ...options, query: { month } }),
  bookMakeup: (sessionId, options) => http.post(`/makeup-sessions/${sessionId}/booking`, null, options),
  cancelMakeup: (sessionId, options) => http.del(`/makeup-sessions/${sessionId}/booking`, options),

  // 通知、订阅消息
  myNotices: ({ page = 1, pageSize = 20, unread } = {}, options = {}) =>
    http.getPage('/notices/mine', { ...options, page, pageSize, query: unread ? { unread: true } : {} }),
  unreadCount: (options) => http.get('/notices/mine/unread-count', options),
  openNotice: (id, options) => http.get(`/notices/mine/${id}`, options),
  subscribeTemplates: (options) => http.get('/subscribe-templates', options),
  reportSubscriptions: (results, options) => http.post('/subscriptions', { results }, options),

  // 工作人员现场模式
  communityActivities: (communityId, { status, page = 1, pageSize = 50 } = {}, options = {}) =>
    http.getPage(`/communities/${communityId}/activities`, { ...options, page, pageSize, query: { status } }),
  onsiteCode: (activityId, options) => http.get(`/activities/${activityId}/onsite-code`, options),
  roster: (activityId, options) => http.get(`/activities/${activityId}/roster`, options),
  addManualRecord: (activityId, body, options) => http.post(`/activities/${activityId}/hours-records`, body, options),
  listMembers: (query, options = {}) => http.getPage('/members', { ...options, page: 1, pageSize: 20, query }),
  pendingRegistrations: (options = {}, { pageSize = 50 } = {}) => http.getPage('/registrations', { ...options, page: 1, pageSize, query: { status: 'submitted' } }),
  approveRegistration: (id, options) => http.post(`/registrations/${id}/approve`, null, options),
  rejectRegistration: (id, reason, options) => http.post(`/registrations/${id}/reject`, { reason }, options),
  sendNotice: (communityId, body, options) => http.post(`/communities/${communityId}/notices`, body, options),

  // 工作人员：发起、发布、取消活动（简表：标题、类别、时间、地点、名额）
  createActivity: (communityId, body, options) => http.post(`/communities/${communityId}/activities`, body, options),
  publishActivity: (id, options) => http.post(`/activities/${id}/publish`, null, options),
  cancelActivity: (id, reason, options) => http.post(`/activities/${id}/cancel`, { reason }, options),
  communityGrids: (communityId, options) => http.get(`/communities/${communityId}/grids`, options),

  // 审核箱：各类待办（服务端还没有统一的待办接口，按类分别取）
  pendingHours: (communityId, { pageSize = 50 } = {}, options = {}) =>
    http.getPage(`/communities/${communityId}/hours-records`, { ...options, page: 1, pageSize, query: { status: 'pending' } }),
  approveHours: (id, options) => http.post(`/hours-records/${id}/approve`, null, options),
  rejectHours: (id, reason, options) => http.post(`/hours-records/${id}/reject`, { reason }, options),
  openAppeals: (communityId, { pageSize = 50 } = {}, options = {}) =>
    http.getPage(`/communities/${communityId}/appeals`, { ...options, page: 1, pageSize, query: { status: 'open' } }),
  resolveAppeal: (id, outcome, reason, options) => http.post(`/appeals/${id}/resolve`, { outcome, reason }, options),
  pendingAwards: (communityId, { pageSize = 50 } = {}, options = {}) =>
    http.getPage('/points/manual-awards', { ...options, page: 1, pageSize, query: { community_id: communityId, status: 'pending' } }),
  approveAward: (id, options) => http.post(`/points/manual-awards/${id}/approve`, null, options),
  rejectAward: (id, reason, options) => http.post(`/points/manual-awards/${id}/reject`, { reason }, options),
  submittedNotes: (communityId, { pageSize = 50 } = {}, options = {}) =>
    http.getPage(`/communities/${communityId}/pledge-notes`, { ...options, page: 1, pageSize, query: { status: 'submitted' } }),
  verifyNote: (id, options) => http.post(`/pledge-notes/${id}/verify`, null, options),
  returnNote: (id, reason, options) => http.post(`/pledge-notes/${id}/return`, { reason }, options),
  unconfirmedAttendances: (communityId, { pageSize = 50 } = {}, options = {}) =>
    http.getPage(`/communities/${communityId}/unconfirmed-attendances`, { ...options, page: 1, pageSize }),
  confirmAttendance: (id, reason, options) => http.post(`/attendances/${id}/confirm`, { reason }, options),

  // 扫码登录管理后台（电脑上的登录二维码：party-console-login:<ticket>）
  consoleLoginRequest: (ticket, options) => http.get(`/console/login-tickets/${encodeURIComponent(ticket)}/request`, options),
  confirmConsoleLogin: (ticket, options) => http.post(`/console/login-tickets/${encodeURIComponent(ticket)}/confirm`, null, options),

  // 单位党组织书记：本单位党员的反馈单 Excel（period：2026 或 2026-H1）
  unitFeedbackXlsxUrl: (unitId, period) => http.buildURL(`/points/units/${unitId}/feedback.xlsx`, { period }),
};
