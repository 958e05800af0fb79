const { openPage, textOf, tap } = require('../../helpers');
const clock = require('../../../services/clock');

function member(consent) {
  return { status: 200, data: { user: { id: 3, roles: [] }, member: { id: 5, name: '张三', location_consent: consent }, registration: null } };
}

async function open(query, consent = true) {
  fakeWx.storage.token = 'tok';
  fakeWx.route('GET', '/api/v1/me', member(consent));
  fakeWx.storage.privacy_agreed_version = '2026-11';
  return openPage('packages/member/clock/clock', query);
}

function logEntry(state, attendance = null) {
  return { status: 200, data: [{ activity: { id: 7, title: '楼道环境清理' }, state, attendance }] };
}

test('scan codes: a raw code, a scene= path and an encoded scene all give the code and its activity', () => {
  expect(clock.codeFromScan({ result: '7.k2x1.abcdefghijklmnop' })).toBe('7.k2x1.abcdefghijklmnop');
  expect(clock.codeFromScan({ result: '', path: 'pages/home/home?scene=7.k2x1.abcd' })).toBe('7.k2x1.abcd');
  expect(clock.codeFromScan({ result: 'scene=a.k2x1.abcd' })).toBe('a.k2x1.abcd');
  expect(clock.codeFromScan({ path: 'pages/x?scene=7%2Ek2x1%2Eabcd&y=1' })).toBe('7.k2x1.abcd');
  expect(clock.activityIdFromCode('a.k2x1.abcd')).toBe(10);
  expect(clock.activityIdFromCode('')).toBeNull();
});

test('scanning the on-site code clocks in and shows a clear success', async () => {
  const page = await open({ id: '7', action: 'in' });
  fakeWx.wx.scanCode.mockImplementation((o) => setTimeout(() => o.success({ result: 'scene=7.k2x1.abcdefghijklmnop' })));
  fakeWx.route('POST', '/api/v1/activities/7/clock-in', { status: 200, data: { id: 1, status: 'clocked_in', clock_in_at: '2026-11-25T07:31:00+08:00', clock_in_method: 'qr' } });
  tap(page, '#scan');
  await fakeWx.settle();
  const post = fakeWx.requests.find((r) => r.method === 'POST');
  expect(post.data).toEqual({ method: 'qr', code: '7.k2x1.abcdefghijklmnop' });
  expect(post.header['Idempotency-Key']).toBeTruthy();
  const result = textOf(page.querySelector('#result'));
  expect(result).toContain('签到成功');
  expect(result).toContain('2026-11-25 07:31 · 扫码签到');
  expect(result).toContain('活动结束时再扫一次现场签到码即可签退');
});

test('without an activity id the scanned code tells which activity it is for', async () => {
  const page = await open({ action: 'in' });
  fakeWx.wx.scanCode.mockImplementation((o) => setTimeout(() => o.success({ result: 'a.k2x1.abcdefghijklmnop' })));
  fakeWx.route('POST', '/api/v1/activities/10/clock-in', { status: 200, data: { id: 1, clock_in_at: '2026-11-25T07:31:00+08:00' } });
  tap(page, '#scan');
  await fakeWx.settle();
  expect(fakeWx.requests.find((r) => r.method === 'POST').path).toBe('/api/v1/activities/10/clock-in');
});

test('an expired code: the server message and advice to scan the latest code', async () => {
  const page = await open({ id: '7', action: 'in' });
  fakeWx.wx.scanCode.mockImplementation((o) => setTimeout(() => o.success({ result: '7.k2x0.abcdefghijklmnop' })));
  fakeWx.route('POST', '/api/v1/activities/7/clock-in', { status: 422, data: { code: 'qr_code_expired', message: '签到码已过期，请扫描现场负责人手机上最新的二维码' } });
  tap(page, '#scan');
  await fakeWx.settle();
  const result = textOf(page.querySelector('#result'));
  expect(result).toContain('签到未成功');
  expect(result).toContain('签到码已过期，请扫描现场负责人手机上最新的二维码');
  expect(result).toContain('请扫描现场最新的签到码');
  tap(page, '#again');
  await fakeWx.settle();
  expect(page.querySelector('#scan')).toBeDefined();
});

test('with consent, location clock-out sends gcj02 coordinates with accuracy; poor accuracy advises going outdoors or scanning', async () => {
  const page = await open({ id: '7', action: 'out' });
  fakeWx.route('POST', '/api/v1/activities/7/clock-out', { status: 422, data: { code: 'location_accuracy_too_poor', message: '当前定位精度约180米，无法判断您是否在活动现场。', details: { accuracy_m: 180 } } });
  fakeWx.wx.getLocation.mockImplementation((o) => setTimeout(() => o.success({ latitude: 31.24, longitude: 121.48, accuracy: 180 })));
  tap(page, '#locate');
  await fakeWx.settle();
  expect(fakeWx.wx.getLocation.mock.calls[0][0].type).toBe('gcj02');
  expect(fakeWx.requests.find((r) => r.method === 'POST').data).toEqual({ method: 'location', latitude: 31.24, longitude: 121.48, accuracy: 180 });
  const result = textOf(page.querySelector('#result'));
  expect(result).toContain('签退未成功');
  expect(result).toContain('当前定位精度约180米');
  expect(result).toContain('请到室外开阔处稍等片刻再试，或改为扫描现场签到码');
  expect(page.querySelector('#scan-instead')).toBeDefined();
});

test('without location consent there is no location button and getLocation is never called', async () => {
  const page = await open({ id: '7', action: 'in' }, false);
  expect(page.querySelector('#locate')).toBeUndefined();
  expect(textOf(page.querySelector('#no-consent'))).toContain('请扫码签到');
  await page.instance.onLocate();
  expect(fakeWx.wx.getLocation).not.toHaveBeenCalled();
  expect(textOf(page.querySelector('#result'))).toContain('可在「我的」里开启位置打卡，或直接扫码签到');
});

test('a denied location permission falls back to the QR path', async () => {
  const page = await open({ id: '7', action: 'in' });
  fakeWx.wx.getLocation.mockImplementation((o) => setTimeout(() => o.fail({ errMsg: 'getLocation:fail auth deny' })));
  tap(page, '#locate');
  await fakeWx.settle();
  expect(textOf(page.querySelector('#result'))).toContain('没有获得位置权限');
  expect(page.querySelector('#scan-instead')).toBeDefined();
  expect(fakeWx.requests.filter((r) => r.method === 'POST')).toHaveLength(0);
});

test('scanning from the list at an activity the member has clocked in to asks, then clocks out', async () => {
  const page = await open({});
  expect(textOf(page.querySelector('#choose'))).toContain('扫码签到 / 签退');
  fakeWx.route('GET', '/api/v1/me/activity-log', logEntry('clocked_in', { clock_in_at: '2026-11-25T09:02:00+08:00' }));
  fakeWx.route('POST', '/api/v1/activities/7/clock-out', { status: 200, data: { id: 1, status: 'clocked_out', clock_out_at: '2026-11-25T11:05:00+08:00' } });
  fakeWx.wx.scanCode.mockImplementation((o) => setTimeout(() => o.success({ result: '7.k2x1.abcdefghijklmnop' })));
  tap(page, '#scan');
  await fakeWx.settle();
  expect(fakeWx.wx.showModal.mock.calls[0][0].content).toContain('您已在 09:02 签到');
  const posts = fakeWx.requests.filter((r) => r.method === 'POST').map((r) => r.path);
  expect(posts).toEqual(['/api/v1/activities/7/clock-out']);
  expect(textOf(page.querySelector('#result'))).toContain('签退成功');
});

test('scanning from the list at an activity not yet clocked in to clocks in; declining the clock-out sends nothing', async () => {
  const page = await open({});
  fakeWx.route('GET', '/api/v1/me/activity-log', logEntry('signed_up'));
  fakeWx.route('POST', '/api/v1/activities/7/clock-in', { status: 200, data: { id: 1, status: 'clocked_in', clock_in_at: '2026-11-25T09:02:00+08:00' } });
  fakeWx.wx.scanCode.mockImplementation((o) => setTimeout(() => o.success({ result: '7.k2x1.abcdefghijklmnop' })));
  tap(page, '#scan');
  await fakeWx.settle();
  expect(fakeWx.requests.filter((r) => r.method === 'POST').map((r) => r.path)).toEqual(['/api/v1/activities/7/clock-in']);
  expect(textOf(page.querySelector('#result'))).toContain('签到成功');
  page.instance.again();
  fakeWx.route('GET', '/api/v1/me/activity-log', logEntry('clocked_in', { clock_in_at: '2026-11-25T09:02:00+08:00' }));
  fakeWx.wx.showModal.mockImplementation((o) => setTimeout(() => o.success({ confirm: false, cancel: true })));
  tap(page, '#scan');
  await fakeWx.settle();
  expect(fakeWx.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
  expect(page.querySelector('#result')).toBeUndefined();
});

test('an activity already clocked out says so and sends nothing', async () => {
  const page = await open({});
  fakeWx.route('GET', '/api/v1/me/activity-log', logEntry('clocked_out', { clock_in_at: '2026-11-25T09:02:00+08:00', clock_out_at: '2026-11-25T11:00:00+08:00' }));
  fakeWx.wx.scanCode.mockImplementation((o) => setTimeout(() => o.success({ result: '7.k2x1.abcdefghijklmnop' })));
  tap(page, '#scan');
  await fakeWx.settle();
  expect(textOf(page.querySelector('#result'))).toContain('您已签退');
  expect(fakeWx.requests.filter((r) => r.method === 'POST')).toHaveLength(0);
});

test("WeChat's own scan opens the page with scene or q and clocks at once", async () => {
  fakeWx.route('GET', '/api/v1/me/activity-log', logEntry('signed_up'));
  fakeWx.route('POST', '/api/v1/activities/7/clock-in', { status: 200, data: { id: 1, status: 'clocked_in', clock_in_at: '2026-11-25T09:02:00+08:00' } });
  const page = await open({ q: encodeURIComponent('https://party.example.cn/clock?scene=7.k2x1.abcdefghijklmnop') });
  expect(fakeWx.wx.scanCode).not.toHaveBeenCalled();
  expect(fakeWx.requests.find((r) => r.method === 'POST').data).toEqual({ method: 'qr', code: '7.k2x1.abcdefghijklmnop' });
  expect(textOf(page.querySelector('#result'))).toContain('签到成功');
  expect(clock.codeFromLaunch({ scene: encodeURIComponent('7.k2x1.abcd') })).toBe('7.k2x1.abcd');
  expect(clock.codeFromLaunch({ q: encodeURIComponent('https://example.cn/other') })).toBe('');
});

test('opened by a scan before agreeing to the privacy notice, the member goes to login and comes back', async () => {
  fakeWx.storage.token = 'tok';
  const { openPage: openRaw } = require('../../helpers');
  await openRaw('packages/member/clock/clock', { scene: '7.k2x1.abcd' });
  const url = fakeWx.wx.reLaunch.mock.calls[0][0].url;
  expect(url).toMatch(/^\/pages\/login\/login\?redirect=/);
  expect(decodeURIComponent(url.split('redirect=')[1])).toBe('/packages/member/clock/clock?scene=7.k2x1.abcd');
  expect(fakeWx.requests).toHaveLength(0);
});
