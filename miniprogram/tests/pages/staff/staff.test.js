// 工作人员现场模式：今天的活动、轮换签到码、花名册与补录、报到审核、活动通知
const { openPage: open, renderPage, textOf, tap } = require('../../helpers');
const format = require('../../../utils/format');

const STAFF = { status: 200, data: { user: { id: 1, display_name: '社工', roles: [{ role: 'community_staff', community_id: 1 }] }, member: null, registration: null } };

beforeEach(() => {
  fakeWx.storage.token = 'tok';
  fakeWx.route('GET', '/api/v1/me', STAFF);
});

// 审核箱六类的列表接口：默认都没有待办。
function serveInbox(overrides = {}) {
  const empty = { status: 200, data: [], header: { 'X-Pagination': '{"total": 0, "total_pages": 0}' } };
  const lists = {
    '/api/v1/registrations': empty,
    '/api/v1/communities/1/hours-records': empty,
    '/api/v1/communities/1/appeals': empty,
    '/api/v1/points/manual-awards': empty,
    '/api/v1/communities/1/pledge-notes': empty,
    '/api/v1/communities/1/unconfirmed-attendances': empty,
    ...overrides,
  };
  Object.entries(lists).forEach(([path, answer]) => fakeWx.route('GET', path, answer));
}

function page1(items) {
  return { status: 200, data: items, header: { 'X-Pagination': JSON.stringify({ total: items.length, total_pages: 1 }) } };
}

test("today's activities (today and ongoing, whatever was created later), the inbox count and the shortcuts", async () => {
  const now = new Date();
  const today = format.formatDate(now);
  fakeWx.route('GET', '/api/v1/communities/1/activities', (req) => {
    if (req.query.status === 'in_progress') return page1([{ id: 6, title: '昨天开始的巡逻', status: 'in_progress', status_label: '进行中', starts_at: '2026-01-01T09:00:00+08:00', ends_at: '2099-01-01T09:00:00+08:00', confirmed_count: 2 }]);
    if (req.query.status === 'draft') return page1([{ id: 9, title: '今天的草稿', status: 'draft', status_label: '草稿', starts_at: `${today}T15:00:00+08:00`, ends_at: `${today}T16:00:00+08:00` }]);
    // 已发布的按开始时间倒序：第一页全是以后的活动，今天的在第二页
    if (req.query.page === '1') return { status: 200, data: Array.from({ length: 50 }, (_, i) => ({ id: 100 + i, title: `以后的活动${i}`, status: 'published', starts_at: '2099-01-01T09:00:00+08:00', ends_at: '2099-01-01T11:00:00+08:00' })), header: { 'X-Pagination': '{"total": 51, "total_pages": 2}' } };
    return { status: 200, data: [{ id: 7, title: '楼道环境清理', status: 'published', status_label: '报名中', starts_at: `${today}T09:00:00+08:00`, ends_at: `${today}T11:00:00+08:00`, confirmed_count: 6 }], header: { 'X-Pagination': '{"total": 51, "total_pages": 2}' } };
  });
  serveInbox({ '/api/v1/registrations': page1([{ id: 1 }, { id: 2 }]), '/api/v1/communities/1/appeals': page1([{ id: 3 }]) });
  const page = await open('packages/staff/index/index');
  expect(textOf(page)).toContain('社区工作者');
  expect(textOf(page.querySelector('#activity-7'))).toContain('已报名 6 人');
  expect(page.querySelector('#activity-6')).toBeDefined();
  expect(page.querySelector('#activity-100')).toBeUndefined();
  expect(page.querySelector('#publish-9')).toBeDefined();
  expect(page.querySelector('#code-9')).toBeUndefined();
  expect(textOf(page.querySelector('#pending'))).toBe('3');
  expect(fakeWx.requests.find((r) => r.path === '/api/v1/registrations').query.status).toBe('submitted');
  ['#code-7', '#roster-7', '#notice-7', '#go-approvals', '#go-board', '#go-create', '#go-console-login', '#go-community-notice'].forEach((id) => tap(page, id));
  await fakeWx.settle();
  expect(fakeWx.wx.navigateTo.mock.calls.map((c) => c[0].url)).toEqual([
    '/packages/staff/onsite-code/onsite-code?id=7',
    '/packages/staff/roster/roster?id=7',
    '/packages/staff/notice/notice?id=7&communityId=1',
    '/packages/staff/approvals/approvals',
    '/packages/member/leaderboard/leaderboard?scope=community&scopeId=1',
    '/packages/staff/activity-form/activity-form?communityId=1',
    '/packages/staff/console-login/console-login',
    '/packages/staff/notice/notice?communityId=1',
  ]);
});

test('a draft is published; cancelling needs a reason that is sent', async () => {
  const today = format.formatDate(new Date());
  fakeWx.route('GET', '/api/v1/communities/1/activities', (req) => (req.query.status === 'draft'
    ? page1([{ id: 9, title: '今天的草稿', status: 'draft', status_label: '草稿', starts_at: `${today}T15:00:00+08:00`, ends_at: `${today}T16:00:00+08:00` }])
    : page1([])));
  serveInbox();
  const page = await open('packages/staff/index/index');
  fakeWx.route('POST', '/api/v1/activities/9/publish', { status: 200, data: { id: 9, status: 'published' } });
  tap(page, '#publish-9');
  await fakeWx.settle();
  expect(fakeWx.requests.map((r) => `${r.method} ${r.path}`)).toContain('POST /api/v1/activities/9/publish');
  fakeWx.wx.showModal.mockImplementation((o) => setTimeout(() => o.success({ confirm: true, content: '' })));
  tap(page, '#cancel-9');
  await fakeWx.settle();
  expect(fakeWx.toasts()).toContain('请写明取消原因');
  fakeWx.wx.showModal.mockImplementation((o) => setTimeout(() => o.success({ confirm: true, content: '暴雨' })));
  fakeWx.route('POST', '/api/v1/activities/9/cancel', { status: 200, data: { id: 9, status: 'cancelled' } });
  tap(page, '#cancel-9');
  await fakeWx.settle();
  expect(fakeWx.requests.find((r) => r.path === '/api/v1/activities/9/cancel').data).toEqual({ reason: '暴雨' });
});

test('a member without a staff role is told on-site mode is for staff', async () => {
  fakeWx.route('GET', '/api/v1/me', { status: 200, data: { user: { id: 3, roles: [] }, member: { id: 5 } } });
  const page = await open('packages/staff/index/index');
  expect(textOf(page.querySelector('#forbidden'))).toContain('仅供社区工作人员、网格员和单位党组织书记使用');
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

test('the inbox: reports approved, or rejected with a reason; appeals need a reason either way', async () => {
  serveInbox({
    '/api/v1/registrations': page1([{ id: 4, status: 'submitted', room: '301', community: { name: '幸福里社区' }, building: { name: '3号楼' }, submitted_at: '2026-11-23T09:00:00+08:00', member: { name: '张三', member_type: 'in_service', phone_masked: '138****8000', employer_unit: { name: '市财政局' } } }]),
    '/api/v1/communities/1/appeals': page1([{ id: 8, member_name: '李四', activity_title: '楼道环境清理', reason: '签到了但没有记录', created_at: '2026-11-24T09:00:00+08:00' }]),
  });
  const page = await open('packages/staff/approvals/approvals');
  expect(textOf(page.querySelector('#tabs'))).toMatch(/报到 ?1/);
  expect(textOf(page.querySelector('#tabs'))).toMatch(/申诉 ?1/);
  const card = textOf(page.querySelector('#item-registrations-4'));
  ['张三', '在职党员', '幸福里社区 3号楼 301', '市财政局', '138****8000'].forEach((w) => expect(card).toContain(w));
  fakeWx.route('POST', '/api/v1/registrations/4/approve', { status: 200, data: { id: 4, status: 'approved' } });
  tap(page, '#approve-4');
  await fakeWx.settle();
  expect(fakeWx.requests.map((r) => `${r.method} ${r.path}`)).toContain('POST /api/v1/registrations/4/approve');
  tap(page, '#reject-4');
  await fakeWx.settle();
  tap(page, '#confirm-decision');
  await fakeWx.settle();
  expect(fakeWx.toasts()).toContain('请填写理由');
  page.querySelector('#reason').dispatchEvent('input', { detail: { value: '不在本社区居住' } });
  fakeWx.route('POST', '/api/v1/registrations/4/reject', { status: 200, data: { id: 4, status: 'rejected' } });
  tap(page, '#confirm-decision');
  await fakeWx.settle();
  expect(fakeWx.requests.find((r) => r.path === '/api/v1/registrations/4/reject').data).toEqual({ reason: '不在本社区居住' });
  tap(page, '#tab-appeals');
  await fakeWx.settle();
  expect(textOf(page.querySelector('#item-appeals-8'))).toContain('签到了但没有记录');
  tap(page, '#approve-8');
  await fakeWx.settle();
  page.querySelector('#reason').dispatchEvent('input', { detail: { value: '核实到场，补记时长' } });
  fakeWx.route('POST', '/api/v1/appeals/8/resolve', { status: 200, data: { id: 8, status: 'upheld' } });
  tap(page, '#confirm-decision');
  await fakeWx.settle();
  expect(fakeWx.requests.find((r) => r.path === '/api/v1/appeals/8/resolve').data).toEqual({ outcome: 'upheld', reason: '核实到场，补记时长' });
});

test('a kind the staff member may not handle is left out of the inbox', async () => {
  serveInbox({ '/api/v1/points/manual-awards': { status: 403, data: { code: 'forbidden', message: '无权操作' } } });
  const page = await open('packages/staff/approvals/approvals');
  expect(page.querySelector('#tab-awards')).toBeUndefined();
  expect(page.querySelector('#tab-registrations')).toBeDefined();
  expect(textOf(page.querySelector('#empty'))).toContain('这一类没有待办');
});

test("a notice to the activity's members is confirmed before sending and reports its reach", async () => {
  const page = await open('packages/staff/notice/notice', { id: '7', communityId: '1' });
  page.querySelector('#title').dispatchEvent('input', { detail: { value: '集合地点调整' } });
  page.querySelector('#body').dispatchEvent('input', { detail: { value: '改到小区东门' } });
  fakeWx.route('POST', '/api/v1/communities/1/notices', { status: 201, data: { id: 9, stats: { audience_size: 6, subscribe_sent: 4 } } });
  tap(page, '#send');
  await fakeWx.settle();
  expect(fakeWx.wx.showModal.mock.calls[0][0].content).toContain('发给：本活动报名的党员');
  expect(fakeWx.requests.find((r) => r.method === 'POST').data).toEqual({ title: '集合地点调整', body: '改到小区东门', activity_id: 7, audience: { type: 'activity', activity_id: 7 } });
  expect(textOf(page.querySelector('#sent'))).toContain('送达 6 人，其中订阅消息 4 条');
});

test('a notice to one building of the community; declining the confirmation sends nothing', async () => {
  fakeWx.route('GET', '/api/v1/communities/1/buildings', { status: 200, data: [{ id: 38, name: '18号楼' }] });
  const page = await open('packages/staff/notice/notice', { communityId: '1' });
  const types = page.instance.data.audiences.map((a) => a.type);
  expect(types).toEqual(['community', 'grids', 'buildings', 'units', 'member_types']);
  page.querySelector('#audience').dispatchEvent('change', { detail: { value: 2 } });
  await fakeWx.settle();
  page.querySelector('#title').dispatchEvent('input', { detail: { value: '停水通知' } });
  page.querySelector('#body').dispatchEvent('input', { detail: { value: '明天上午停水' } });
  fakeWx.wx.showModal.mockImplementationOnce((o) => setTimeout(() => o.success({ confirm: false, cancel: true })));
  tap(page, '#send');
  await fakeWx.settle();
  expect(fakeWx.requests.filter((r) => r.method === 'POST')).toHaveLength(0);
  fakeWx.route('POST', '/api/v1/communities/1/notices', { status: 201, data: { id: 10, stats: { audience_size: 12, subscribe_sent: 3 } } });
  tap(page, '#send');
  await fakeWx.settle();
  expect(fakeWx.wx.showModal.mock.calls[1][0].content).toContain('发给：18号楼的党员');
  expect(fakeWx.requests.find((r) => r.method === 'POST').data.audience).toEqual({ type: 'buildings', building_ids: [38] });
});

test('creating an activity: the short form is sent with Beijing times and published after a confirmation', async () => {
  fakeWx.route('GET', '/api/v1/communities/1/buildings', { status: 200, data: [{ id: 38, name: '18号楼' }] });
  const page = await open('packages/staff/activity-form/activity-form', { communityId: '1' });
  tap(page, '#publish');
  await fakeWx.settle();
  expect(fakeWx.toasts()).toContain('请填写活动标题');
  page.querySelector('#title').dispatchEvent('input', { detail: { value: '楼道环境清理' } });
  page.querySelector('#date').dispatchEvent('change', { detail: { value: '2026-12-05' } });
  page.querySelector('#building').dispatchEvent('change', { detail: { value: 1 } });
  page.querySelector('#capacity').dispatchEvent('input', { detail: { value: '20' } });
  fakeWx.route('POST', '/api/v1/communities/1/activities', { status: 201, data: { id: 11, status: 'published' } });
  tap(page, '#publish');
  await fakeWx.settle();
  expect(fakeWx.wx.showModal.mock.calls[0][0].content).toContain('楼道环境清理');
  expect(fakeWx.requests.find((r) => r.method === 'POST').data).toEqual({
    title: '楼道环境清理', category: 'environment', starts_at: '2026-12-05T09:00:00+08:00', ends_at: '2026-12-05T11:00:00+08:00',
    address: '18号楼', capacity: 20, publish: true,
  });
  expect(fakeWx.wx.navigateBack).toHaveBeenCalled();
});

test('console login: scan the QR, see which browser asks, confirm; each refusal is explained', async () => {
  fakeWx.wx.scanCode.mockImplementation((o) => setTimeout(() => o.success({ result: 'party-console-login:tk-123' })));
  fakeWx.route('GET', '/api/v1/console/login-tickets/tk-123/request', { status: 200, data: { browser: 'Chrome 120 / Windows', address: '10.0.0.8', created_at: '2026-12-02T09:00:00+08:00', expires_at: '2026-12-02T09:05:00+08:00' } });
  fakeWx.route('POST', '/api/v1/console/login-tickets/tk-123/confirm', { status: 200, data: { confirmed: true } });
  const page = await open('packages/staff/console-login/console-login');
  const req = textOf(page.querySelector('#request'));
  expect(req).toContain('Chrome 120 / Windows');
  expect(req).toContain('10.0.0.8');
  expect(req).toContain('09:05 前有效');
  tap(page, '#confirm');
  await fakeWx.settle();
  const post = fakeWx.requests.find((r) => r.method === 'POST');
  expect(post.path).toBe('/api/v1/console/login-tickets/tk-123/confirm');
  expect(post.header.Authorization).toBe('Bearer tok');
  expect(textOf(page.querySelector('#done'))).toContain('已确认');
  const refusals = { ticket_expired: '已过期', ticket_used: '已经用过了', ticket_not_found: '没有找到这个登录请求', not_staff: '没有管理后台的权限' };
  for (const [code, words] of Object.entries(refusals)) {
    fakeWx.route('GET', '/api/v1/console/login-tickets/tk-123/request', { status: code === 'not_staff' ? 403 : 409, data: { code, message: 'x' } });
    await page.instance.scan();
    await fakeWx.settle();
    expect(textOf(page.querySelector('#error'))).toContain(words);
  }
  fakeWx.wx.scanCode.mockImplementation((o) => setTimeout(() => o.success({ result: 'https://example.cn/' })));
  await page.instance.scan();
  expect(textOf(page.querySelector('#error'))).toContain('不是管理后台的登录二维码');
});

test("a unit secretary opens their unit's feedback sheet in WeChat, ready to forward", async () => {
  fakeWx.route('GET', '/api/v1/me', { status: 200, data: { user: { id: 2, roles: [{ role: 'unit_secretary', unit_id: 9 }] }, member: null } });
  const index = await open('packages/staff/index/index');
  expect(index.querySelector('#go-approvals')).toBeUndefined();
  tap(index, '#go-unit');
  await fakeWx.settle();
  expect(fakeWx.wx.navigateTo.mock.calls[0][0].url).toBe('/packages/staff/unit/unit?unitId=9');
  const year = new Date().getFullYear();
  const page = await open('packages/staff/unit/unit', { unitId: '9' });
  tap(page, `#sheet-${year}-H1`);
  await fakeWx.settle();
  const dl = fakeWx.wx.downloadFile.mock.calls[0][0];
  expect(dl.url).toMatch(new RegExp(`/api/v1/points/units/9/feedback\\.xlsx\\?period=${year}-H1$`));
  expect(dl.header.Authorization).toBe('Bearer tok');
  expect(fakeWx.wx.openDocument).toHaveBeenCalledWith(expect.objectContaining({ filePath: 'wxfile://download.xlsx', fileType: 'xlsx', showMenu: true }));
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
