// 现场签到码：全屏、高亮、每 30 秒（按服务端 expires_in）换一次；屏幕常亮、调高亮度。
// 二维码用 qrcode-generator 生成矩阵，用 view 网格画出来（不依赖 canvas），下方同时显示码的文字。
const api = require('../../../services/api');
const qr = require('../../../utils/qr');

const FALLBACK_SECONDS = 30;

Page({
  data: { id: null, code: '', matrix: [], size: 0, left: 0, error: '' },

  onLoad(query = {}) {
    this.setData({ id: Number(query.id) });
    if (wx.setKeepScreenOn) wx.setKeepScreenOn({ keepScreenOn: true });
    if (wx.setScreenBrightness) wx.setScreenBrightness({ value: 1 });
    return this.refresh();
  },

  onUnload() {
    this.stop();
    if (wx.setKeepScreenOn) wx.setKeepScreenOn({ keepScreenOn: false });
  },

  onHide() {
    this.stop();
  },

  onShow() {
    if (this.data.code && !this.refreshTimer) this.refresh();
  },

  stop() {
    clearTimeout(this.refreshTimer);
    clearInterval(this.tickTimer);
    this.refreshTimer = null;
    this.tickTimer = null;
  },

  async refresh() {
    this.stop();
    let wait = 5;
    try {
      const res = await api.onsiteCode(this.data.id, { loading: false, showError: false });
      const matrix = qr.matrix(res.code);
      this.setData({ code: res.code, matrix, size: matrix.length, left: res.expires_in, error: '' });
      wait = Math.max(1, res.expires_in || res.window_seconds || FALLBACK_SECONDS);
    } catch (err) {
      this.setData({ error: err.message || '签到码获取失败，正在重试' });
    }
    this.tickTimer = setInterval(() => {
      if (this.data.left > 0) this.setData({ left: this.data.left - 1 });
    }, 1000);
    this.refreshTimer = setTimeout(() => this.refresh(), wait * 1000);
  },
});
