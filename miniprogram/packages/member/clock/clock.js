// 签到 / 签退：扫描现场签到码，或（仅在本人同意位置授权后）按 gcj02 定位；结果页写清楚成功与否和下一步怎么做。
const auth = require('../../../services/auth');
const clock = require('../../../services/clock');
const format = require('../../../utils/format');

const METHOD_LABEL = { qr: '扫码', location: '定位' };

Page({
  data: {
    id: null,
    action: 'in',
    actionLabel: '签到',
    locationConsent: false,
    busy: false,
    result: null,
  },

  onLoad(query = {}) {
    const action = query.action === 'out' ? 'out' : 'in';
    this.setData({ id: query.id ? Number(query.id) : null, action, actionLabel: action === 'out' ? '签退' : '签到' });
    wx.setNavigationBarTitle && wx.setNavigationBarTitle({ title: action === 'out' ? '签退' : '签到' });
    return this.loadConsent();
  },

  async loadConsent() {
    let me = auth.currentUser();
    try {
      me = await auth.fetchMe({ loading: false, showError: false });
    } catch (e) {
      // 用缓存。
    }
    this.setData({ locationConsent: !!(me && me.member && me.member.location_consent) });
  },

  async onScan() {
    if (this.data.busy) return;
    let res;
    try {
      res = await clock.scan();
    } catch (e) {
      return; // 用户取消扫码：留在本页。
    }
    const code = clock.codeFromScan(res);
    const id = this.data.id || clock.activityIdFromCode(code);
    if (!code || !id) {
      this.fail({ code: 'qr_code_invalid', message: '二维码无法识别，请扫描现场负责人手机上的签到码' });
      return;
    }
    await this.send(id, { method: 'qr', code });
  },

  async onLocate() {
    if (this.data.busy) return;
    if (!this.data.locationConsent) {
      this.fail({ code: 'location_consent_required', message: '您尚未开启位置打卡，请扫描现场签到码' });
      return;
    }
    if (!this.data.id) {
      this.fail({ code: 'location_not_available', message: '请从活动详情进入后再用定位打卡，或直接扫码' });
      return;
    }
    let fix;
    try {
      fix = await clock.locate();
    } catch (e) {
      const denied = /auth|deny|denied/i.test(e.errMsg || '');
      this.fail({
        code: 'location_missing',
        message: denied ? '没有获得位置权限，无法定位打卡' : '未获取到您的位置',
      });
      return;
    }
    await this.send(this.data.id, { method: 'location', latitude: fix.latitude, longitude: fix.longitude, accuracy: fix.accuracy });
  },

  async send(id, proof) {
    this.setData({ busy: true });
    try {
      const att = await clock.submit(this.data.action, id, proof);
      const at = this.data.action === 'out' ? att.clock_out_at : att.clock_in_at;
      this.setData({
        result: {
          ok: true,
          title: `${this.data.actionLabel}成功`,
          message: `${format.formatDateTime(at)} · ${METHOD_LABEL[proof.method]}${this.data.actionLabel}`,
          advice: this.data.action === 'out' ? '服务时长已记录，可在「我的活动记录」查看' : '活动结束时记得签退',
          code: '',
          activityId: id,
        },
      });
    } catch (err) {
      this.fail(err);
    } finally {
      this.setData({ busy: false });
    }
  },

  fail(err) {
    const code = err.code || '';
    this.setData({
      result: {
        ok: false,
        title: `${this.data.actionLabel}未成功`,
        message: err.message || '请稍后再试',
        advice: clock.adviceFor(code),
        code,
        suggestQr: /^location|outside_geofence/.test(code),
      },
    });
  },

  again() {
    this.setData({ result: null });
  },

  goProfile() {
    wx.switchTab({ url: '/pages/profile/profile' });
  },

  goLog() {
    wx.navigateTo({ url: '/packages/member/log/log' });
  },

  done() {
    wx.navigateBack({ delta: 1 });
  },
});
