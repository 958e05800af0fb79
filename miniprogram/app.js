// 小程序入口：接好服务（401 重新登录）、隐私授权监听、启动时读取隐私设置。登录在需要时由页面或 401 自动完成。
const privacy = require('./services/privacy');
const { connectServices, reloadOnReconnect } = require('./services/startup');

App({
  globalData: {
    privacyNeedsAuthorization: false,
  },

  onLaunch() {
    connectServices();
    reloadOnReconnect();
    privacy.watch();
    return privacy.getSetting().then(({ needAuthorization }) => {
      this.globalData.privacyNeedsAuthorization = needAuthorization;
    });
  },
});
