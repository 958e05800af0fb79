const { renderPage, textOf, tap } = require('../../helpers');

const BASE = { id: 7, title: '文明交通劝导', category_label: '文明劝导', organiser: '光明社区党委', leader_name: '王建国', address: '光明大道16号', content: '早高峰劝导', starts_at: '2026-11-25T07:30:00+08:00', ends_at: '2026-11-25T09:30:00+08:00', capacity: 2, confirmed_count: 2, waitlisted_count: 0 };
const TEMPLATES = [1, 2, 3, 4, 5, 6].map((i) => ({ purpose: ['signup_confirmed', 'signup_promoted', 'activity_reminder', 'activity_changed', 'activity_cancelled', 'notice'][i - 1], template_id: `tpl-${i}`, active: true }));

async function open(activity) {
  fakeWx.storage.token = 'tok';
  fakeWx.route('GET', '/api/v1/activities/7', { status: 200, data: activity });
  fakeWx.route('GET', '/api/v1/subscribe-templates', { status: 200, data: TEMPLATES });
  const page = renderPage('packages/member/activity/activity');
  page.instance.onLoad({ id: '7' });
  await fakeWx.settle();
  return page;
}

test('a member sees the details and places; signing up on a full activity asks to subscribe and shows the waitlist position', async () => {
  const page = await open({ ...BASE, status: 'published', status_label: '报名中', my_signup_status: null });
  const info = textOf(page.querySelector('#info'));
  ['文明交通劝导', '2026-11-25 07:30–09:30', '光明大道16号', '王建国', '名额 2 人，已报名 2 人'].forEach((w) => expect(info).toContain(w));
  expect(page.querySelector('#withdraw')).toBeUndefined();
  fakeWx.wx.requestSubscribeMessage.mockImplementation((o) => setTimeout(() => o.success({ 'tpl-1': 'accept', 'tpl-2': 'reject', 'tpl-3': 'accept', 'tpl-4': 'ban', 'tpl-5': 'accept', errMsg: 'requestSubscribeMessage:ok' })));
  fakeWx.route('POST', '/api/v1/subscriptions', { status: 200, data: [] });
  fakeWx.route('POST', '/api/v1/activities/7/signup', () => {
    fakeWx.route('GET', '/api/v1/activities/7', { status: 200, data: { ...BASE, status: 'published', my_signup_status: 'waitlisted', waitlisted_count: 1 } });
    return { status: 200, data: { id: 1, status: 'waitlisted', waitlist_position: 1 } };
  });
  tap(page, '#signup');
  await fakeWx.settle();
  await new Promise((r) => setTimeout(r, 5));
  await fakeWx.settle();
  const ask = fakeWx.wx.requestSubscribeMessage.mock.calls[0][0];
  expect(ask.tmplIds).toEqual(['tpl-1', 'tpl-2', 'tpl-3', 'tpl-4', 'tpl-5']);
  const report = fakeWx.requests.find((r) => r.path === '/api/v1/subscriptions');
  expect(report.data).toEqual({ results: { 'tpl-1': 'accept', 'tpl-2': 'reject', 'tpl-3': 'accept', 'tpl-4': 'ban', 'tpl-5': 'accept' } });
  expect(fakeWx.toasts()).toContain('名额已满，已进入候补第1位');
  expect(textOf(page.querySelector('#my-signup'))).toContain('候补中（候补第 1 位');
  expect(page.querySelector('#withdraw')).toBeDefined();
});

test('a signed-up member can withdraw after confirming, and go to clock in', async () => {
  const page = await open({ ...BASE, status: 'published', my_signup_status: 'confirmed' });
  expect(textOf(page.querySelector('#my-signup'))).toContain('已报名');
  fakeWx.route('POST', '/api/v1/activities/7/signup/withdraw', { status: 200, data: { id: 1, status: 'withdrawn' } });
  tap(page, '#withdraw');
  await fakeWx.settle();
  expect(fakeWx.wx.showModal).toHaveBeenCalled();
  expect(fakeWx.requests.map((r) => `${r.method} ${r.path}`)).toContain('POST /api/v1/activities/7/signup/withdraw');
  expect(fakeWx.toasts()).toContain('已取消报名');
  tap(page, '#clock-in');
  await fakeWx.settle();
  expect(fakeWx.wx.navigateTo).toHaveBeenCalledWith(expect.objectContaining({ url: '/packages/member/clock/clock?id=7&action=in' }));
});

test("the server's refusal to sign up is shown", async () => {
  const page = await open({ ...BASE, status: 'published', my_signup_status: null });
  fakeWx.route('POST', '/api/v1/activities/7/signup', { status: 409, data: { code: 'signup_closed', message: '报名已截止，如需参加请联系社区工作人员' } });
  tap(page, '#signup');
  await fakeWx.settle();
  expect(fakeWx.toasts()).toContain('报名已截止，如需参加请联系社区工作人员');
});

test('an activity can be forwarded to a WeChat group and opens on its own page', async () => {
  const { openPage } = require('../../helpers');
  fakeWx.storage.token = 'tok';
  fakeWx.route('GET', '/api/v1/activities/7', { status: 200, data: { id: 7, title: '楼道环境清理', status: 'published', starts_at: '2026-11-25T09:00:00+08:00', ends_at: '2026-11-25T11:00:00+08:00' } });
  const page = await openPage('packages/member/activity/activity', { id: '7' });
  expect(page.querySelector('#share')).toBeDefined();
  expect(page.instance.onShareAppMessage()).toEqual({ title: '楼道环境清理（2026-11-25 09:00–11:00）', path: '/packages/member/activity/activity?id=7' });
});
