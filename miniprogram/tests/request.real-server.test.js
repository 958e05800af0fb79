/**
 * 对真实服务端运行 services/request.js（设置 PARTY_SERVER_URL 时才跑，否则跳过）：
 *   PARTY_SERVER_URL=http://127.0.0.1:5000 npx jest tests/request.real-server.test.js
 * 服务端需在开发模式（模拟微信接口，接受 demo:<名字>:<数字> 登录码）并已有演示数据；
 * 演示账号名用 PARTY_DEMO_LOGIN（默认 member001，需是已有党员档案的账号）。
 * @jest-environment node
 */
const { createHttpWx } = require('./http-wx');

const SERVER = process.env.PARTY_SERVER_URL;
const DEMO = process.env.PARTY_DEMO_LOGIN || 'member001';
const describeServer = SERVER ? describe : describe.skip;

describeServer(`request service against ${SERVER || '(PARTY_SERVER_URL not set)'}`, () => {
  let net;
  let http;
  let auth;

  beforeEach(() => {
    const config = require('../config');
    config.baseURL = SERVER.replace(/\/$/, '');
    config.demoLogin = DEMO;
    net = createHttpWx(config.baseURL);
    // 网络走真实 HTTP，其余 wx.* 仍是假 wx（toast、存储…）。
    fakeWx.wx.request = jest.fn(net.request);
    http = require('../services/request');
    auth = require('../services/auth');
  });

  const logins = () => net.exchanges.filter((e) => e.path === '/api/v1/auth/login');

  test('logs in with a demo code and stores the session token', async () => {
    const me = await auth.login();
    expect(logins()[0].data.code).toMatch(new RegExp(`^demo:${DEMO}:\\d+$`));
    expect(logins()[0].status).toBe(200);
    expect(typeof fakeWx.storage.token).toBe('string');
    expect(fakeWx.storage.token.length).toBeGreaterThan(10);
    expect(me.user.id).toBeTruthy();
    const profile = await http.get('/me');
    expect(profile.user.id).toBe(me.user.id);
  });

  test('a rejected token triggers one re-login and the original request succeeds', async () => {
    fakeWx.storage.token = 'not-a-real-token';
    const profile = await http.get('/me');
    expect(profile.user.id).toBeTruthy();
    const calls = net.exchanges.map((e) => `${e.method} ${e.path} ${e.status}`);
    expect(calls[0]).toBe('GET /api/v1/me 401');
    expect(calls[1]).toMatch(/^POST \/api\/v1\/auth\/login 200$/);
    expect(calls[2]).toBe('GET /api/v1/me 200');
    expect(fakeWx.storage.token).not.toBe('not-a-real-token');
  });

  test('the same Idempotency-Key twice gets the same answer', async () => {
    await auth.login();
    const key = `jest-${Date.now()}-idem`;
    const first = await http.post('/me/consents/location', { granted: true }, { idempotencyKey: key, raw: true });
    const second = await http.post('/me/consents/location', { granted: true }, { idempotencyKey: key, raw: true });
    expect(second.statusCode).toBe(first.statusCode);
    expect(second.data).toEqual(first.data);
    expect(http.headerValue(second.header, 'Idempotent-Replayed')).toBe('true');
  });

  test('a write whose answer is lost is retried with the same key and the server replays the first answer', async () => {
    await auth.login();
    net.dropNextResponse((e) => e.path === '/api/v1/me/consents/location');
    const data = await http.post('/me/consents/location', { granted: false }, { raw: true });
    const writes = net.exchanges.filter((e) => e.path === '/api/v1/me/consents/location');
    expect(writes).toHaveLength(2);
    expect(writes[0].header['Idempotency-Key']).toBe(writes[1].header['Idempotency-Key']);
    expect(http.headerValue(data.header, 'Idempotent-Replayed')).toBe('true');
    expect(data.data.location_consent).toBe(false);
  });

  test("the server's Chinese error message is shown as a toast", async () => {
    await auth.login();
    const error = await http.get('/communities/999999999/buildings').catch((e) => e);
    expect(error.status).toBe(404);
    expect(error.message).toMatch(/[\u4e00-\u9fa5]/);
    expect(fakeWx.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: error.message, icon: 'none' }));
  });
});

