// 签到/签退：扫描现场负责人手机上的轮换签到码（wx.scanCode），或在同意位置授权后用 gcj02 定位。
const api = require('./api');

/**
 * 扫码结果里取出签到码。现场码可能是原始码（如 "5.k2x1.abcdefghijklmnop"），
 * 也可能是小程序码/链接带的 scene（"scene=5.k2x1..."、"pages/x?scene=..."，可能被 URL 编码）。
 */
function codeFromScan(res) {
  const raw = String((res && (res.result || res.path)) || '').trim();
  if (!raw) return '';
  const match = /(?:^|[?&])scene=([^&#]+)/.exec(raw);
  let code = match ? match[1] : raw;
  try {
    code = decodeURIComponent(code);
  } catch (e) {
    // 保留原样。
  }
  return code.trim();
}

/**
 * 微信「扫一扫」打开小程序时的启动参数里取签到码：小程序码带 scene（已 URL 编码），
 * 「扫普通链接二维码打开小程序」带 q（整条链接，URL 编码，链接里有 ?scene=<码>）。
 */
function codeFromLaunch(query) {
  const q = query || {};
  if (q.scene) return codeFromScan({ result: `scene=${q.scene}` });
  if (q.q) {
    let url = q.q;
    try {
      url = decodeURIComponent(url);
    } catch (e) {
      // 保留原样。
    }
    return /[?&]scene=/.test(url) ? codeFromScan({ result: url }) : '';
  }
  return '';
}

/**
 * 本人在某活动的到场状态（signed_up / clocked_in / clocked_out / unconfirmed …），从「我的活动记录」里找；
 * 找不到（没报名、或不在最近 50 条里）返回 'none'。扫码时据此决定签到还是签退。
 */
async function attendanceState(activityId) {
  const { items } = await api.myActivityLog({ page: 1, pageSize: 50 }, { loading: '正在查询', showError: false });
  const entry = (items || []).find((e) => e.activity && e.activity.id === activityId);
  return { state: entry ? entry.state : 'none', attendance: entry ? entry.attendance : null };
}

/** 签到码第一段是活动 id（36 进制）；解析不出返回 null。 */
function activityIdFromCode(code) {
  const first = String(code || '').split('.')[0];
  if (!/^[0-9a-z]+$/i.test(first)) return null;
  const id = parseInt(first, 36);
  return Number.isFinite(id) && id > 0 ? id : null;
}

function scan() {
  return new Promise((resolve, reject) => {
    wx.scanCode({
      onlyFromCamera: true,
      scanType: ['qrCode', 'wxCode'],
      success: resolve,
      fail: (err) => reject(Object.assign(new Error('scan_cancelled'), { errMsg: err && err.errMsg })),
    });
  });
}

function locate() {
  return new Promise((resolve, reject) => {
    wx.getLocation({
      type: 'gcj02',
      isHighAccuracy: true,
      highAccuracyExpireTime: 4000,
      success: resolve,
      fail: (err) => reject(Object.assign(new Error('location_failed'), { errMsg: (err && err.errMsg) || '' })),
    });
  });
}

// 按服务端的错误码给出下一步怎么做。
const ADVICE = {
  qr_code_expired: '请扫描现场最新的签到码（签到码每 30 秒更新一次）',
  qr_code_invalid: '请对准现场负责人手机上的签到码重新扫描',
  qr_code_other_activity: '请确认扫描的是本活动现场的签到码',
  location_accuracy_too_poor: '请到室外开阔处稍等片刻再试，或改为扫描现场签到码',
  outside_geofence: '请到活动地点附近再试，或扫描现场负责人手机上的签到码',
  location_missing: '请打开手机定位后重试，或改为扫码签到',
  location_not_available: '本活动只能扫码签到，请扫描现场签到码',
  location_consent_required: '可在「我的」里开启位置打卡，或直接扫码签到',
  not_signed_up: '请先报名本活动，或联系现场负责人',
  signup_waitlisted: '您仍在候补，如有空位请联系现场负责人',
  clockin_not_open: '请在活动开始前一段时间再来签到',
  clockin_closed: '如确有参加，可在「我的活动记录」里提出申诉，或联系社区补录',
  clockout_closed: '如有疑问，可在「我的活动记录」里提出申诉',
  not_clocked_in: '请先签到',
  network_error: '网络恢复后再点一次，不会重复记录',
};

function adviceFor(code) {
  return ADVICE[code] || '如有疑问请联系现场负责人';
}

/** action: 'in' | 'out'；proof: {method:'qr', code} | {method:'location', latitude, longitude, accuracy}。 */
function submit(action, activityId, proof) {
  const call = action === 'out' ? api.clockOut : api.clockIn;
  return call(activityId, proof, { loading: action === 'out' ? '正在签退' : '正在签到', showError: false });
}

module.exports = { codeFromScan, codeFromLaunch, activityIdFromCode, attendanceState, scan, locate, adviceFor, submit, ADVICE };
