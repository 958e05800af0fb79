// 工作人员现场模式：今天的活动、轮换签到码、花名册与补录、报到审核、活动通知
const { openPage: open, renderPage, textOf, tap } = require('../../helpers');
const format = require('../../../utils/format');

const STAFF = { status: 200, data: { user: { id: 1, display_name: '社工', roles: [{ role: 'community_staff', community_id: 1 }] }, member: null, registration: null } };

beforeEach(() => {
  fakeWx.storage.token = 'tok';
  fakeWx.route('GET', '/api/v1/me', STAFF);
});

test("today's activities with code / roster / notice, pending reports and the community board", async () => {
  const now = new Date();
  const today = format.formatDate(now);
  fakeWx.route('GET', '/api/v1/communities/1/activities', { status: 200, data: [
    { id: 7, title: '楼道环境清理', status: 'in_progress', status_label: '进行中', starts_at: `${today}T09:00:00+08:00`, ends_at: `${today}T11:00:00+08:00`, confirmed_count: 6 },
    { id: 8, title: '下周的活动', status: 'published', status_label: '报名中', starts_at: '2099-01-01T09:00:00+08:00', ends_at: '2099-01-01T11:00:00+08:00' },
  ] });
  fakeWx.route('GET', '/api/v1/registrations', { status: 200, data: [{ id: 1 }, { id: 2 }], header: { 'X-Pagination': '{"total": 2, "total_pages": 1}' } });
  const page = await open('packages/staff/index/index');
  expect(textOf(page)).toContain('社区工作者');
  expect(textOf(page.querySelector('#activity-7'))).toContain('已报名 6 人');
  expect(page.querySelector('#activity-8')).toBeUndefined();
  expect(textOf(page.querySelector('#pending'))).toBe('2');
  expect(fakeWx.requests.find((r) => r.path === '/api/v1/registrations').query.status).toBe('submitted');
  ['#code-7', '#roster-7', '#notice-7', '#go-approvals', '#go-board'].forEach((id) => tap(page, id));
  await fakeWx.settle();
  expect(fakeWx.wx.navigateTo.mock.calls.map((c) => c[0].url)).toEqual([
    '/packages/staff/onsite-code/onsite-code?id=7',
    '/packages/staff/roster/roster?id=7',
    '/packages/staff/notice/notice?id=7&communityId=1',
    '/packages/staff/approvals/approvals',
    '/packages/member/leaderboard/leaderboard?scope=community&scopeId=1',
  ]);
});

test('a member without a staff role is told on-site mode is for staff', async () => {
  fakeWx.route('GET', '/api/v1/me', { status: 200, data: { user: { id: 3, roles: [] }, member: { id: 5 } } });
  const page = await open('packages/staff/index/index');
  expect(textOf(page.querySelector('#forbidden'))).toContain('仅供社区工作人员和网格员使用');
});

test('the on-site code names the activity, is a QR image of a link WeChat scan opens, refreshes, and restores brightness', async () => {
  jest.useFakeTimers({ doNotFake: ['nextTick'] });
  let n = 0;
  fakeWx.wx.getScreenBrightness = jest.fn((o) => o.success({ value: 0.4 }));
  fakeWx.route('GET', '/api/v1/activities/7', { status: 200, data: { id: 7, title: '楼道环境清理', starts_at: '2026-11-25T09:00:00+08:00', ends_at: '2026-11-25T11:00:00+08:00' } });
  fakeWx.route('GET', '/api/v1/activities/7/onsite-code', () => {
    n += 1;
    return { status: 200, data: { activity_id: 7, code: `7.k2x${n}.abcdefghijklmnop`, window_seconds: 30, expires_in: 30 } };
  });
  const page = renderPage('packages/staff/onsite-code/onsite-code');
  const loaded = page.instance.onLoad({ id: '7' });
  page.instance.onShow();
  jest.advanceTimersByTime(1);
  await loaded;
  jest.advanceTimersByTime(1);
  for (let i = 0; i < 5; i += 1) await Promise.resolve();
  expect(textOf(page.querySelector('#activity'))).toContain('楼道环境清理');
  expect(textOf(page.querySelector('#activity'))).toContain('2026-11-25 09:00–11:00');
  expect(page.instance.data.src).toMatch(/^data:image\/gif;base64,/);
  expect(page.querySelector('#qr')).toBeDefined();
  expect(textOf(page)).not.toContain('7.k2x1.abcdefghijklmnop');
  expect(fakeWx.wx.setKeepScreenOn).toHaveBeenCalledWith({ keepScreenOn: true });
  expect(fakeWx.wx.setScreenBrightness).toHaveBeenCalledWith({ value: 1 });
  expect(textOf(page.querySelector('#countdown'))).toBe('30 秒后自动更新');
  // 换码失败：过期的码不再显示
  fakeWx.route('GET', '/api/v1/activities/7/onsite-code', { fail: 'request:fail timeout' });
  jest.advanceTimersByTime(30000);
  jest.advanceTimersByTime(1);
  for (let i = 0; i < 8; i += 1) await Promise.resolve();
  jest.advanceTimersByTime(1);
  for (let i = 0; i < 8; i += 1) await Promise.resolve();
  expect(page.instance.data.src).toBe('');
  expect(page.querySelector('#qr')).toBeUndefined();
  expect(textOf(page.querySelector('#error'))).toContain('秒后自动重试');
  page.instance.onUnload();
  expect(fakeWx.wx.setScreenBrightness).toHaveBeenLastCalledWith({ value: 0.4 });
  jest.useRealTimers();
});

test('the QR holds a link with the code as scene, which the clock page reads back', () => {
  const config = require('../../../config');
  const clock = require('../../../services/clock');
  const link = `${config.clockLinkPrefix}?scene=${encodeURIComponent('7.k2x1.abcdefghijklmnop')}`;
  expect(clock.codeFromScan({ result: link })).toBe('7.k2x1.abcdefghijklmnop');
  expect(clock.codeFromLaunch({ q: encodeURIComponent(link) })).toBe('7.k2x1.abcdefghijklmnop');
});

test('the roster shows counts and states; manual add needs hours and a reason', async () => {
  fakeWx.route('GET', '/api/v1/activities/7/roster', { status: 200, data: { activity_id: 7, summary: { signed_up: 3, clocked_in: 1, clocked_out: 1, absent: 0, waitlisted: 0 }, entries: [
    { member: { id: 11, name: '李四' }, state: 'clocked_in', attendance: { clock_in_at: '2026-11-25T09:02:00+08:00' }, hours: null },
    { member: { id: 12, name: '王五' }, state: 'clocked_out', attendance: { clock_in_at: '2026-11-25T09:00:00+08:00', clock_out_at: '2026-11-25T11:00:00+08:00' }, hours: '2.00' },
    { member: { id: 13, name: '赵六' }, state: 'signed_up', attendance: null, hours: null },
  ] } });
  const page = await open('packages/staff/roster/roster', { id: '7' });
  const summary = textOf(page.querySelector('#summary'));
  expect(summary).toMatch(/3 ?已报名/);
  expect(textOf(page.querySelector('#member-11'))).toContain('签到 09:02');
  expect(textOf(page.querySelector('#member-12'))).toContain('2 小时');
  expect(page.querySelector('#add-11')).toBeUndefined();
  tap(page, '#add-13');
  await fakeWx.settle();
  expect(textOf(page.querySelector('#add-form'))).toContain('补录：赵六');
  page.querySelector('#hours').dispatchEvent('input', { detail: { value: '2' } });
  tap(page, '#submit-add');
  await fakeWx.settle();
  expect(fakeWx.toasts()).toContain('请写明补录理由');
  page.querySelector('#reason').dispatchEvent('input', { detail: { value: '手机没电未能扫码' } });
  fakeWx.route('POST', '/api/v1/activities/7/hours-records', { status: 201, data: { id: 1, status: 'pending' } });
  tap(page, '#submit-add');
  await fakeWx.settle();
  expect(fakeWx.requests.find((r) => r.method === 'POST').data).toEqual({ member_id: 13, hours: 2, reason: '手机没电未能扫码' });
  expect(fakeWx.toasts()).toContain('已补录，待书记审核后计入');
  page.instance.onUnload();
});

test('approving and rejecting reports (a rejection needs a reason)', async () => {
  fakeWx.route('GET', '/api/v1/registrations', { status: 200, data: [{ id: 4, status: 'submitted', room: '301', community: { name: '幸福里社区' }, building: { name: '3号楼' }, submitted_at: '2026-11-23T09:00:00+08:00', member: { name: '张三', member_type: 'in_service', phone_masked: '138****8000', employer_unit: { name: '市财政局' } } }] });
  const page = await open('packages/staff/approvals/approvals');
  const card = textOf(page.querySelector('#registration-4'));
  ['张三', '在职党员', '幸福里社区 3号楼 301', '市财政局', '138****8000'].forEach((w) => expect(card).toContain(w));
  fakeWx.route('POST', '/api/v1/registrations/4/approve', { status: 200, data: { id: 4, status: 'approved' } });
  tap(page, '#approve-4');
  await fakeWx.settle();
  expect(fakeWx.requests.map((r) => `${r.method} ${r.path}`)).toContain('POST /api/v1/registrations/4/approve');
  tap(page, '#reject-4');
  await fakeWx.settle();
  tap(page, '#confirm-reject');
  await fakeWx.settle();
  expect(fakeWx.toasts()).toContain('请填写退回理由');
  page.querySelector('#reason').dispatchEvent('input', { detail: { value: '不在本社区居住' } });
  fakeWx.route('POST', '/api/v1/registrations/4/reject', { status: 200, data: { id: 4, status: 'rejected' } });
  tap(page, '#confirm-reject');
  await fakeWx.settle();
  expect(fakeWx.requests.find((r) => r.path === '/api/v1/registrations/4/reject').data).toEqual({ reason: '不在本社区居住' });
});

test("a quick notice goes to the activity's members", async () => {
  const page = await open('packages/staff/notice/notice', { id: '7', communityId: '1' });
  page.querySelector('#title').dispatchEvent('input', { detail: { value: '集合地点调整' } });
  page.querySelector('#body').dispatchEvent('input', { detail: { value: '改到小区东门' } });
  fakeWx.route('POST', '/api/v1/communities/1/notices', { status: 201, data: { id: 9, stats: { audience_size: 6, subscribe_sent: 4 } } });
  tap(page, '#send');
  await fakeWx.settle();
  expect(fakeWx.requests.find((r) => r.method === 'POST').data).toEqual({ title: '集合地点调整', body: '改到小区东门', activity_id: 7, audience: { type: 'activity', activity_id: 7 } });
  expect(textOf(page.querySelector('#sent'))).toContain('送达 6 人，其中订阅消息 4 条');
});

test('the roster shows offline once (no toast every 15 seconds) and reloads when the network returns', async () => {
  jest.useFakeTimers({ doNotFake: ['nextTick'] });
  let online = true;
  fakeWx.route('GET', '/api/v1/activities/7/roster', () => (online
    ? { status: 200, data: { activity_id: 7, summary: { signed_up: 1 }, entries: [{ member: { id: 13, name: '赵六' }, state: 'signed_up', attendance: null, hours: null }] } }
    : { fail: 'request:fail timeout' }));
  const page = renderPage('packages/staff/roster/roster');
  const flush = async () => {
    for (let k = 0; k < 4; k += 1) {
      jest.advanceTimersByTime(1);
      for (let i = 0; i < 6; i += 1) await Promise.resolve();
    }
  };
  page.instance.onLoad({ id: '7' });
  page.instance.onShow();
  await flush();
  online = false;
  for (let i = 0; i < 3; i += 1) {
    jest.advanceTimersByTime(15000);
    await flush();
  }
  expect(textOf(page.querySelector('#offline'))).toContain('网络不可用');
  expect(fakeWx.wx.showToast).not.toHaveBeenCalled();
  expect(textOf(page)).toContain('赵六');
  online = true;
  fakeWx.network(true);
  await flush();
  expect(page.querySelector('#offline')).toBeUndefined();
  page.instance.onUnload();
  expect(fakeWx.wx.offNetworkStatusChange).toHaveBeenCalled();
  jest.useRealTimers();
});
