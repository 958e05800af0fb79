// 订阅消息：只能在用户点击的处理函数里调用 wx.requestSubscribeMessage，每次最多 5 个模板；
// 每个模板的结果（accept/reject/ban/filter）都报给服务端 POST /subscriptions。
const api = require('./api');

const MAX_PER_CALL = 5;
const RESULTS = ['accept', 'reject', 'ban', 'filter'];
let templatesCache = null;

/** 服务端配置的模板（缓存），按 purpose 取。 */
async function templatesFor(purposes) {
  if (!templatesCache) templatesCache = await api.subscribeTemplates({ loading: false, showError: false });
  return (templatesCache || []).filter((t) => t.active !== false && t.template_id && (!purposes || purposes.indexOf(t.purpose) >= 0));
}

function requestOnce(tmplIds) {
  return new Promise((resolve) => {
    wx.requestSubscribeMessage({
      tmplIds,
      success: (res) => resolve(res || {}),
      // 用户关闭了总开关、基础库不支持等：不打扰，视为本次没有结果。
      fail: () => resolve(null),
    });
  });
}

/**
 * 请求订阅（必须在 tap 处理函数里同步调用第一次 wx.requestSubscribeMessage 之前只做同步工作，
 * 所以模板 id 需事先用 preload() 取好；没取好时就不弹）。返回 {template_id: result}。
 */
async function request(purposes) {
  const list = (templatesCache || []).filter((t) => t.active !== false && t.template_id && (!purposes || purposes.indexOf(t.purpose) >= 0));
  const ids = list.map((t) => t.template_id).slice(0, MAX_PER_CALL);
  if (!ids.length || typeof wx.requestSubscribeMessage !== 'function') return {};
  const res = await requestOnce(ids);
  if (!res) return {};
  const results = {};
  ids.forEach((id) => {
    if (RESULTS.indexOf(res[id]) >= 0) results[id] = res[id];
  });
  if (Object.keys(results).length) {
    try {
      await api.reportSubscriptions(results, { loading: false, showError: false });
    } catch (e) {
      // 上报失败不影响用户操作；下次点击再报。
    }
  }
  return results;
}

/** 页面 onLoad 时预取模板，点击时才能立即弹出订阅框。 */
function preload() {
  return templatesFor(null).catch(() => []);
}

module.exports = {
  MAX_PER_CALL,
  preload,
  request,
  _reset() {
    templatesCache = null;
  },
};
