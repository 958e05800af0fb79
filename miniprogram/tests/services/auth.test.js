function auth() {
  return require('../../services/auth');
}

const LOGIN = {
  status: 200,
  data: {
    token: 'tok-1',
    expires_at: '2026-12-23T09:00:00+08:00',
    user: { id: 3, roles: [{ role: 'member', community_id: 1, grid_id: null, unit_id: null, street_id: null }] },
    member: { id: 5, name: '张三' },
  },
};

test('login exchanges the wx.login code for a token and caches the user', async () => {
  fakeWx.route('POST', '/api/v1/auth/login', LOGIN);
  const me = await auth().login();
  expect(fakeWx.requests[0].data).toEqual({ code: 'wx-code-1-1' });
  expect(fakeWx.requests[0].header.Authorization).toBeUndefined();
  expect(fakeWx.storage.token).toBe('tok-1');
  expect(me.member.name).toBe('张三');
  expect(auth().currentUser().user.id).toBe(3);
});

test('with demoLogin set, login sends a fresh demo code instead of calling wx.login', async () => {
  require('../../config').demoLogin = 'zhangsan';
  fakeWx.route('POST', '/api/v1/auth/login', LOGIN);
  await auth().login();
  await auth().login();
  const codes = fakeWx.requests.map((r) => r.data.code);
  expect(codes[0]).toMatch(/^demo:zhangsan:\d+$/);
  expect(codes[0]).not.toBe(codes[1]);
  expect(fakeWx.wx.login).not.toHaveBeenCalled();
});

test('logout tells the server and clears the token and the cached user even if the server fails', async () => {
  fakeWx.storage.token = 'tok-1';
  fakeWx.storage.current_user = { user: { id: 3 } };
  fakeWx.route('POST', '/api/v1/auth/logout', { status: 500, data: {} });
  await auth().logout();
  expect(fakeWx.requests[0].header.Authorization).toBe('Bearer tok-1');
  expect(fakeWx.storage.token).toBeUndefined();
  expect(auth().currentUser()).toBeNull();
  expect(fakeWx.wx.showToast).not.toHaveBeenCalled();
});

test('the privacy notice version comes from GET /me once known', async () => {
  expect(auth().privacyNoticeVersion()).toBe('2026-11');
  fakeWx.storage.token = 'tok-1';
  fakeWx.route('GET', '/api/v1/me', { status: 200, data: { user: { id: 3 }, member: null, registration: null, privacy_notice_version: '2027-01' } });
  await auth().fetchMe();
  expect(auth().privacyNoticeVersion()).toBe('2027-01');
  auth().agreePrivacy('2026-11');
  expect(auth().hasAgreedCurrentPrivacy()).toBe(false);
});
