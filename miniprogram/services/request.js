// 唯一调用 wx.request 的地方：加令牌、401 自动重新登录一次、写请求带 Idempotency-Key、
// 网络失败时写请求用同一个 key 重试一次、服务端错误信息转成提示、加载中状态。
const config = require('../config');
const { uuid4 } = require('../utils/uuid');

const TOKEN_KEY = 'token';
const WRITE_METHODS = ['POST', 'PUT', 'PATCH', 'DELETE'];
const AUTH_ERROR_CODES = ['unauthorized', 'token_expired', 'token_revoked', 'token_invalid'];
const OFFLINE_MESSAGE = '网络不可用，请检查网络后重试';
const SERVER_FALLBACK_MESSAGE = '服务暂时不可用，请稍后再试';

class ApiError extends Error {
  constructor({ status = 0, code = 'error', message = SERVER_FALLBACK_MESSAGE, details = {} } = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

// 同时多个请求时只显示一个加载框，最后一个结束时才隐藏。
let loadingCount = 0;
function beginLoading(title) {
  loadingCount += 1;
  if (loadingCount === 1) wx.showLoading({ title, mask: true });
}
function endLoading() {
  if (loadingCount === 0) return;
  loadingCount -= 1;
  if (loadingCount === 0) wx.hideLoading();
}

function getToken() {
  return wx.getStorageSync(TOKEN_KEY) || '';
}

function buildURL(url, query) {
  let full = /^https?:\/\//.test(url) ? url : `${config.baseURL}${config.apiPrefix}${url}`;
  if (query) {
    const parts = Object.keys(query)
      .filter((k) => query[k] !== undefined && query[k] !== null && query[k] !== '')
      .map((k) => `${encodeURIComponent(k)}=${encodeURIComponent(query[k])}`);
    if (parts.length) full += (full.includes('?') ? '&' : '?') + parts.join('&');
  }
  return full;
}

function headerValue(header, name) {
  if (!header) return undefined;
  const wanted = name.toLowerCase();
  const key = Object.keys(header).find((k) => k.toLowerCase() === wanted);
  return key === undefined ? undefined : header[key];
}

function delay(ms) {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}

// 一次 wx.request；成功回调（任何 HTTP 状态）resolve，fail 回调（断网、超时、域名不合法）reject。
function send({ url, method, data, header }) {
  return new Promise((resolve, reject) => {
    wx.request({
      url,
      method,
      data,
      header,
      timeout: config.requestTimeoutMs,
      success: resolve,
      fail: (err) => reject(new ApiError({ code: 'network_error', message: OFFLINE_MESSAGE, details: { errMsg: err && err.errMsg } })),
    });
  });
}

function toApiError(res) {
  const body = res.data && typeof res.data === 'object' ? res.data : {};
  return new ApiError({
    status: res.statusCode,
    code: body.code || `http_${res.statusCode}`,
    message: body.message || SERVER_FALLBACK_MESSAGE,
    details: body.details || {},
  });
}

function isAuthFailure(res) {
  if (res.statusCode !== 401) return false;
  const code = res.data && res.data.code;
  return !code || AUTH_ERROR_CODES.includes(code);
}

// 401 时怎么重新登录由启动时注册（services/startup.js 把它接到 auth.login），本模块不反过来依赖 auth。
let reloginHandler = null;
function onUnauthorized(handler) {
  reloginHandler = handler;
}

// 401 时共用一次登录，避免页面并发请求各自登录。
let reloginPromise = null;
function relogin() {
  if (!reloginHandler) return Promise.reject(new ApiError({ status: 401, code: 'unauthorized', message: '请先登录' }));
  if (!reloginPromise) {
    reloginPromise = Promise.resolve()
      .then(() => reloginHandler())
      .finally(() => {
        reloginPromise = null;
      });
  }
  return reloginPromise;
}

/**
 * 发请求。options:
 *  url         '/me' 这类 API 路径（自动加 baseURL + /api/v1），或完整 URL
 *  method      GET/POST/PUT/PATCH/DELETE，默认 GET
 *  data        请求体（写请求）或查询参数（GET 时由 wx.request 拼接）
 *  query       额外查询参数，拼在 URL 上
 *  auth        是否带令牌、401 时是否重新登录，默认 true
 *  loading     是否显示加载框，默认 true；或传字符串作为加载文字
 *  showError   出错时是否 toast 服务端的 message，默认 true
 *  idempotencyKey  写请求的幂等键；不传则本次调用生成一个，重试时复用
 *  raw         为 true 时 resolve {data, header, statusCode}，否则只 resolve data
 * 失败时 reject ApiError {status, code, message, details}。
 */
async function request(options) {
  const method = (options.method || 'GET').toUpperCase();
  const isWrite = WRITE_METHODS.includes(method);
  const useAuth = options.auth !== false;
  const showError = options.showError !== false;
  const loadingTitle = typeof options.loading === 'string' ? options.loading : '加载中';
  const withLoading = options.loading !== false;
  const idempotencyKey = isWrite ? options.idempotencyKey || uuid4() : undefined;
  const url = buildURL(options.url, options.query);

  const attempt = () => {
    const header = { 'Content-Type': 'application/json', ...(options.header || {}) };
    const token = useAuth ? getToken() : '';
    if (token) header.Authorization = `Bearer ${token}`;
    if (idempotencyKey) header['Idempotency-Key'] = idempotencyKey;
    return send({ url, method, data: options.data, header });
  };

  const run = async () => {
    let res;
    try {
      res = await attempt();
    } catch (err) {
      // 写请求在弱网下可能已经到达服务端：用同一个 key 重试，服务端会返回第一次的结果而不重复写入。
      if (!isWrite) throw err;
      await delay(config.networkRetryDelayMs);
      res = await attempt();
    }
    if (useAuth && isAuthFailure(res)) {
      await relogin();
      res = await attempt();
    }
    if (res.statusCode >= 200 && res.statusCode < 300) return res;
    throw toApiError(res);
  };

  if (withLoading) beginLoading(loadingTitle);
  let res;
  try {
    res = await run();
  } catch (err) {
    // 先关加载框再提示：wx.hideLoading 会把紧接着的 toast 一并关掉。
    if (withLoading) endLoading();
    const error = err instanceof ApiError ? err : new ApiError({ message: (err && err.message) || SERVER_FALLBACK_MESSAGE });
    if (showError) wx.showToast({ title: error.message, icon: 'none', duration: 2500 });
    throw error;
  }
  if (withLoading) endLoading();
  const data = res.statusCode === 204 || res.data === '' ? null : res.data;
  return options.raw ? { data, header: res.header || {}, statusCode: res.statusCode } : data;
}

// 列表接口：JSON 数组 + X-Pagination 头（total, total_pages, page …）。
async function getPage(url, { page = 1, pageSize = 20, query = {}, ...rest } = {}) {
  const res = await request({ ...rest, url, method: 'GET', query: { ...query, page, page_size: pageSize }, raw: true });
  let pagination = null;
  const raw = headerValue(res.header, 'X-Pagination');
  if (raw) {
    try {
      pagination = typeof raw === 'string' ? JSON.parse(raw) : raw;
    } catch (e) {
      pagination = null;
    }
  }
  return { items: res.data || [], pagination };
}

module.exports = {
  request,
  get: (url, options = {}) => request({ ...options, url, method: 'GET' }),
  post: (url, data, options = {}) => request({ ...options, url, data, method: 'POST' }),
  put: (url, data, options = {}) => request({ ...options, url, data, method: 'PUT' }),
  patch: (url, data, options = {}) => request({ ...options, url, data, method: 'PATCH' }),
  del: (url, options = {}) => request({ ...options, url, method: 'DELETE' }),
  getPage,
  buildURL,
  getToken,
  onUnauthorized,
  ApiError,
  TOKEN_KEY,
  OFFLINE_MESSAGE,
  headerValue,
  // 测试用：重置模块内部状态。
  _reset() {
    loadingCount = 0;
    reloginPromise = null;
  },
};
