// 启动时把各服务接起来（App.onLaunch 调一次）：
// - 请求层遇到 401 时用 auth.login 重新登录。这样 request.js 与 auth.js 不互相 require：auth 依赖 request，request 只认这里注册的函数。
// - 网络恢复时，当前页面若停在「没有加载成功」（data.error），自动重新加载。
const http = require('./request');
const auth = require('./auth');

function reloadOnReconnect() {
  if (typeof wx.onNetworkStatusChange !== 'function') return;
  wx.onNetworkStatusChange((res) => {
    if (!res.isConnected || typeof getCurrentPages !== 'function') return;
    const pages = getCurrentPages();
    const page = pages[pages.length - 1];
    if (page && page.data && page.data.error && typeof page.load === 'function') page.load();
  });
}

function connectServices() {
  http.onUnauthorized(() => auth.login({ loading: false, showError: false }));
}

module.exports = { connectServices, reloadOnReconnect };
