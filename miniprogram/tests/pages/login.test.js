const { renderPage, textOf, tap } = require('../helpers');

function loginAnswers() {
  fakeWx.route('POST', '/api/v1/auth/login', {
    status: 200,
    data: { token: 'tok-1', expires_at: '2026-12-23T09:00:00+08:00', user: { id: 7, roles: [] }, member: null },
  });
}

test('member sees the privacy notice with its version and the one-tap login button', async () => {
  const page = renderPage('pages/login/login');
  page.instance.onLoad({});
  await fakeWx.settle();
  const text = textOf(page);
  expect(text).toContain('隐私保护指引');
  expect(text).toContain('版本 2026-11');
  expect(text).toContain('微信一键登录');
});

test('tapping login without ticking the consent asks to agree first and sends nothing', async () => {
  const page = renderPage('pages/login/login');
  page.instance.onLoad({});
  tap(page, '#login');
  await fakeWx.settle();
  expect(fakeWx.toasts()).toEqual(['请先阅读并同意隐私保护指引']);
  expect(fakeWx.requests).toHaveLength(0);
});

test('ticking the consent and tapping login stores the token and the agreed version and goes home', async () => {
  loginAnswers();
  const page = renderPage('pages/login/login');
  page.instance.onLoad({});
  page.querySelector('#consent').dispatchEvent('change', { detail: { value: ['agree'] } });
  await fakeWx.settle();
  expect(page.instance.data.agreed).toBe(true);
  tap(page, '#login');
  await fakeWx.settle();
  expect(fakeWx.requests[0].data).toEqual({ code: 'wx-code-1-1' });
  expect(fakeWx.storage.token).toBe('tok-1');
  expect(fakeWx.storage.privacy_agreed_version).toBe('2026-11');
  expect(fakeWx.wx.switchTab).toHaveBeenCalledWith(expect.objectContaining({ url: '/pages/home/home' }));
});

test('a login started from a scanned clock page returns there; a foreign redirect is ignored', async () => {
  loginAnswers();
  const back = '/packages/member/clock/clock?scene=7.k2x1.abcd';
  const page = renderPage('pages/login/login');
  page.instance.onLoad({ redirect: encodeURIComponent(back) });
  page.querySelector('#consent').dispatchEvent('change', { detail: { value: ['agree'] } });
  tap(page, '#login');
  await fakeWx.settle();
  expect(fakeWx.wx.reLaunch).toHaveBeenCalledWith(expect.objectContaining({ url: back }));
  page.instance.onLoad({ redirect: encodeURIComponent('https://evil.example/') });
  expect(page.instance.redirect).toBe('');
});
