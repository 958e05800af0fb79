const { renderPage, textOf, tap } = require('../helpers');

const MEMBER = {
  id: 5,
  name: '张三',
  phone_masked: '138****8000',
  member_type: 'in_service',
  employer_unit: { id: 21, name: '市财政局' },
  community: { id: 1, name: '幸福里社区' },
  building: { id: 2, name: '3号楼' },
  room: '301',
  location_consent: false,
};

async function open() {
  fakeWx.storage.token = 'tok';
  fakeWx.storage.privacy_agreed_version = '2026-11';
  fakeWx.route('GET', '/api/v1/me', { status: 200, data: { user: { id: 3, roles: [] }, member: MEMBER, registration: null } });
  const page = renderPage('pages/profile/profile');
  page.instance.onLoad({});
  await fakeWx.settle();
  return page;
}

test('member sees their masked phone, unit, building, consent switch and privacy version', async () => {
  const page = await open();
  const text = textOf(page);
  ['张三', '在职党员', '138****8000', '市财政局', '幸福里社区 3号楼 301', '位置打卡', '已同意版本：2026-11', '退出登录']
    .forEach((word) => expect(text).toContain(word));
  expect(page.instance.data.locationConsent).toBe(false);
});

test('turning the location switch on posts the consent', async () => {
  const page = await open();
  fakeWx.route('POST', '/api/v1/me/consents/location', { status: 200, data: { ...MEMBER, location_consent: true } });
  page.querySelector('#location-consent').dispatchEvent('change', { detail: { value: true } });
  await fakeWx.settle();
  const post = fakeWx.requests.find((r) => r.method === 'POST');
  expect(post.path).toBe('/api/v1/me/consents/location');
  expect(post.data).toEqual({ granted: true });
  expect(page.instance.data.locationConsent).toBe(true);
  expect(fakeWx.toasts()).toContain('已开启位置打卡');
});

test('if saving the consent fails the switch goes back', async () => {
  const page = await open();
  fakeWx.route('POST', '/api/v1/me/consents/location', { fail: 'request:fail' });
  page.querySelector('#location-consent').dispatchEvent('change', { detail: { value: true } });
  await fakeWx.settle();
  expect(page.instance.data.locationConsent).toBe(false);
  expect(fakeWx.toasts()).toContain('网络不可用，请检查网络后重试');
});

test('logout asks to confirm, tells the server, clears storage and goes to the login page', async () => {
  const page = await open();
  fakeWx.route('POST', '/api/v1/auth/logout', { status: 204 });
  tap(page, '#logout');
  await fakeWx.settle();
  expect(fakeWx.wx.showModal).toHaveBeenCalled();
  expect(fakeWx.requests.map((r) => `${r.method} ${r.path}`)).toContain('POST /api/v1/auth/logout');
  expect(fakeWx.storage.token).toBeUndefined();
  expect(fakeWx.wx.reLaunch).toHaveBeenCalledWith(expect.objectContaining({ url: '/pages/login/login' }));
});

test('hiding from public boards is saved with PATCH /me; staff see the on-site entry', async () => {
  fakeWx.storage.token = 'tok';
  fakeWx.route('GET', '/api/v1/me', { status: 200, data: { user: { id: 3, roles: [{ role: 'grid_worker', community_id: 1, grid_id: 1 }] }, member: MEMBER, registration: null } });
  const page = renderPage('pages/profile/profile');
  page.instance.onLoad({});
  await fakeWx.settle();
  fakeWx.route('PATCH', '/api/v1/me', { status: 200, data: { ...MEMBER, hide_from_public_boards: true } });
  page.querySelector('#hide-from-boards').dispatchEvent('change', { detail: { value: true } });
  await fakeWx.settle();
  expect(fakeWx.requests.find((r) => r.method === 'PATCH').data).toEqual({ hide_from_public_boards: true });
  expect(page.instance.data.hideFromBoards).toBe(true);
  expect(textOf(page.querySelector('#staff-entry'))).toContain('现场模式（网格员）');
});

test('the member updates the phone through WeChat phone verification and changes the employer unit', async () => {
  const { openPage } = require('../helpers');
  fakeWx.storage.token = 'tok';
  const member = { id: 5, name: '张三', member_type: 'in_service', phone_masked: '139****5678', employer_unit: { id: 21, name: '市财政局' }, community: { id: 2, name: '光明社区' } };
  fakeWx.route('GET', '/api/v1/me', { status: 200, data: { user: { id: 3, roles: [] }, member } });
  fakeWx.route('GET', '/api/v1/units', { status: 200, data: [{ id: 21, name: '市财政局' }, { id: 22, name: '区教育局' }] });
  const page = await openPage('pages/profile/profile');
  fakeWx.route('POST', '/api/v1/me/phone', { status: 200, data: { phone: '13800138000' } });
  page.querySelector('#phone').dispatchEvent('getphonenumber', { detail: { code: 'phone-code-1' } });
  await fakeWx.settle();
  expect(fakeWx.requests.find((r) => r.path === '/api/v1/me/phone').data).toEqual({ code: 'phone-code-1' });
  expect(fakeWx.toasts()).toContain('手机号已更新');
  fakeWx.route('PATCH', '/api/v1/me', { status: 200, data: { ...member, employer_unit: { id: 22, name: '区教育局' } } });
  page.querySelector('#unit-picker').dispatchEvent('change', { detail: { value: 1 } });
  await fakeWx.settle();
  expect(fakeWx.requests.find((r) => r.method === 'PATCH').data).toEqual({ employer_unit_id: 22 });
  expect(textOf(page)).toContain('区教育局');
});
