const fs = require('fs');
const path = require('path');
const { ROOT, textOf, tap } = require('../helpers');

function renderPopup() {
  const simulate = require('miniprogram-simulate');
  const id = simulate.load(path.join(ROOT, 'components/privacy-popup/index'), 'privacy-popup', { rootPath: ROOT });
  const popup = simulate.render(id);
  popup.attach(document.createElement('parent-wrapper'));
  return popup;
}

test('app start reads the privacy setting and listens for authorization requests', async () => {
  fakeWx.wx.getPrivacySetting.mockImplementation((o) => setTimeout(() => o.success({ needAuthorization: true, privacyContractName: '《指引》' }), 0));
  require('../../app');
  const app = getApp();
  await app.onLaunch();
  expect(fakeWx.wx.onNeedPrivacyAuthorization).toHaveBeenCalledTimes(1);
  expect(app.globalData.privacyNeedsAuthorization).toBe(true);
});

test('the popup appears when WeChat needs authorization and agreeing resolves with the agree button id', async () => {
  require('../../app');
  getApp().onLaunch();
  const popup = renderPopup();
  expect(textOf(popup)).toBe('');
  const resolve = jest.fn();
  const listener = fakeWx.wx.onNeedPrivacyAuthorization.mock.calls[0][0];
  listener(resolve, { referrer: 'getLocation' });
  await fakeWx.settle();
  const text = textOf(popup);
  expect(text).toContain('用户隐私保护提示');
  expect(text).toContain('位置打卡');
  expect(text).toContain('《党员报到小程序隐私保护指引》');
  expect(resolve).toHaveBeenCalledWith({ event: 'exposureAuthorization' });
  // 模拟器不把 open-type 写到 DOM 上，直接查模板：同意按钮必须是平台的隐私同意按钮。
  const wxml = fs.readFileSync(path.join(ROOT, 'components/privacy-popup/index.wxml'), 'utf8');
  expect(wxml).toMatch(/id="agree-btn"[^>]*open-type="agreePrivacyAuthorization"[^>]*bindagreeprivacyauthorization="onAgree"/);
  popup.querySelector('#agree-btn').dispatchEvent('agreeprivacyauthorization');
  await fakeWx.settle();
  expect(resolve).toHaveBeenLastCalledWith({ buttonId: 'agree-btn', event: 'agree' });
  expect(textOf(popup)).toBe('');
});

test('declining resolves with disagree and closes the popup', async () => {
  require('../../app');
  getApp().onLaunch();
  const popup = renderPopup();
  const resolve = jest.fn();
  fakeWx.wx.onNeedPrivacyAuthorization.mock.calls[0][0](resolve, { referrer: 'chooseLocation' });
  await fakeWx.settle();
  tap(popup, '#disagree-btn');
  await fakeWx.settle();
  expect(resolve).toHaveBeenLastCalledWith({ event: 'disagree' });
  expect(textOf(popup)).toBe('');
});
