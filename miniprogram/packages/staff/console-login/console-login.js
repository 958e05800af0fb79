// 扫码登录管理后台：扫电脑上的登录二维码（内容 party-console-login:<ticket>），看清是哪台电脑在请求，再确认。
// 接口：GET /console/login-tickets/<ticket>/request → {browser, address, created_at, expires_at}；
//       POST /console/login-tickets/<ticket>/confirm（带本人令牌）。
const api = require('../../../services/api');
const clock = require('../../../services/clock');
const format = require('../../../utils/format');

const PREFIX = 'party-console-login:';
const MESSAGES = {
  ticket_expired: '二维码已过期，请在电脑上刷新后重新扫描',
  ticket_used: '这个二维码已经用过了，请在电脑上刷新后重新扫描',
  ticket_not_found: '没有找到这个登录请求，请重新扫描电脑上的二维码',
  not_staff: '您的账号没有管理后台的权限，请联系街道或社区管理员',
};

function ticketFrom(text) {
  const raw = String(text || '').trim();
  return raw.startsWith(PREFIX) ? raw.slice(PREFIX.length).trim() : '';
}

Page({
  data: { ticket: '', request: null, done: false, error: '', busy: false },

  onLoad() {
    return this.scan();
  },

  async scan() {
    let res;
    try {
      res = await clock.scan();
    } catch (e) {
      return; // 取消扫码：留在本页，可再点「扫码」。
    }
    const ticket = ticketFrom(res.result);
    if (!ticket) {
      this.setData({ ticket: '', request: null, done: false, error: '这不是管理后台的登录二维码，请扫描电脑登录页上的二维码' });
      return;
    }
    this.setData({ ticket, request: null, done: false, error: '' });
    try {
      const req = await api.consoleLoginRequest(ticket, { loading: '正在查询', showError: false });
      this.setData({
        request: {
          browser: req.browser || '未知浏览器',
          address: req.address || '未知',
          createdAt: format.formatDateTime(req.created_at),
          expiresAt: format.formatDateTime(req.expires_at).slice(11),
        },
      });
    } catch (err) {
      this.setData({ error: MESSAGES[err.code] || err.message });
    }
  },

  async confirm() {
    if (this.data.busy) return;
    this.setData({ busy: true });
    try {
      await api.confirmConsoleLogin(this.data.ticket, { loading: '正在确认', showError: false });
      this.setData({ done: true, request: null });
    } catch (err) {
      this.setData({ error: MESSAGES[err.code] || err.message, request: null });
    } finally {
      this.setData({ busy: false });
    }
  },

  back() {
    wx.navigateBack({ delta: 1 });
  },
});
