// Jest 环境：miniprogram-simulate 只提供 Component，这里把 Page/App/getApp 接上，
// 并在每个测试前换一个新的假 wx 和干净的模块缓存（服务模块里的缓存不串测试）。
const { createFakeWx } = require('./fake-wx');

const PAGE_LIFECYCLE = ['onLoad', 'onShow', 'onReady', 'onHide', 'onUnload', 'onPullDownRefresh', 'onReachBottom', 'onShareAppMessage'];

// 页面按组件加载：顶层函数（含 onLoad 等生命周期）放进 methods，测试自己调用 onLoad。
global.Page = (options) => {
  const methods = {};
  const rest = {};
  Object.keys(options).forEach((key) => {
    if (typeof options[key] === 'function') methods[key] = options[key];
    else if (key !== 'data') rest[key] = options[key];
  });
  PAGE_LIFECYCLE.forEach((name) => {
    if (!methods[name]) methods[name] = () => {};
  });
  return global.Component({ data: options.data || {}, methods });
};

let appInstance = { globalData: {} };
global.App = (options) => {
  appInstance = options;
  return options;
};
global.getApp = () => appInstance;
global.getCurrentPages = () => [];

beforeEach(() => {
  jest.resetModules();
  appInstance = { globalData: {} };
  global.fakeWx = createFakeWx();
  global.wx = global.fakeWx.wx;
  // 测试里网络重试不等待。
  require('../config').networkRetryDelayMs = 0;
  // 与 App.onLaunch 一样接好服务（401 时重新登录）；页面测试不跑 App。
  require('../services/startup').connectServices();
});
