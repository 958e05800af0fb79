// 登录页：先同意隐私保护指引（记下版本），再微信一键登录。
const auth = require('../../services/auth');

Page({
  data: {
    privacyVersion: '',
    agreed: false,
    submitting: false,
  },

  onLoad(query = {}) {
    const privacyVersion = auth.privacyNoticeVersion();
    // redirect：从别的入口（如微信扫一扫打开的签到页）来登录的，登录后回到那里；只接受本小程序的页面路径。
    this.redirect = '';
    try {
      const redirect = query.redirect ? decodeURIComponent(query.redirect) : '';
      if (/^\/(pages|packages)\//.test(redirect)) this.redirect = redirect;
    } catch (e) {
      // 编码不对的 redirect 不用。
    }
    this.setData({ privacyVersion, agreed: auth.agreedPrivacyVersion() === privacyVersion });
  },

  onConsentChange(e) {
    this.setData({ agreed: (e.detail.value || []).indexOf('agree') >= 0 });
  },

  openNotice() {
    if (typeof wx.openPrivacyContract === 'function') wx.openPrivacyContract({});
  },

  async onLogin() {
    if (this.data.submitting) return;
    if (!this.data.agreed) {
      wx.showToast({ title: '请先阅读并同意隐私保护指引', icon: 'none' });
      return;
    }
    this.setData({ submitting: true });
    try {
      auth.agreePrivacy(this.data.privacyVersion);
      await auth.login();
      if (this.redirect) wx.reLaunch({ url: this.redirect });
      else wx.switchTab({ url: '/pages/home/home' });
    } catch (e) {
      // request 已经提示了错误信息，这里只恢复按钮。
    } finally {
      this.setData({ submitting: false });
    }
  },
});
