const { renderPage, textOf, tap } = require('../helpers');

const NOTICES = [
  { id: 1, title: '集合地点调整', body: '改到小区东门', read: false, published_at: '2026-11-23T08:00:00+08:00', activity_id: 7 },
  { id: 2, title: '本月党员活动日', body: '15日上午', read: true, published_at: '2026-11-10T08:00:00+08:00' },
];

beforeEach(() => {
  fakeWx.storage.token = 'tok';
  fakeWx.route('GET', '/api/v1/notices/mine', { status: 200, data: NOTICES });
  fakeWx.route('GET', '/api/v1/notices/mine/unread-count', { status: 200, data: { unread: 1 } });
  fakeWx.route('GET', '/api/v1/subscribe-templates', { status: 200, data: [1, 2, 3, 4, 5, 6, 7].map((i) => ({ purpose: `p${i}`, template_id: `t${i}`, active: i !== 2 })) });
});

test('notices show unread state and count; tapping opens the notice', async () => {
  const page = renderPage('pages/notices/list');
  page.instance.onLoad({});
  await fakeWx.settle();
  expect(textOf(page.querySelector('#unread-count'))).toBe('未读 1 条');
  expect(page.querySelector('#notice-1').dom.className).toContain('unread');
  expect(page.querySelector('#notice-2').dom.className).toContain('read');
  tap(page, '#toggle-unread');
  await fakeWx.settle();
  expect(fakeWx.requests.filter((r) => r.path === '/api/v1/notices/mine').pop().query.unread).toBe('true');
  tap(page, '#notice-1');
  await fakeWx.settle();
  expect(fakeWx.wx.navigateTo).toHaveBeenCalledWith(expect.objectContaining({ url: '/pages/notices/detail?id=1' }));
});

test('the subscribe button asks for at most 5 active templates in the tap and reports each result', async () => {
  const page = renderPage('pages/notices/list');
  page.instance.onLoad({});
  await fakeWx.settle();
  fakeWx.wx.requestSubscribeMessage.mockImplementation((o) => setTimeout(() => o.success({ t1: 'accept', t3: 'reject', t4: 'accept', t5: 'filter', t6: 'accept', errMsg: 'requestSubscribeMessage:ok' })));
  fakeWx.route('POST', '/api/v1/subscriptions', { status: 200, data: [] });
  page.instance.onSubscribe();
  // 订阅框在点击的同一轮里弹出（没有先等网络）。
  expect(fakeWx.wx.requestSubscribeMessage).toHaveBeenCalledTimes(1);
  await fakeWx.settle();
  expect(fakeWx.wx.requestSubscribeMessage.mock.calls[0][0].tmplIds).toEqual(['t1', 't3', 't4', 't5', 't6']);
  expect(fakeWx.requests.find((r) => r.path === '/api/v1/subscriptions').data).toEqual({ results: { t1: 'accept', t3: 'reject', t4: 'accept', t5: 'filter', t6: 'accept' } });
  expect(fakeWx.toasts()).toContain('已订阅 3 类提醒');
});

test('opening a notice shows it (the server marks it read) and links to its activity', async () => {
  fakeWx.route('GET', '/api/v1/notices/mine/1', { status: 200, data: { ...NOTICES[0], read: true } });
  const page = renderPage('pages/notices/detail');
  page.instance.onLoad({ id: '1' });
  await fakeWx.settle();
  expect(textOf(page.querySelector('#notice'))).toContain('集合地点调整');
  expect(textOf(page.querySelector('#body'))).toBe('改到小区东门');
  tap(page, '#open-activity');
  await fakeWx.settle();
  expect(fakeWx.wx.navigateTo).toHaveBeenCalledWith(expect.objectContaining({ url: '/packages/member/activity/activity?id=7' }));
});
