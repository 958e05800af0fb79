// 每个页面的主要状态（加载好、空、出错、工作人员模式），用测试里的假数据渲染后写成 HTML。
const { openPage } = require('../helpers');
const { capture } = require('./capture');
const format = require('../../utils/format');

const TODAY = format.formatDate(new Date());
const MEMBER = { id: 5, name: '张三', member_type: 'in_service', phone_masked: '138****8000', location_consent: true, community: { id: 2, name: '光明社区' }, building: { id: 38, name: '18号楼' }, room: '301', employer_unit: { id: 9, name: '市财政局' } };
const ME = { status: 200, data: { user: { id: 3, roles: [] }, member: MEMBER, registration: { id: 1, status: 'approved', community: { id: 2, name: '光明社区' }, building: { id: 38, name: '18号楼' }, room: '301' }, privacy_notice_version: '2026-11' } };
const STAFF_ME = { status: 200, data: { user: { id: 1, display_name: '王社工', roles: [{ role: 'community_staff', community_id: 1 }] }, member: MEMBER, registration: null, privacy_notice_version: '2026-11' } };
const ACT = { id: 7, title: '楼道环境清理', category: 'environment', category_label: '环境整治', content: '清理楼道堆物、张贴文明提示。请自带手套。', address: '光明大道16号 18号楼', organiser: '光明社区党委', leader_name: '王社工', starts_at: `${TODAY}T09:00:00+08:00`, ends_at: `${TODAY}T11:00:00+08:00`, status: 'published', status_label: '报名中', capacity: 10, confirmed_count: 4, waitlisted_count: 0, my_signup_status: 'confirmed' };
const PAGE = (items) => ({ status: 200, data: items, header: { 'X-Pagination': JSON.stringify({ total: items.length, total_pages: 1 }) } });
const FAIL = { fail: 'request:fail timeout' };
const ERROR = { status: 500, data: { code: 'internal', message: '服务暂时不可用，请稍后再试' } };

function member(me = ME) {
  fakeWx.storage.token = 'tok';
  fakeWx.storage.privacy_agreed_version = '2026-11';
  fakeWx.route('GET', '/api/v1/me', me);
}

async function shot(name, route, query = {}, after, images) {
  const page = await openPage(route, query);
  if (after) await after(page);
  await fakeWx.settle();
  capture(name, page, route, { images: images ? images(page) : [] });
}

function memberData() {
  fakeWx.route('GET', '/api/v1/points/me', { status: 200, data: { stars: 3, year: 2026, periods: [{ kind: 'month', period: '2026-12', points: 25, hours: '2.50' }, { kind: 'year', period: '2026', points: 120, hours: '12.00' }, { kind: 'all_time', period: 'all', points: 180, hours: '18.00' }] } });
  fakeWx.route('GET', '/api/v1/activities', PAGE([ACT, { ...ACT, id: 8, title: '平安巡逻', category_label: '平安巡逻', my_signup_status: 'waitlisted', capacity: 6, confirmed_count: 6 }]));
  fakeWx.route('GET', '/api/v1/notices/mine/unread-count', { status: 200, data: { unread: 2 } });
  fakeWx.route('GET', '/api/v1/notices/mine', PAGE([{ id: 1, title: '本周六党员奉献日', body: '请在职党员于周六上午到社区党群服务中心集合。', published_at: '2026-12-01T09:00:00+08:00', read: false }, { id: 2, title: '11月积分已更新', body: '可在「我的积分」查看。', published_at: '2026-11-30T09:00:00+08:00', read: true }]));
}

test('member pages', async () => {
  member(); memberData();
  await shot('home-loaded', 'pages/home/home');
});
test('home: not reported', async () => {
  member({ status: 200, data: { user: { id: 3, roles: [] }, member: null, registration: null } });
  await shot('home-not-reported', 'pages/home/home');
});
test('home: error', async () => {
  member(FAIL);
  await shot('home-error', 'pages/home/home');
});
test('home: staff', async () => {
  member(STAFF_ME); memberData();
  await shot('home-staff', 'pages/home/home');
});
test('activities', async () => {
  member(); memberData();
  await shot('activities-loaded', 'pages/activities/list');
});
test('activities: empty', async () => {
  member(); fakeWx.route('GET', '/api/v1/activities', PAGE([]));
  await shot('activities-empty', 'pages/activities/list');
});
test('activities: offline', async () => {
  member(); fakeWx.route('GET', '/api/v1/activities', FAIL);
  await shot('activities-offline', 'pages/activities/list');
});
test('report: form, pending, approved', async () => {
  member({ status: 200, data: { user: { id: 3, roles: [] }, member: null } });
  fakeWx.route('GET', '/api/v1/communities', { status: 200, data: [{ id: 2, name: '光明社区' }] });
  fakeWx.route('GET', '/api/v1/units', { status: 200, data: [{ id: 9, name: '市财政局' }] });
  fakeWx.route('GET', '/api/v1/registrations/mine', { status: 200, data: [] });
  await shot('report-form', 'pages/report/report');
});
test('report: pending', async () => {
  member();
  fakeWx.route('GET', '/api/v1/communities', { status: 200, data: [] });
  fakeWx.route('GET', '/api/v1/units', { status: 200, data: [] });
  fakeWx.route('GET', '/api/v1/registrations/mine', { status: 200, data: [{ id: 5, status: 'submitted', community: { id: 2, name: '光明社区', address: '光明大道16号' }, building: { name: '18号楼' }, room: '301', submitted_at: '2026-12-01T09:00:00+08:00' }] });
  await shot('report-pending', 'pages/report/report');
});
test('report: approved', async () => {
  member();
  fakeWx.route('GET', '/api/v1/communities', { status: 200, data: [] });
  fakeWx.route('GET', '/api/v1/units', { status: 200, data: [] });
  fakeWx.route('GET', '/api/v1/registrations/mine', { status: 200, data: [{ id: 5, status: 'approved', community: { id: 2, name: '光明社区' }, building: { name: '18号楼' }, room: '301', submitted_at: '2026-12-01T09:00:00+08:00' }] });
  await shot('report-approved', 'pages/report/report');
});
test('profile', async () => {
  member(STAFF_ME);
  await shot('profile-staff', 'pages/profile/profile');
});
test('notices', async () => {
  member(); memberData();
  await shot('notices-loaded', 'pages/notices/list');
});
test('notices: empty', async () => {
  member(); fakeWx.route('GET', '/api/v1/notices/mine', PAGE([])); fakeWx.route('GET', '/api/v1/notices/mine/unread-count', { status: 200, data: { unread: 0 } });
  await shot('notices-empty', 'pages/notices/list');
});
test('login', async () => {
  fakeWx.storage.privacy_agreed_version = '';
  await shot('login', 'pages/login/login');
});
test('activity detail', async () => {
  member(); fakeWx.route('GET', '/api/v1/activities/7', { status: 200, data: { ...ACT, status: 'in_progress', status_label: '进行中' } });
  await shot('activity-detail', 'packages/member/activity/activity', { id: '7' });
});
test('clock: choose', async () => {
  member();
  await shot('clock-choose', 'packages/member/clock/clock');
});
test('clock: clocked out', async () => {
  member();
  fakeWx.route('GET', '/api/v1/me/activity-log', { status: 200, data: [{ activity: { id: 7 }, state: 'clocked_in', attendance: { clock_in_at: `${TODAY}T09:02:00+08:00` } }] });
  fakeWx.route('POST', '/api/v1/activities/7/clock-out', { status: 200, data: { id: 1, status: 'clocked_out', clock_out_at: `${TODAY}T11:03:00+08:00` } });
  fakeWx.wx.scanCode.mockImplementation((o) => setTimeout(() => o.success({ result: 'https://party.example.cn/clock?scene=7.k2x1.abcdefghijklmnop' })));
  await shot('clock-out-success', 'packages/member/clock/clock', {}, async (page) => { await page.instance.onScan(); });
});
test('clock: refused', async () => {
  member();
  fakeWx.route('GET', '/api/v1/me/activity-log', { status: 200, data: [] });
  fakeWx.route('POST', '/api/v1/activities/7/clock-in', { status: 422, data: { code: 'qr_code_expired', message: '签到码已过期，请扫描现场负责人手机上最新的二维码' } });
  fakeWx.wx.scanCode.mockImplementation((o) => setTimeout(() => o.success({ result: '7.k2x0.abcdefghijklmnop' })));
  await shot('clock-refused', 'packages/member/clock/clock', {}, async (page) => { await page.instance.onScan(); });
});
test('points', async () => {
  member(); memberData();
  fakeWx.route('GET', '/api/v1/points/me/entries', PAGE([{ id: 1, amount: 15, hours: '1.5', rule_key: 'hours:environment', revision: 1, earned_on: '2026-11-09' }, { id: 2, amount: 10, rule_key: 'party_day:*', revision: 1, earned_on: '2026-11-15' }, { id: 3, amount: -5, rule_key: 'manual:*', revision: 2, reason: '重复加分', earned_on: '2026-11-20' }]));
  fakeWx.route('GET', '/api/v1/points/rules', { status: 200, data: [{ id: 1, kind: 'hours', category: '*', points: 10, daily_cap: 40 }, { id: 2, kind: 'party_day', category: '*', points: 10 }] });
  await shot('points-loaded', 'packages/member/points/points', {}, async (page) => { await page.instance.toggleRules(); });
});
test('points: error', async () => {
  member(); fakeWx.route('GET', '/api/v1/points/me', ERROR);
  await shot('points-error', 'packages/member/points/points');
});
const BOARD = (req) => ({ status: 200, data: { scope: req.query.scope, scope_name: '光明社区', entries: [{ rank: 1, name: '孙*', points: 70, hours: '7.00', stars: 3 }, { rank: 1, name: '陈*燕', points: 70, hours: '7.00', stars: 3 }, { rank: 3, name: '张*', points: 25, hours: '2.50', stars: 1, is_me: true }], me: { rank: 3, points: 25, hours: '2.50' } } });
test('leaderboard', async () => {
  member(); fakeWx.route('GET', '/api/v1/points/leaderboards', BOARD);
  await shot('leaderboard-loaded', 'packages/member/leaderboard/leaderboard');
});
test('leaderboard: not ranked, empty', async () => {
  member(); fakeWx.route('GET', '/api/v1/points/leaderboards', { status: 200, data: { scope_name: '光明社区', entries: [], me: { rank: null, points: 0, hours: '0' } } });
  await shot('leaderboard-empty', 'packages/member/leaderboard/leaderboard');
});
function pledgeData(mine) {
  fakeWx.route('GET', '/api/v1/pledges/mine', { status: 200, data: mine });
  fakeWx.route('GET', '/api/v1/communities/2/pledge-templates', { status: 200, data: [{ id: 4, year: 2026, title: '在职党员包楼栋承诺书', items: ['环境卫生', '安全隐患排查', '邻里帮扶', '政策宣传'] }] });
  fakeWx.route('GET', '/api/v1/pledges/buildings', { status: 200, data: [{ id: 38, name: '18号楼' }, { id: 39, name: '19号楼' }] });
}
test('pledge: form', async () => {
  member(); pledgeData([]);
  await shot('pledge-form', 'packages/member/pledge/pledge');
});
test('pledge: signed', async () => {
  member(); pledgeData([{ id: 16, year: 2026, status: 'active', building: { id: 38, name: '18号楼' }, items: ['环境卫生', '邻里帮扶'], own_words: '守护楼栋整洁', signed_at: '2026-11-23T17:34:53+08:00' }, { id: 17, year: 2026, status: 'active', building: { id: 39, name: '19号楼' }, items: ['安全隐患排查'], own_words: '', signed_at: '2026-11-24T10:00:00+08:00' }]);
  await shot('pledge-signed', 'packages/member/pledge/pledge');
});
test('log, party day, pledge board, pledge note', async () => {
  member();
  fakeWx.route('GET', '/api/v1/me/activity-log', PAGE([{ activity: ACT, state: 'clocked_out', attendance: { clock_in_at: `${TODAY}T09:02:00+08:00`, clock_out_at: `${TODAY}T11:00:00+08:00` }, hours: '2.00' }]));
  fakeWx.route('GET', '/api/v1/me/appeals', { status: 200, data: [] });
  await shot('log', 'packages/member/log/log');
});
test('party day', async () => {
  member();
  fakeWx.route('GET', '/api/v1/party-day/mine', { status: 200, data: { month: '2026-12', status: 'missing', party_day: '2026-12-15', makeup_session_id: null } });
  fakeWx.route('GET', '/api/v1/communities/2/makeup-sessions', { status: 200, data: [{ id: 5, title: '12月补课', address: '社区党群服务中心', starts_at: '2026-12-20T14:00:00+08:00', ends_at: '2026-12-20T16:00:00+08:00', capacity: 20, booked_count: 3, places_left: 17 }] });
  await shot('party-day', 'packages/member/party-day/party-day');
});
test('pledge board', async () => {
  member();
  fakeWx.route('GET', '/api/v1/buildings/38/pledge-board', { status: 200, data: { building: { id: 38, name: '18号楼' }, year: 2026, head: { name: '唐*洋' }, members: [{ name: '唐*洋', is_head: true, items: ['环境卫生', '安全隐患排查'], own_words: '守护楼栋', signed_at: '2026-11-23T17:34:53+08:00' }] } });
  await shot('pledge-board', 'packages/member/pledge-board/pledge-board', { buildingId: '38' });
});
test('pledge note', async () => {
  member();
  fakeWx.route('GET', '/api/v1/pledge-notes/mine', { status: 200, data: [{ id: 3, pledge_id: 16, content: '清理楼道', status: 'returned', return_reason: '照片不清楚', created_at: '2026-11-20T10:00:00+08:00' }] });
  await shot('pledge-note', 'packages/member/pledge-note/pledge-note', { pledgeId: '16' });
});

// 工作人员
function staffActivities() {
  fakeWx.route('GET', '/api/v1/communities/1/activities', (req) => {
    if (req.query.status === 'in_progress') return PAGE([{ ...ACT, status: 'in_progress', status_label: '进行中', confirmed_count: 6 }]);
    if (req.query.status === 'draft') return PAGE([{ ...ACT, id: 9, title: '下午的政策宣讲', status: 'draft', status_label: '草稿', starts_at: `${TODAY}T15:00:00+08:00`, ends_at: `${TODAY}T16:30:00+08:00` }]);
    return PAGE([]);
  });
}
function inbox(withItems) {
  const reg = { id: 4, status: 'submitted', room: '301', community: { name: '光明社区' }, building: { name: '18号楼' }, submitted_at: '2026-12-01T09:00:00+08:00', member: { name: '李四', member_type: 'in_service', phone_masked: '139****1234', employer_unit: { name: '区教育局' } } };
  fakeWx.route('GET', '/api/v1/registrations', PAGE(withItems ? [reg, { ...reg, id: 5, member: { ...reg.member, name: '王五', member_type: 'retired', employer_unit: null } }] : []));
  fakeWx.route('GET', '/api/v1/communities/1/hours-records', PAGE(withItems ? [{ id: 3, member_id: 12, activity_name: '平安巡逻', hours: '2.00', service_date: '2026-11-30', reason: '手机没电未能扫码' }] : []));
  fakeWx.route('GET', '/api/v1/communities/1/appeals', PAGE(withItems ? [{ id: 8, member_name: '赵六', activity_title: '楼道环境清理', reason: '签到了但没有记录', created_at: '2026-11-24T09:00:00+08:00' }] : []));
  fakeWx.route('GET', '/api/v1/points/manual-awards', PAGE([]));
  fakeWx.route('GET', '/api/v1/communities/1/pledge-notes', PAGE([]));
  fakeWx.route('GET', '/api/v1/communities/1/unconfirmed-attendances', PAGE([]));
}
test('staff index', async () => {
  member(STAFF_ME); staffActivities(); inbox(true);
  await shot('staff-index', 'packages/staff/index/index');
});
test('staff index: no activities', async () => {
  member(STAFF_ME); fakeWx.route('GET', '/api/v1/communities/1/activities', PAGE([])); inbox(false);
  await shot('staff-index-empty', 'packages/staff/index/index');
});
test('staff inbox', async () => {
  member(STAFF_ME); inbox(true);
  await shot('staff-inbox', 'packages/staff/approvals/approvals');
});
test('staff inbox: empty', async () => {
  member(STAFF_ME); inbox(false);
  await shot('staff-inbox-empty', 'packages/staff/approvals/approvals');
});
test('onsite code', async () => {
  member(STAFF_ME);
  fakeWx.route('GET', '/api/v1/activities/7', { status: 200, data: ACT });
  fakeWx.route('GET', '/api/v1/activities/7/onsite-code', { status: 200, data: { activity_id: 7, code: '7.k2x1.abcdefghijklmnop', window_seconds: 30, expires_in: 30 } });
  await shot('staff-onsite-code', 'packages/staff/onsite-code/onsite-code', { id: '7' }, async (page) => { page.instance.stop(); }, (page) => [page.instance.data.src]);
});
test('roster', async () => {
  member(STAFF_ME);
  fakeWx.route('GET', '/api/v1/activities/7/roster', { status: 200, data: { activity_id: 7, summary: { signed_up: 3, clocked_in: 1, clocked_out: 1, absent: 0, waitlisted: 0 }, entries: [
    { member: { id: 11, name: '李四' }, state: 'clocked_in', attendance: { clock_in_at: `${TODAY}T09:02:00+08:00` }, hours: null },
    { member: { id: 12, name: '王五' }, state: 'clocked_out', attendance: { clock_in_at: `${TODAY}T09:00:00+08:00`, clock_out_at: `${TODAY}T11:00:00+08:00` }, hours: '2.00' },
    { member: { id: 13, name: '赵六' }, state: 'signed_up', attendance: null, hours: null },
  ] } });
  await shot('staff-roster', 'packages/staff/roster/roster', { id: '7' }, async (page) => { page.instance.onUnload(); page.instance.setData({ offline: true }); });
});
test('staff notice, activity form, console login, unit', async () => {
  member(STAFF_ME);
  fakeWx.route('GET', '/api/v1/communities/1/buildings', { status: 200, data: [{ id: 38, name: '18号楼' }] });
  await shot('staff-notice', 'packages/staff/notice/notice', { communityId: '1' });
});
test('activity form', async () => {
  member(STAFF_ME);
  fakeWx.route('GET', '/api/v1/communities/1/buildings', { status: 200, data: [{ id: 38, name: '18号楼' }] });
  await shot('staff-activity-form', 'packages/staff/activity-form/activity-form', { communityId: '1' });
});
test('console login', async () => {
  member(STAFF_ME);
  fakeWx.wx.scanCode.mockImplementation((o) => setTimeout(() => o.success({ result: 'party-console-login:tk-1' })));
  fakeWx.route('GET', '/api/v1/console/login-tickets/tk-1/request', { status: 200, data: { browser: 'Chrome 120 / Windows 10', address: '10.0.0.8', created_at: `${TODAY}T09:00:00+08:00`, expires_at: `${TODAY}T09:05:00+08:00` } });
  await shot('staff-console-login', 'packages/staff/console-login/console-login');
});
test('unit secretary', async () => {
  member({ status: 200, data: { user: { id: 2, roles: [{ role: 'unit_secretary', unit_id: 9 }] }, member: null } });
  await shot('staff-unit', 'packages/staff/unit/unit', { unitId: '9' });
});
