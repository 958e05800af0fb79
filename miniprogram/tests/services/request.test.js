const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function http() {
  return require('../../services/request');
}

function loginAnswer(token) {
  return { status: 200, data: { token, expires_at: '2026-12-23T09:00:00+08:00', user: { id: 1, roles: [] }, member: null } };
}

test('adds the base URL, the bearer token and no idempotency key on a read', async () => {
  fakeWx.storage.token = 'tok-a';
  fakeWx.route('GET', '/api/v1/me', { status: 200, data: { user: { id: 1 } } });
  const data = await http().get('/me');
  expect(data).toEqual({ user: { id: 1 } });
  const [req] = fakeWx.requests;
  expect(req.url).toBe('http://127.0.0.1:5000/api/v1/me');
  expect(req.header.Authorization).toBe('Bearer tok-a');
  expect(req.header['Idempotency-Key']).toBeUndefined();
});

test('every write carries a fresh UUID v4 idempotency key', async () => {
  fakeWx.route('POST', '/api/v1/registrations', { status: 201, data: { id: 1 } });
  await http().post('/registrations', { a: 1 });
  await http().post('/registrations', { a: 1 });
  const [first, second] = fakeWx.requests.map((r) => r.header['Idempotency-Key']);
  expect(first).toMatch(UUID_V4);
  expect(second).toMatch(UUID_V4);
  expect(first).not.toBe(second);
});

test('a 401 logs in again once and repeats the write with the same idempotency key', async () => {
  fakeWx.storage.token = 'old';
  fakeWx.route('POST', '/api/v1/auth/login', loginAnswer('new'));
  fakeWx.route('POST', '/api/v1/registrations', (req) => (req.header.Authorization === 'Bearer new'
    ? { status: 201, data: { id: 9 } }
    : { status: 401, data: { code: 'token_expired', message: '登录已过期，请重新登录', details: {} } }));
  const data = await http().post('/registrations', { room: '301' });
  expect(data).toEqual({ id: 9 });
  const writes = fakeWx.requests.filter((r) => r.path === '/api/v1/registrations');
  expect(writes).toHaveLength(2);
  expect(writes[0].header['Idempotency-Key']).toBe(writes[1].header['Idempotency-Key']);
  expect(fakeWx.wx.login).toHaveBeenCalledTimes(1);
  expect(fakeWx.storage.token).toBe('new');
  expect(fakeWx.toasts()).toEqual([]);
});

test('a second 401 after re-login is not retried again and its message is shown', async () => {
  fakeWx.route('POST', '/api/v1/auth/login', loginAnswer('new'));
  fakeWx.route('GET', '/api/v1/me', { status: 401, data: { code: 'token_revoked', message: '登录已失效', details: {} } });
  await expect(http().get('/me')).rejects.toMatchObject({ status: 401, code: 'token_revoked' });
  expect(fakeWx.requests.filter((r) => r.path === '/api/v1/me')).toHaveLength(2);
  expect(fakeWx.wx.login).toHaveBeenCalledTimes(1);
  expect(fakeWx.toasts()).toEqual(['登录已失效']);
});

test('parallel 401s share one login', async () => {
  fakeWx.route('POST', '/api/v1/auth/login', loginAnswer('new'));
  fakeWx.route('GET', '/api/v1/units', (req) => (req.header.Authorization === 'Bearer new'
    ? { status: 200, data: [] } : { status: 401, data: { code: 'unauthorized', message: '请先登录' } }));
  await Promise.all([http().get('/units'), http().get('/units'), http().get('/units')]);
  expect(fakeWx.wx.login).toHaveBeenCalledTimes(1);
});

test("the server's Chinese error message is shown as a toast and the promise rejects with its code", async () => {
  fakeWx.storage.token = 't';
  fakeWx.route('POST', '/api/v1/registrations', { status: 409, data: { code: 'already_registered', message: '您已在本社区报到', details: {} } });
  await expect(http().post('/registrations', {})).rejects.toMatchObject({ status: 409, code: 'already_registered', message: '您已在本社区报到' });
  expect(fakeWx.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '您已在本社区报到', icon: 'none' }));
});

test('showError: false keeps quiet', async () => {
  fakeWx.route('GET', '/api/v1/me', { status: 500, data: '<html>oops</html>' });
  await expect(http().get('/me', { showError: false })).rejects.toMatchObject({ status: 500 });
  expect(fakeWx.wx.showToast).not.toHaveBeenCalled();
});

test('a network failure on a write is retried once with the same idempotency key', async () => {
  let calls = 0;
  fakeWx.route('POST', '/api/v1/me/consents/location', () => {
    calls += 1;
    return calls === 1 ? { fail: 'request:fail timeout' } : { status: 200, data: { location_consent: true } };
  });
  const data = await http().post('/me/consents/location', { granted: true });
  expect(data).toEqual({ location_consent: true });
  const keys = fakeWx.requests.map((r) => r.header['Idempotency-Key']);
  expect(keys).toHaveLength(2);
  expect(keys[0]).toBe(keys[1]);
});

test('when the network stays down the offline message is shown', async () => {
  fakeWx.route('POST', '/api/v1/registrations', { fail: 'request:fail' });
  await expect(http().post('/registrations', {})).rejects.toMatchObject({ code: 'network_error' });
  expect(fakeWx.requests).toHaveLength(2);
  expect(fakeWx.toasts()).toEqual(['网络不可用，请检查网络后重试']);
});

test('a read is not retried on network failure', async () => {
  fakeWx.route('GET', '/api/v1/me', { fail: 'request:fail' });
  await expect(http().get('/me')).rejects.toMatchObject({ code: 'network_error' });
  expect(fakeWx.requests).toHaveLength(1);
});

test('loading is shown once for parallel requests, hidden before an error toast, and can be turned off', async () => {
  const calls = [];
  fakeWx.wx.showLoading.mockImplementation(() => calls.push('show'));
  fakeWx.wx.hideLoading.mockImplementation(() => calls.push('hide'));
  fakeWx.wx.showToast.mockImplementation(() => calls.push('toast'));
  fakeWx.route('GET', '/api/v1/units', { status: 200, data: [] });
  fakeWx.route('GET', '/api/v1/communities', { status: 400, data: { code: 'bad', message: '参数错误' } });
  await Promise.allSettled([http().get('/units'), http().get('/communities')]);
  expect(calls).toEqual(['show', 'hide', 'toast']);
  calls.length = 0;
  await http().get('/units', { loading: false });
  expect(calls).toEqual([]);
});

test('getPage reads the X-Pagination header and sends page and page_size', async () => {
  fakeWx.route('GET', '/api/v1/registrations', {
    status: 200,
    data: [{ id: 1 }],
    header: { 'x-pagination': JSON.stringify({ total: 41, total_pages: 3, page: 2 }) },
  });
  const result = await http().getPage('/registrations', { page: 2, pageSize: 20, query: { status: 'submitted' } });
  expect(result).toEqual({ items: [{ id: 1 }], pagination: { total: 41, total_pages: 3, page: 2 } });
  expect(fakeWx.requests[0].query).toEqual({ status: 'submitted', page: '2', page_size: '20' });
});

test('a 204 answer resolves to null', async () => {
  fakeWx.storage.token = 't';
  fakeWx.route('POST', '/api/v1/auth/logout', { status: 204, data: '' });
  await expect(http().post('/auth/logout')).resolves.toBeNull();
});

test('request.js and auth.js do not require each other: the re-login is registered at app start', () => {
  const fs = require('fs');
  const path = require('path');
  const source = (f) => fs.readFileSync(path.join(__dirname, '../../services', f), 'utf8');
  expect(source('request.js')).not.toMatch(/require\(['"]\.\/auth['"]\)/);
  expect(source('../app.js')).toMatch(/connectServices\(\)/);
});

test('without a registered re-login a 401 is reported, not retried', async () => {
  const request = require('../../services/request');
  request.onUnauthorized(null);
  fakeWx.route('GET', '/api/v1/me', { status: 401, data: { code: 'unauthorized', message: '请先登录' } });
  await expect(request.get('/me', { showError: false })).rejects.toMatchObject({ status: 401 });
  expect(fakeWx.wx.login).not.toHaveBeenCalled();
});
