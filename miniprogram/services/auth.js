// 登录、退出与当前用户缓存。登录码来自 wx.login；开发环境可用 config.demoLogin 发演示码。
const config = require('../config');
const http = require('./request');

const USER_KEY = 'current_user';
const EXPIRES_KEY = 'token_expires_at';
const PRIVACY_KEY = 'privacy_agreed_version';

let demoCounter = 0;

function wxLoginCode() {
  return new Promise((resolve, reject) => {
    wx.login({
      success: (res) => (res.code ? resolve(res.code) : reject(new http.ApiError({ code: 'wx_login_failed', message: '微信登录失败，请重试' }))),
      fail: () => reject(new http.ApiError({ code: 'wx_login_failed', message: '微信登录失败，请重试' })),
    });
  });
}

// 开发用演示码 demo:<名字>:<时间戳>：服务端的模拟微信接口每个完整的码只认一次，所以末尾每次不同。
function demoCode(name) {
  demoCounter += 1;
  return `demo:${name}:${Date.now()}${demoCounter}`;
}

function loginCode() {
  return config.demoLogin ? Promise.resolve(demoCode(config.demoLogin)) : wxLoginCode();
}

function saveUser(profile) {
  wx.setStorageSync(USER_KEY, profile);
  return profile;
}

/** 当前用户缓存：{user, member, registration?, privacy_notice_version?}，未登录为 null。 */
function currentUser() {
  return wx.getStorageSync(USER_KEY) || null;
}

function isLoggedIn() {
  return !!wx.getStorageSync(http.TOKEN_KEY);
}

async function login({ loading = '登录中', showError = true } = {}) {
  const code = await loginCode();
  const res = await http.post('/auth/login', { code }, { auth: false, loading, showError });
  wx.setStorageSync(http.TOKEN_KEY, res.token);
  wx.setStorageSync(EXPIRES_KEY, res.expires_at || '');
  // 契约里 member 可能放在顶层，也可能在 user 里。
  const member = res.member !== undefined ? res.member : (res.user && res.user.member) || null;
  return saveUser({ ...(currentUser() || {}), user: res.user, member });
}

async function logout() {
  try {
    if (isLoggedIn()) await http.post('/auth/logout', null, { auth: false, header: { Authorization: `Bearer ${wx.getStorageSync(http.TOKEN_KEY)}` }, showError: false, loading: '正在退出' });
  } catch (e) {
    // 令牌已失效或断网：本地照样清掉。
  }
  wx.removeStorageSync(http.TOKEN_KEY);
  wx.removeStorageSync(EXPIRES_KEY);
  wx.removeStorageSync(USER_KEY);
}

/** GET /me，并刷新缓存。 */
async function fetchMe(options = {}) {
  const me = await http.get('/me', options);
  saveUser(me);
  return me;
}

/** 最新的本人信息；网络不通时用缓存的那份（页面仍能显示）。 */
async function freshMe() {
  try {
    return await fetchMe({ loading: false });
  } catch (e) {
    return currentUser();
  }
}

function privacyNoticeVersion() {
  const me = currentUser();
  return (me && me.privacy_notice_version) || config.privacyNoticeVersion;
}

/** 本机记录的「已同意的隐私保护指引版本」；与当前版本不同时需要重新同意。 */
function agreedPrivacyVersion() {
  return wx.getStorageSync(PRIVACY_KEY) || '';
}

function agreePrivacy(version) {
  wx.setStorageSync(PRIVACY_KEY, version);
}

function hasAgreedCurrentPrivacy() {
  return agreedPrivacyVersion() === privacyNoticeVersion();
}

module.exports = {
  login,
  logout,
  fetchMe,
  freshMe,
  currentUser,
  isLoggedIn,
  privacyNoticeVersion,
  agreedPrivacyVersion,
  agreePrivacy,
  hasAgreedCurrentPrivacy,
  USER_KEY,
  PRIVACY_KEY,
};
