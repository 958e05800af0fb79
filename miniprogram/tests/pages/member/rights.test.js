// 我的个人信息、志愿服务记录证明、注销账号：页面显示服务端给的内容，按钮发出对的请求。
const { renderPage, textOf, tap } = require('../../helpers');

function stubFiles() {
  fakeWx.wx.downloadFile = jest.fn((o) => setTimeout(() => o.success({ statusCode: 200, tempFilePath: 'wxfile://download.bin' })));
  fakeWx.wx.openDocument = jest.fn((o) => setTimeout(() => o.success({})));
  fakeWx.wx.shareFileMessage = jest.fn((o) => setTimeout(() => o.success({})));
}

test('my information lists each kind with its count, withdraws a consent with its effect, and exports everything', async () => {
  fakeWx.storage.token = 'tok';
  stubFiles();
  fakeWx.route('GET', '/api/v1/me/privacy', { status: 200, data: { member_id: 1, kinds: [{ key: 'phone', label: '手机号', what: '手机号', why: '联系您', kept: '账号存续期间', count: 1 }] } });
  const consents = (granted) => [{ kind: 'location', label: '使用位置信息签到', granted, withdrawable: true, effect: granted ? '可用位置签到' : '只能扫描现场二维码签到；不再收集您的位置' }];
  fakeWx.route('GET', '/api/v1/me/privacy/consents', { status: 200, data: consents(true) });
  fakeWx.route('GET', '/api/v1/me/privacy/corrections', { status: 200, data: [{ field: 'hours', label: '志愿服务时长', how: 'appeal', action: '提出申诉' }] });
  fakeWx.route('POST', '/api/v1/me/privacy/consents/location', { status: 200, data: consents(false) });
  const page = renderPage('packages/member/my-info/my-info');
  page.instance.onShow();
  await fakeWx.settle();
  expect(textOf(page.querySelector('#kinds'))).toContain('手机号');
  expect(textOf(page.querySelector('#kinds'))).toContain('1 条');
  expect(textOf(page.querySelector('#corrections'))).toContain('提出申诉');

  page.instance.onConsent({ currentTarget: { dataset: { kind: 'location' } }, detail: { value: false } });
  await fakeWx.settle();
  const sent = fakeWx.requests.find((r) => r.method === 'POST');
  expect(sent.data).toEqual({ granted: false });
  expect(fakeWx.toasts()).toContain('只能扫描现场二维码签到；不再收集您的位置');

  tap(page, '#export');
  await fakeWx.settle();
  await new Promise((r) => setTimeout(r, 5));
  const download = fakeWx.wx.downloadFile.mock.calls[0][0];
  expect(download.url).toMatch(/\/api\/v1\/me\/privacy\/export$/);
  expect(download.header.Authorization).toBe('Bearer tok');
  expect(fakeWx.wx.shareFileMessage.mock.calls[0][0].fileName).toBe('我的个人信息.zip');
});

test('a member requests a certificate for a period and opens its PDF', async () => {
  fakeWx.storage.token = 'tok';
  stubFiles();
  const issued = { id: 5, number: 'ZYFW2026120212345678', status: 'issued', period_start: '2026-01-01', period_end: '2026-06-30', total_hours: '7', issuer_name: '中共光明社区委员会' };
  fakeWx.route('GET', '/api/v1/me/certificates', { status: 200, data: [] });
  fakeWx.route('POST', '/api/v1/me/certificates', () => {
    fakeWx.route('GET', '/api/v1/me/certificates', { status: 200, data: [issued] });
    return { status: 201, data: issued };
  });
  const page = renderPage('packages/member/certificates/certificates');
  page.instance.onShow();
  await fakeWx.settle();
  expect(textOf(page.querySelector('#empty'))).toBe('还没有证明');
  page.instance.onStart({ detail: { value: '2026-01-01' } });
  page.instance.onEnd({ detail: { value: '2026-06-30' } });
  tap(page, '#submit');
  await fakeWx.settle();
  const sent = fakeWx.requests.find((r) => r.method === 'POST');
  expect(sent.data).toEqual({ period_start: '2026-01-01', period_end: '2026-06-30' });
  expect(sent.header['Idempotency-Key']).toBeTruthy();
  expect(textOf(page.querySelector('#list'))).toContain('ZYFW2026120212345678');

  page.instance.open({ currentTarget: { dataset: { id: 5 } } });
  await new Promise((r) => setTimeout(r, 10));
  expect(fakeWx.wx.downloadFile.mock.calls[0][0].url).toMatch(/\/api\/v1\/certificates\/5\/pdf$/);
  expect(fakeWx.wx.openDocument.mock.calls[0][0]).toEqual(expect.objectContaining({ fileType: 'pdf', filePath: 'wxfile://download.bin' }));
});

test('deleting the account asks for the phrase, then shows the date and can be cancelled', async () => {
  fakeWx.storage.token = 'tok';
  const base = { cooling_off_days: 7, confirm_phrase: '确认注销', removed: ['姓名、手机号'], kept: ['志愿服务时长'] };
  fakeWx.route('GET', '/api/v1/me/account-deletion', { status: 200, data: { ...base, request: null } });
  fakeWx.route('POST', '/api/v1/me/account-deletion', { status: 200, data: { ...base, request: { id: 1, status: 'requested' } } });
  fakeWx.route('POST', '/api/v1/me/account-deletion/confirm', { status: 200, data: { ...base, request: { id: 1, status: 'scheduled', scheduled_for: '2026-12-09T10:00:00+08:00' } } });
  fakeWx.route('POST', '/api/v1/me/account-deletion/cancel', { status: 200, data: { ...base, request: { id: 1, status: 'cancelled' } } });
  const page = renderPage('packages/member/delete-account/delete-account');
  page.instance.onShow();
  await fakeWx.settle();
  expect(textOf(page.querySelector('#what'))).toContain('7 天冷静期');
  tap(page, '#request');
  await fakeWx.settle();
  page.instance.onPhrase({ detail: { value: '确认注销' } });
  tap(page, '#confirm');
  await fakeWx.settle();
  expect(fakeWx.requests.find((r) => r.path.endsWith('/confirm')).data).toEqual({ confirm: '确认注销' });
  expect(textOf(page.querySelector('#scheduled'))).toContain('2026-12-09');
  tap(page, '#cancel');
  await fakeWx.settle();
  expect(page.querySelector('#request')).toBeDefined();
});
