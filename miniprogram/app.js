// 小程序入口：隐私授权监听、启动时读取隐私设置。登录在需要时由页面或 401 自动完成。
const privacy = require('./services/privacy');

App({
  globalData: {
    privacyNeedsAuthorization: false,
  },

  onLaunch() {
    privacy.watch();
    return privacy.getSetting().then(({ needAuthorization }) => {
      this.globalData.privacyNeedsAuthorization = needAuthorization;
    });
  },
});
