// 启动时把各服务接起来（App.onLaunch 调一次）：请求层遇到 401 时用 auth.login 重新登录。
// 这样 request.js 与 auth.js 不互相 require：auth 依赖 request，request 只认这里注册的函数。
const http = require('./request');
const auth = require('./auth');

function connectServices() {
  http.onUnauthorized(() => auth.login({ loading: false, showError: false }));
}

module.exports = { connectServices };
