// 活动记录、申诉、积分、先锋榜
const { openPage: open, textOf, tap } = require('../../helpers');

const ME = { status: 200, data: { user: { id: 3, roles: [] }, member: { id: 5, name: '张三', community: { id: 2, name: '光明社区' }, building: { id: 38, name: '18号楼' }, employer_unit: { id: 9, name: '市财政局' } }, registration: null } };

beforeEach(() => {
  fakeWx.storage.token = 'tok';
  fakeWx.route('GET', '/api/v1/me', ME);
});

test('activity log shows state and hours, appeals and their outcome; tapping 申诉 opens the form', async () => {
  fakeWx.route('GET', '/api/v1/me/activity-log', { status: 200, data: [
    { activity: { id: 7, title: '楼道环境清理', starts_at: '2026-11-20T09:00:00+08:00', ends_at: '2026-11-20T11:00:00+08:00' }, state: 'clocked_out', hours: '2.00' },
    { activity: { id: 8, title: '夜间巡逻', starts_at: '2026-11-21T19:00:00+08:00', ends_at: '2026-11-21T21:00:00+08:00' }, state: 'absent', hours: null, pending_record: { hours: '2.00' } },
  ] });
  fakeWx.route('GET', '/api/v1/me/appeals', { status: 200, data: [{ id: 1, activity_title: '夜间巡逻', status: 'dismissed', resolution: '现场无签到记录' }] });
  const page = await open('packages/member/log/log');
  const first = textOf(page.querySelector('#entry-7'));
  expect(first).toContain('已签退');
  expect(first).toContain('2 小时');
  const second = textOf(page.querySelector('#entry-8'));
  expect(second).toContain('缺席');
  expect(second).toContain('有一条 2 小时的记录待审核');
  expect(textOf(page.querySelector('#appeals'))).toContain('未采纳');
  expect(textOf(page.querySelector('#appeals'))).toContain('现场无签到记录');
  tap(page, '#appeal-8');
  await fakeWx.settle();
  expect(fakeWx.wx.navigateTo.mock.calls[0][0].url).toBe(`/packages/member/appeal/appeal?id=8&title=${encodeURIComponent('夜间巡逻')}`);
});

test('the appeal form needs a reason and posts it', async () => {
  const page = await open('packages/member/appeal/appeal', { id: '8', title: encodeURIComponent('夜间巡逻') });
  expect(textOf(page.querySelector('#form'))).toContain('对「夜间巡逻」的记录有异议');
  tap(page, '#submit');
  await fakeWx.settle();
  expect(fakeWx.toasts()).toEqual(['请写明申诉理由']);
  fakeWx.route('POST', '/api/v1/activities/8/appeals', { status: 201, data: { id: 2, status: 'open' } });
  page.querySelector('#reason').dispatchEvent('input', { detail: { value: '到场了但手机没电' } });
  tap(page, '#submit');
  await fakeWx.settle();
  expect(fakeWx.requests.find((r) => r.method === 'POST').data).toEqual({ reason: '到场了但手机没电' });
  expect(textOf(page.querySelector('#done'))).toContain('申诉已提交');
});

test('points: stars, each period and the ledger', async () => {
  fakeWx.route('GET', '/api/v1/points/me', { status: 200, data: { year: 2026, stars: 3, all_time_points: 120, periods: [{ kind: 'month', period: '2026-11', points: 25, hours: '2.50' }, { kind: 'all_time', period: 'all', points: 120, hours: '12.00' }] } });
  fakeWx.route('GET', '/api/v1/points/me/entries', { status: 200, data: [{ id: 1, amount: 15, hours: '1.5', reason: '志愿服务时长', earned_on: '2026-11-09' }, { id: 2, amount: -5, reason: '冲正', earned_on: '2026-11-10' }] });
  const page = await open('packages/member/points/points');
  expect(textOf(page.querySelector('#stars'))).toContain('★★★');
  const periods = textOf(page.querySelector('#periods'));
  expect(periods).toMatch(/本月 ?25 分 · 2.5 小时/);
  expect(periods).toMatch(/累计 ?120 分 · 12 小时/);
  const entries = textOf(page.querySelector('#entries'));
  expect(entries).toContain('+15');
  expect(entries).toContain('-5');
  tap(page, '#go-board');
  await fakeWx.settle();
  expect(fakeWx.wx.navigateTo).toHaveBeenCalledWith(expect.objectContaining({ url: '/packages/member/leaderboard/leaderboard' }));
});

test('leaderboards: community, building and unit with my rank', async () => {
  fakeWx.route('GET', '/api/v1/points/leaderboards', (req) => ({ status: 200, data: {
    scope: req.query.scope, scope_id: Number(req.query.scope_id), scope_name: { community: '光明社区', building: '18号楼', unit: '市财政局' }[req.query.scope], period: req.query.period,
    entries: [{ rank: 1, name: '孙*', points: 70, hours: '7.00', stars: 3, is_me: false }, { rank: 1, name: '陈*燕', points: 70, hours: '7.00', is_me: false }, { rank: 3, name: '张*', points: 25, hours: '2.50', is_me: true }],
    me: { rank: 3, points: 25, hours: '2.50', hidden_from_public: false },
  } }));
  const page = await open('packages/member/leaderboard/leaderboard');
  expect(fakeWx.requests.find((r) => r.path === '/api/v1/points/leaderboards').query).toMatchObject({ scope: 'community', scope_id: '2' });
  expect(textOf(page.querySelector('#my-rank'))).toContain('我在光明社区：第 3 名');
  expect(textOf(page.querySelector('#entries'))).toContain('孙*');
  tap(page, '#scope-building');
  await fakeWx.settle();
  tap(page, '#scope-unit');
  await fakeWx.settle();
  const boards = fakeWx.requests.filter((r) => r.path === '/api/v1/points/leaderboards').map((r) => `${r.query.scope}:${r.query.scope_id}`);
  expect(boards).toEqual(['community:2', 'building:38', 'unit:9']);
  expect(textOf(page.querySelector('#my-rank'))).toContain('我在市财政局');
  tap(page, '#period-2');
  await fakeWx.settle();
  expect(fakeWx.requests[fakeWx.requests.length - 1].query.period).toBe('all');
});

test('points: the ledger names rules in Chinese (no raw keys, no 冲正) and the rules can be opened', async () => {
  fakeWx.route('GET', '/api/v1/points/me', { status: 200, data: { year: 2026, stars: 0, periods: [] } });
  fakeWx.route('GET', '/api/v1/points/me/entries', { status: 200, data: [
    { id: 1, amount: 15, hours: '1.5', rule_key: 'hours:environment', revision: 1, reason: null, earned_on: '2026-11-09' },
    { id: 2, amount: -5, rule_key: 'manual:*', revision: 2, reason: '冲正：重复加分', earned_on: '2026-11-10' },
  ] });
  fakeWx.route('GET', '/api/v1/points/rules', { status: 200, data: [{ id: 3, kind: 'hours', category: '*', points: 10, daily_cap: 40, monthly_cap: null, effective_from: '2026-01-01' }] });
  const page = await open('packages/member/points/points');
  const entries = textOf(page.querySelector('#entries'));
  expect(entries).toContain('志愿服务时长（环境整治）');
  expect(entries).toContain('更正：社区加减分：更正：重复加分');
  expect(entries).not.toMatch(/hours:|manual:|冲正/);
  tap(page, '#toggle-rules');
  await fakeWx.settle();
  expect(fakeWx.requests.find((r) => r.path === '/api/v1/points/rules').query.community_id).toBe('2');
  expect(textOf(page.querySelector('#rule-3'))).toContain('志愿服务时长：每小时 10 分');
  expect(textOf(page.querySelector('#rule-3'))).toContain('每天最多 40 分');
});

test('points: a failed load says so with a retry, not an empty ledger', async () => {
  fakeWx.route('GET', '/api/v1/points/me', { status: 500, data: { code: 'internal', message: '服务暂时不可用，请稍后再试' } });
  const page = await open('packages/member/points/points');
  expect(textOf(page)).toContain('没有加载成功');
  expect(textOf(page)).not.toContain('暂无积分记录');
  fakeWx.route('GET', '/api/v1/points/me', { status: 200, data: { year: 2026, stars: 1, periods: [] } });
  fakeWx.route('GET', '/api/v1/points/me/entries', { status: 200, data: [] });
  tap(page, '#load-state >>> #retry');
  await fakeWx.settle();
  expect(textOf(page.querySelector('#stars'))).toContain('★');
});

test('activity log: a failed load says so and retries; it is not shown as an empty record', async () => {
  fakeWx.route('GET', '/api/v1/me/activity-log', { fail: 'request:fail timeout' });
  fakeWx.route('GET', '/api/v1/me/appeals', { status: 200, data: [] });
  const page = await open('packages/member/log/log');
  expect(textOf(page)).toContain('网络不可用');
  expect(page.querySelector('#empty')).toBeUndefined();
  fakeWx.route('GET', '/api/v1/me/activity-log', { status: 200, data: [] });
  tap(page, '#load-state >>> #retry');
  await fakeWx.settle();
  expect(textOf(page.querySelector('#empty'))).toContain('还没有活动记录');
});
