// 微信隐私授权（__usePrivacyCheck__）：基础库在调用 wx.getLocation 等隐私接口前触发
// onNeedPrivacyAuthorization，这里保存 resolve 并通知页面上的 <privacy-popup> 弹出。
const AGREE_BUTTON_ID = 'agree-btn';

let pendingResolve = null;
let pendingInfo = null;
const listeners = [];

function notify() {
  listeners.slice().forEach((fn) => fn({ visible: !!pendingResolve, referrer: pendingInfo && pendingInfo.referrer }));
}

function handleNeedAuthorization(resolve, eventInfo) {
  pendingResolve = resolve;
  pendingInfo = eventInfo || null;
  notify();
}

/** 在 App.onLaunch 调用一次。 */
function watch() {
  if (typeof wx.onNeedPrivacyAuthorization === 'function') {
    wx.onNeedPrivacyAuthorization(handleNeedAuthorization);
  }
}

/** wx.getPrivacySetting → Promise<{needAuthorization, privacyContractName}>；低版本基础库视为无需授权。 */
function getSetting() {
  return new Promise((resolve) => {
    if (typeof wx.getPrivacySetting !== 'function') {
      resolve({ needAuthorization: false, privacyContractName: '' });
      return;
    }
    wx.getPrivacySetting({
      success: (res) => resolve({ needAuthorization: !!res.needAuthorization, privacyContractName: res.privacyContractName || '' }),
      fail: () => resolve({ needAuthorization: false, privacyContractName: '' }),
    });
  });
}

/** 弹窗组件订阅；返回取消订阅函数。订阅时若已有待处理的授权请求，立即通知。 */
function subscribe(listener) {
  listeners.push(listener);
  if (pendingResolve) listener({ visible: true, referrer: pendingInfo && pendingInfo.referrer });
  return () => {
    const index = listeners.indexOf(listener);
    if (index >= 0) listeners.splice(index, 1);
  };
}

function settle(result) {
  const resolve = pendingResolve;
  pendingResolve = null;
  pendingInfo = null;
  if (resolve) resolve(result);
  notify();
}

/** 弹窗已展示给用户（告知平台曝光）。 */
function exposed() {
  if (pendingResolve) pendingResolve({ event: 'exposureAuthorization' });
}

/** 在 <button open-type="agreePrivacyAuthorization" id="agree-btn"> 的 bindagreeprivacyauthorization 之后调用。 */
function agree() {
  settle({ buttonId: AGREE_BUTTON_ID, event: 'agree' });
}

function disagree() {
  settle({ event: 'disagree' });
}

function isPending() {
  return !!pendingResolve;
}

module.exports = {
  AGREE_BUTTON_ID,
  watch,
  getSetting,
  subscribe,
  exposed,
  agree,
  disagree,
  isPending,
  handleNeedAuthorization,
  _reset() {
    pendingResolve = null;
    pendingInfo = null;
    listeners.length = 0;
  },
};
