const { renderPage, textOf, tap } = require('../../helpers');
const clock = require('../../../services/clock');

function member(consent) {
  return { status: 200, data: { user: { id: 3, roles: [] }, member: { id: 5, name: '张三', location_consent: consent }, registration: null } };
}

async function open(query, consent = true) {
  fakeWx.storage.token = 'tok';
  fakeWx.route('GET', '/api/v1/me', member(consent));
  const page = renderPage('packages/member/clock/clock');
  page.instance.onLoad(query);
  await fakeWx.settle();
  return page;
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
  expect(result).toContain('活动结束时记得签退');
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
