// 时间与显示格式：一律按北京时间（Asia/Shanghai，UTC+8，无夏令时）显示，不依赖手机时区。
const SHANGHAI_OFFSET_MINUTES = 8 * 60;

function pad(n) {
  return n < 10 ? `0${n}` : `${n}`;
}

function toDate(value) {
  if (value instanceof Date) return value;
  if (typeof value === 'number') return new Date(value);
  if (typeof value === 'string' && value) {
    // iOS 的 Date 不认 "2026-11-23 09:00:00"，服务端给的是 ISO 8601（含 +08:00），这里兼容两种。
    const iso = /[Tt]/.test(value) ? value : value.replace(' ', 'T');
    const date = new Date(iso);
    if (!Number.isNaN(date.getTime())) return date;
  }
  return null;
}

// 把任意时刻转成北京时间的各个字段。
function shanghaiParts(value) {
  const date = toDate(value);
  if (!date) return null;
  const shifted = new Date(date.getTime() + SHANGHAI_OFFSET_MINUTES * 60 * 1000);
  return {
    year: shifted.getUTCFullYear(),
    month: shifted.getUTCMonth() + 1,
    day: shifted.getUTCDate(),
    hour: shifted.getUTCHours(),
    minute: shifted.getUTCMinutes(),
    weekday: shifted.getUTCDay(),
  };
}

function formatDate(value) {
  const p = shanghaiParts(value);
  return p ? `${p.year}-${pad(p.month)}-${pad(p.day)}` : '';
}

function formatDateTime(value) {
  const p = shanghaiParts(value);
  return p ? `${p.year}-${pad(p.month)}-${pad(p.day)} ${pad(p.hour)}:${pad(p.minute)}` : '';
}

// 2026年11月23日 周一
function formatDateCn(value) {
  const p = shanghaiParts(value);
  if (!p) return '';
  return `${p.year}年${p.month}月${p.day}日 周${'日一二三四五六'[p.weekday]}`;
}

function greeting(now = new Date()) {
  const p = shanghaiParts(now);
  const hour = p ? p.hour : 12;
  if (hour < 6) return '夜深了';
  if (hour < 11) return '早上好';
  if (hour < 13) return '中午好';
  if (hour < 18) return '下午好';
  return '晚上好';
}

const MEMBER_TYPES = [
  { value: 'in_service', label: '在职党员' },
  { value: 'direct', label: '直管党员' },
  { value: 'retired', label: '离退休党员' },
  { value: 'floating', label: '流动党员' },
];

function memberTypeLabel(value) {
  const found = MEMBER_TYPES.find((t) => t.value === value);
  return found ? found.label : '';
}

// 报到状态：submitted 待审核 / approved 已报到 / rejected 未通过；withdrawn、ended 视为可重新报到。
const REGISTRATION_STATUS = {
  submitted: { label: '待审核', theme: 'warning' },
  approved: { label: '已报到', theme: 'success' },
  rejected: { label: '未通过', theme: 'danger' },
  withdrawn: { label: '已撤回', theme: 'default' },
  ended: { label: '已结束', theme: 'default' },
};

function registrationStatus(status) {
  return REGISTRATION_STATUS[status] || { label: '未报到', theme: 'default' };
}

module.exports = {
  toDate,
  shanghaiParts,
  formatDate,
  formatDateTime,
  formatDateCn,
  greeting,
  MEMBER_TYPES,
  memberTypeLabel,
  registrationStatus,
};

// 活动、报名、到场状态的中文。
const SIGNUP_STATUS = { confirmed: '已报名', waitlisted: '候补中', withdrawn: '已取消报名' };
const ATTENDANCE_STATE = {
  signed_up: '已报名',
  waitlisted: '候补',
  withdrawn: '已取消报名',
  clocked_in: '已签到',
  clocked_out: '已签退',
  unconfirmed: '未签退',
  absent: '缺席',
  none: '未报名',
};
const ACTIVITY_CATEGORIES = [
  { value: '', label: '全部' },
  { value: 'environment', label: '环境整治' },
  { value: 'civility', label: '文明劝导' },
  { value: 'patrol', label: '平安巡逻' },
  { value: 'elder_help', label: '助老助残' },
  { value: 'publicity', label: '政策宣传' },
  { value: 'party_day', label: '党员活动日' },
  { value: 'dedication_day', label: '党员奉献日' },
];

function timeRange(start, end) {
  const s = formatDateTime(start);
  const e = formatDateTime(end);
  if (!s) return '';
  return s.slice(0, 10) === e.slice(0, 10) ? `${s}–${e.slice(11)}` : `${s} 至 ${e}`;
}

/** 北京时间的年月 2026-11。 */
function monthOf(value = new Date()) {
  const p = shanghaiParts(value);
  return p ? `${p.year}-${pad(p.month)}` : '';
}

function hoursText(value) {
  if (value === null || value === undefined || value === '') return '0';
  const n = Number(value);
  return Number.isFinite(n) ? String(Math.round(n * 100) / 100) : String(value);
}

module.exports.SIGNUP_STATUS = SIGNUP_STATUS;
module.exports.ATTENDANCE_STATE = ATTENDANCE_STATE;
module.exports.ACTIVITY_CATEGORIES = ACTIVITY_CATEGORIES;
module.exports.timeRange = timeRange;
module.exports.monthOf = monthOf;
module.exports.hoursText = hoursText;
module.exports.signupLabel = (s) => SIGNUP_STATUS[s] || '';
module.exports.stateLabel = (s) => ATTENDANCE_STATE[s] || s || '';

// 积分：台账里的 rule_key 是「种类:类别」（如 hours:environment），给党员看的是中文，不出现原始键名和会计用语。
const POINT_KINDS = {
  hours: '志愿服务时长',
  party_day: '固定党员活动日',
  pledge_note: '承诺践诺',
  absence: '报名后无故缺席',
  manual: '社区加减分',
};

function categoryLabel(value) {
  const found = ACTIVITY_CATEGORIES.find((c) => c.value === value && value);
  return found ? found.label : '';
}

function pointKindLabel(ruleKey) {
  const [kind, category] = String(ruleKey || '').split(':');
  const base = POINT_KINDS[kind] || '积分';
  const cat = categoryLabel(category);
  return cat ? `${base}（${cat}）` : base;
}

/** 台账一行的说明：规则的中文名，加上社区写的原因；「冲正」说成「更正」。 */
function pointReason(entry) {
  const base = pointKindLabel(entry.rule_key);
  const reason = String(entry.reason || '').replace(/冲正/g, '更正').trim();
  // 同一来源的第二次及以后的记录（revision > 1）是对原记录的更正或撤销。
  const correction = (entry.revision || 1) > 1 ? '更正：' : '';
  return `${correction}${base}${reason && reason !== base ? `：${reason}` : ''}`;
}

module.exports.POINT_KINDS = POINT_KINDS;
module.exports.categoryLabel = categoryLabel;
module.exports.pointKindLabel = pointKindLabel;
module.exports.pointReason = pointReason;
