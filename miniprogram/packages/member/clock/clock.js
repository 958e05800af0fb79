// 签到 / 签退：扫描现场负责人手机上的轮换签到码（wx.scanCode，或微信「扫一扫」带 scene / q 启动本页），
// 或（仅在本人同意位置授权后）按 gcj02 定位；结果页写清楚成功与否和下一步怎么做。
// 从活动列表、首页或微信扫一扫进来时不带 action：扫到码后查本人在该活动的状态，已签到的问一句后签退。
const auth = require('../../../services/auth');
const clock = require('../../../services/clock');
const format = require('../../../utils/format');
const { confirm } = require('../../../utils/modal');

const METHOD_LABEL = { qr: '扫码', location: '定位' };
const ACTION_LABEL = { in: '签到', out: '签退', auto: '签到 / 签退' };
const CLOCK_PAGE = '/packages/member/clock/clock';

Page({
  data: {
    id: null,
    action: 'auto',
    actionLabel: ACTION_LABEL.auto,
    locationConsent: false,
    busy: false,
    result: null,
  },

  onLoad(query = {}) {
    const action = query.action === 'out' || query.action === 'in' ? query.action : 'auto';
    const launchCode = clock.codeFromLaunch(query);
    this.setData({ id: query.id ? Number(query.id) : null, action, actionLabel: ACTION_LABEL[action] });
    if (wx.setNavigationBarTitle) wx.setNavigationBarTitle({ title: action === 'auto' ? '签到签退' : ACTION_LABEL[action] });
    if (launchCode && !auth.hasAgreedCurrentPrivacy()) {
      // 微信扫一扫直接打开本页、还没同意隐私指引：先去登录页，同意后回到这里接着签到。
      const back = `${CLOCK_PAGE}?scene=${encodeURIComponent(launchCode)}`;
      wx.reLaunch({ url: `/pages/login/login?redirect=${encodeURIComponent(back)}` });
      return null;
    }
    const consent = this.loadConsent();
    return launchCode ? consent.then(() => this.useCode(launchCode)) : consent;
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
    await this.useCode(clock.codeFromScan(res));
  },

  async useCode(code) {
    const id = this.data.id || clock.activityIdFromCode(code);
    if (!code || !id) {
      this.fail({ code: 'qr_code_invalid', message: '二维码无法识别，请扫描现场负责人手机上的签到码' });
      return;
    }
    this.setData({ busy: true });
    const action = await this.decideAction(id);
    this.setData({ busy: false });
    if (action) await this.send(id, { method: 'qr', code }, action);
  },

  // 不知道该签到还是签退时，看本人在这个活动的状态：已签到 → 确认后签退；已签退 → 告诉本人；其它 → 签到。
  async decideAction(id) {
    if (this.data.action !== 'auto') return this.data.action;
    let found;
    try {
      found = await clock.attendanceState(id);
    } catch (err) {
      this.fail(err, 'in');
      return null;
    }
    if (found.state === 'clocked_in') {
      const since = format.formatDateTime(found.attendance && found.attendance.clock_in_at).slice(11);
      const yes = await confirm({
        title: '现在签退吗？',
        content: `您已在 ${since || '活动开始后'} 签到。签退后按签到到签退的时间记录本次服务时长。`,
        confirmText: '签退',
        cancelText: '暂不签退',
      });
      return yes ? 'out' : null;
    }
    if (found.state === 'clocked_out') {
      const at = format.formatDateTime(found.attendance && found.attendance.clock_out_at);
      this.setData({
        result: { ok: true, title: '您已签退', message: at ? `签退时间 ${at}` : '', advice: '服务时长已记录，可在「我的活动记录」查看', code: '', action: 'out' },
      });
      return null;
    }
    return 'in';
  },

  async onLocate() {
    if (this.data.busy) return;
    if (!this.data.locationConsent) {
      this.fail({ code: 'location_consent_required', message: '您尚未开启位置打卡，请扫描现场签到码' });
      return;
    }
    if (!this.data.id || this.data.action === 'auto') {
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
    await this.send(this.data.id, { method: 'location', latitude: fix.latitude, longitude: fix.longitude, accuracy: fix.accuracy }, this.data.action);
  },

  async send(id, proof, action) {
    const label = ACTION_LABEL[action];
    this.setData({ busy: true });
    try {
      const att = await clock.submit(action, id, proof);
      const at = action === 'out' ? att.clock_out_at : att.clock_in_at;
      this.setData({
        result: {
          ok: true,
          title: `${label}成功`,
          message: `${format.formatDateTime(at)} · ${METHOD_LABEL[proof.method]}${label}`,
          advice: action === 'out' ? '服务时长已记录，可在「我的活动记录」查看' : '活动结束时再扫一次现场签到码即可签退',
          code: '',
          action,
          activityId: id,
        },
      });
    } catch (err) {
      this.fail(err, action);
    } finally {
      this.setData({ busy: false });
    }
  },

  fail(err, action = this.data.action) {
    const code = err.code || '';
    const label = action === 'auto' ? '签到' : ACTION_LABEL[action];
    this.setData({
      result: {
        ok: false,
        title: `${label}未成功`,
        message: err.message || '请稍后再试',
        advice: clock.adviceFor(code),
        code,
        action,
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
