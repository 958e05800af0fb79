const { renderPage, textOf, tap } = require('../helpers');

function me(registration, member = { id: 5, name: '张三' }) {
  return { status: 200, data: { user: { id: 3, roles: [] }, member, registration, privacy_notice_version: '2026-11' } };
}

beforeEach(() => {
  fakeWx.storage.token = 'tok';
  fakeWx.storage.privacy_agreed_version = '2026-11';
});

test('member sees a greeting with their name, their pending registration and placeholders', async () => {
  fakeWx.route('GET', '/api/v1/me', me({ id: 1, status: 'submitted', community: { id: 1, name: '幸福里社区' }, building: { id: 2, name: '3号楼' }, room: '301' }));
  const page = renderPage('pages/home/home');
  page.instance.onLoad({});
  await fakeWx.settle();
  const text = textOf(page);
  expect(text).toMatch(/(早上好|中午好|下午好|晚上好|夜深了)，张三/);
  expect(textOf(page.querySelector('#registration'))).toContain('待审核');
  expect(text).toContain('幸福里社区 3号楼 301');
  expect(text).toContain('服务时长（小时）');
  expect(text).toContain('积分');
  expect(text).toContain('星级');
  expect(text).toContain('近期活动');
  expect(text).toContain('通知公告');
  expect(page.querySelector('#go-report')).toBeUndefined();
  expect(fakeWx.requests.map((r) => `${r.method} ${r.path}`)[0]).toBe('GET /api/v1/me');
});

test('a reported member sees this year\'s hours, points and stars, signed-up activities and unread notices', async () => {
  fakeWx.route('GET', '/api/v1/me', me({ id: 1, status: 'approved', community: { id: 1, name: '幸福里社区' } }));
  fakeWx.route('GET', '/api/v1/points/me', { status: 200, data: { stars: 2, year: 2026, all_time_points: 80, periods: [{ kind: 'year', period: '2026', points: 80, hours: '8.00' }] } });
  fakeWx.route('GET', '/api/v1/activities', { status: 200, data: [
    { id: 7, title: '楼道环境清理', starts_at: '2026-11-25T09:00:00+08:00', ends_at: '2026-11-25T11:00:00+08:00', my_signup_status: 'confirmed' },
    { id: 8, title: '不相干的活动', starts_at: '2026-11-26T09:00:00+08:00', ends_at: '2026-11-26T11:00:00+08:00', my_signup_status: null },
  ] });
  fakeWx.route('GET', '/api/v1/notices/mine/unread-count', { status: 200, data: { unread: 3 } });
  const page = renderPage('pages/home/home');
  page.instance.onLoad({});
  await fakeWx.settle();
  const stats = textOf(page.querySelector('#stats'));
  expect(stats).toContain('8');
  expect(stats).toContain('80');
  expect(stats).toContain('★★');
  const acts = textOf(page.querySelector('#activities'));
  expect(acts).toContain('楼道环境清理');
  expect(acts).toContain('2026-11-25 09:00–11:00');
  expect(acts).not.toContain('不相干的活动');
  expect(textOf(page.querySelector('#unread'))).toContain('3 条未读通知');
  expect(page.querySelector('#staff-entry')).toBeUndefined();
  tap(page, '#activity-7');
  tap(page, '#menu-scan');
  await fakeWx.settle();
  expect(fakeWx.wx.navigateTo.mock.calls.map((c) => c[0].url)).toEqual(['/packages/member/activity/activity?id=7', '/packages/member/clock/clock']);
});

test('staff see the on-site mode entry', async () => {
  fakeWx.route('GET', '/api/v1/me', { status: 200, data: { user: { id: 1, display_name: '社工', roles: [{ role: 'community_staff', community_id: 1 }] }, member: null, registration: null } });
  const page = renderPage('pages/home/home');
  page.instance.onLoad({});
  await fakeWx.settle();
  tap(page, '#staff-entry');
  await fakeWx.settle();
  expect(fakeWx.wx.navigateTo).toHaveBeenCalledWith(expect.objectContaining({ url: '/packages/staff/index/index' }));
});

test('a member who has not reported sees 未报到 and the button goes to the report tab', async () => {
  fakeWx.route('GET', '/api/v1/me', me(null, null));
  const page = renderPage('pages/home/home');
  page.instance.onLoad({});
  await fakeWx.settle();
  expect(textOf(page.querySelector('#registration'))).toContain('未报到');
  tap(page, '#go-report');
  await fakeWx.settle();
  expect(fakeWx.wx.switchTab).toHaveBeenCalledWith(expect.objectContaining({ url: '/pages/report/report' }));
});

test('a rejected registration shows the reason and offers to report again', async () => {
  fakeWx.route('GET', '/api/v1/me', me({ id: 1, status: 'rejected', reject_reason: '楼栋填写有误', community: { id: 1, name: '幸福里社区' } }));
  const page = renderPage('pages/home/home');
  page.instance.onLoad({});
  await fakeWx.settle();
  const card = textOf(page.querySelector('#registration'));
  expect(card).toContain('未通过');
  expect(card).toContain('楼栋填写有误');
  expect(card).toContain('重新报到');
});

test('without consent to the current privacy notice the member is sent to the login page', async () => {
  fakeWx.storage.privacy_agreed_version = '';
  const page = renderPage('pages/home/home');
  page.instance.onLoad({});
  await fakeWx.settle();
  expect(fakeWx.wx.reLaunch).toHaveBeenCalledWith(expect.objectContaining({ url: '/pages/login/login' }));
  expect(fakeWx.requests).toHaveLength(0);
});

test('a failed load is shown as an error with a retry, not as 未报到; a rejection without a reason has no empty 原因', async () => {
  fakeWx.route('GET', '/api/v1/me', { fail: 'request:fail timeout' });
  const page = renderPage('pages/home/home');
  page.instance.onLoad({});
  await fakeWx.settle();
  expect(textOf(page)).toContain('网络不可用');
  expect(page.querySelector('#registration')).toBeUndefined();
  fakeWx.route('GET', '/api/v1/me', me({ id: 1, status: 'rejected', reject_reason: '', community: { id: 1, name: '幸福里社区' } }));
  const { tap: press } = require('../helpers');
  press(page, '#load-state >>> #retry');
  await fakeWx.settle();
  const card = textOf(page.querySelector('#registration'));
  expect(card).not.toContain('未通过原因：');
  expect(card).toContain('社区没有写明原因');
});
