const { renderPage, textOf, tap } = require('../helpers');

const A = { id: 7, title: '楼道环境清理', category_label: '环境整治', address: '光明大道16号', starts_at: '2026-11-25T09:00:00+08:00', ends_at: '2026-11-25T11:00:00+08:00', status_label: '报名中', capacity: 10, confirmed_count: 4, my_signup_status: 'waitlisted' };

beforeEach(() => {
  fakeWx.storage.token = 'tok';
});

test('the list shows each activity with time, places and my sign-up, and filters by when and category', async () => {
  fakeWx.route('GET', '/api/v1/activities', { status: 200, data: [A], header: { 'X-Pagination': JSON.stringify({ total: 1, total_pages: 1, page: 1 }) } });
  const page = renderPage('pages/activities/list');
  await page.instance.onLoad({});
  const text = textOf(page.querySelector('#activity-7'));
  ['楼道环境清理', '环境整治', '2026-11-25 09:00–11:00', '光明大道16号', '4/10 人', '候补中', '报名中'].forEach((w) => expect(text).toContain(w));
  expect(fakeWx.requests[0].query).toMatchObject({ when: 'upcoming', page: '1' });
  tap(page, '#when-past');
  await fakeWx.settle();
  expect(fakeWx.requests[1].query.when).toBe('past');
  page.querySelector('#category').dispatchEvent('change', { detail: { value: 3 } });
  await fakeWx.settle();
  expect(fakeWx.requests[2].query).toMatchObject({ when: 'past', category: 'patrol' });
});

test('tapping an activity opens its detail; an empty list says so', async () => {
  fakeWx.route('GET', '/api/v1/activities', { status: 200, data: [A] });
  const page = renderPage('pages/activities/list');
  await page.instance.onLoad({});
  tap(page, '#activity-7');
  await fakeWx.settle();
  expect(fakeWx.wx.navigateTo).toHaveBeenCalledWith(expect.objectContaining({ url: '/packages/member/activity/activity?id=7' }));
  // 「扫码签到 / 签退」不预设签到：由签到页按本人状态决定签到还是签退。
  tap(page, '#scan');
  await fakeWx.settle();
  expect(fakeWx.wx.navigateTo.mock.calls[1][0].url).toBe('/packages/member/clock/clock');
  fakeWx.route('GET', '/api/v1/activities', { status: 200, data: [] });
  await page.instance.load();
  expect(textOf(page.querySelector('#empty'))).toBe('暂无活动');
  fakeWx.route('GET', '/api/v1/activities', { fail: 'request:fail timeout' });
  await page.instance.load();
  expect(textOf(page)).toContain('网络不可用');
  expect(page.querySelector('#empty')).toBeUndefined();
});
