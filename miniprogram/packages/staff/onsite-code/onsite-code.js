// 现场签到码：全屏、高亮、按服务端 expires_in 轮换；写明是哪个活动、什么时间，便于核对。
// 码里是链接 <clockLinkPrefix>?scene=<签到码>，党员用微信「扫一扫」或小程序里的「扫码签到」都能签到签退。
// 二维码画成图片（qrcode-generator 生成 GIF data URL）。换码失败时不留着已过期的码。离开页面时恢复原来的亮度。
const config = require('../../../config');
const api = require('../../../services/api');
const format = require('../../../utils/format');
const qr = require('../../../utils/qr');

const FALLBACK_SECONDS = 30;
const RETRY_SECONDS = 5;

function linkFor(code) {
  return `${config.clockLinkPrefix}?scene=${encodeURIComponent(code)}`;
}

Page({
  data: { id: null, title: '', time: '', src: '', left: 0, error: '', ended: false },

  onLoad(query = {}) {
    this.setData({ id: Number(query.id) });
    this.loadActivity();
    return this.refresh();
  },

  onShow() {
    this.brighten();
    if (!this.refreshTimer && this.loadedOnce) this.refresh();
  },

  onHide() {
    this.stop();
    this.restoreBrightness();
  },

  onUnload() {
    this.stop();
    this.restoreBrightness();
  },

  // 调到最亮、屏幕常亮；记下原来的亮度，离开时还原。
  brighten() {
    if (wx.setKeepScreenOn) wx.setKeepScreenOn({ keepScreenOn: true });
    if (!wx.setScreenBrightness) return;
    const raise = () => wx.setScreenBrightness({ value: 1 });
    if (wx.getScreenBrightness && this.savedBrightness === undefined) {
      wx.getScreenBrightness({
        success: (res) => {
          this.savedBrightness = res.value;
          raise();
        },
        fail: raise,
      });
    } else {
      raise();
    }
  },

  restoreBrightness() {
    if (wx.setKeepScreenOn) wx.setKeepScreenOn({ keepScreenOn: false });
    if (wx.setScreenBrightness && typeof this.savedBrightness === 'number') {
      wx.setScreenBrightness({ value: this.savedBrightness });
    }
    this.savedBrightness = undefined;
  },

  async loadActivity() {
    try {
      const a = await api.getActivity(this.data.id, { loading: false, showError: false });
      this.setData({ title: a.title, time: format.timeRange(a.starts_at, a.ends_at) });
    } catch (e) {
      // 标题取不到不影响签到码本身。
    }
  },

  stop() {
    clearTimeout(this.refreshTimer);
    clearInterval(this.tickTimer);
    this.refreshTimer = null;
    this.tickTimer = null;
  },

  async refresh() {
    this.stop();
    let wait = RETRY_SECONDS;
    try {
      const res = await api.onsiteCode(this.data.id, { loading: false, showError: false });
      const image = qr.image(linkFor(res.code));
      this.setData({ src: image.src, left: res.expires_in, error: '' });
      wait = Math.max(1, res.expires_in || res.window_seconds || FALLBACK_SECONDS);
    } catch (err) {
      // 旧码很快就过期：不再显示，免得党员扫了白扫。
      this.setData({ src: '', left: 0, error: `${err.message || '签到码获取失败'}，${RETRY_SECONDS} 秒后自动重试` });
    }
    this.loadedOnce = true;
    this.tickTimer = setInterval(() => {
      if (this.data.left > 0) this.setData({ left: this.data.left - 1 });
    }, 1000);
    this.refreshTimer = setTimeout(() => this.refresh(), wait * 1000);
  },
});
