// 工作人员的审核箱：报到、补录时长、申诉、加减分、履诺记录、未签退，六类待办各自的取数与处理。
// 服务端还没有统一的待办接口，这里按类分别调各自的列表接口；某一类没有权限（如网格员审不了加减分）就不显示。
const api = require('./api');
const format = require('../utils/format');

const quiet = { loading: false, showError: false };

const KINDS = [
  {
    key: 'registrations',
    label: '报到',
    list: (cid, opts) => api.pendingRegistrations(quiet, opts),
    view: (r) => ({
      title: `${r.member ? r.member.name : ''} ${r.member ? format.memberTypeLabel(r.member.member_type) : ''}`.trim(),
      lines: [
        [r.community && r.community.name, r.building && r.building.name, r.room].filter(Boolean).join(' '),
        [r.member && r.member.employer_unit ? r.member.employer_unit.name : '', r.member ? r.member.phone_masked : '', `${format.formatDateTime(r.submitted_at)} 提交`].filter(Boolean).join(' · '),
      ],
    }),
    approve: { label: '通过', run: (id) => api.approveRegistration(id, { loading: '正在通过' }) },
    reject: { label: '退回', placeholder: '退回理由（必填，会告知本人）', run: (id, reason) => api.rejectRegistration(id, reason, { loading: '正在提交' }) },
  },
  {
    key: 'hours',
    label: '补录时长',
    list: (cid, opts) => api.pendingHours(cid, opts, quiet),
    view: (h) => ({
      title: `${h.activity_name || '志愿服务'} · ${format.hoursText(h.hours)} 小时`,
      lines: [`党员编号 ${h.member_id} · ${h.service_date || ''}`, h.reason ? `理由：${h.reason}` : ''].filter(Boolean),
    }),
    approve: { label: '通过', run: (id) => api.approveHours(id, { loading: '正在通过' }) },
    reject: { label: '不通过', placeholder: '不通过的理由（必填）', run: (id, reason) => api.rejectHours(id, reason, { loading: '正在提交' }) },
  },
  {
    key: 'appeals',
    label: '申诉',
    list: (cid, opts) => api.openAppeals(cid, opts, quiet),
    view: (a) => ({
      title: `${a.member_name || ''} · ${a.activity_title || ''}`,
      lines: [`申诉：${a.reason}`, `${format.formatDateTime(a.created_at)} 提出`],
    }),
    approve: { label: '申诉成立', needsReason: true, placeholder: '处理结果（必填，会告知本人）', run: (id, reason) => api.resolveAppeal(id, 'upheld', reason, { loading: '正在提交' }) },
    reject: { label: '不成立', placeholder: '不成立的理由（必填，会告知本人）', run: (id, reason) => api.resolveAppeal(id, 'dismissed', reason, { loading: '正在提交' }) },
  },
  {
    key: 'awards',
    label: '加减分',
    list: (cid, opts) => api.pendingAwards(cid, opts, quiet),
    view: (w) => ({
      title: `党员编号 ${w.member_id} · ${w.amount > 0 ? '+' : ''}${w.amount} 分`,
      lines: [`理由：${w.reason}`, `${format.formatDateTime(w.requested_at)} 申请`],
    }),
    approve: { label: '批准', run: (id) => api.approveAward(id, { loading: '正在批准' }) },
    reject: { label: '不批准', placeholder: '不批准的理由（必填）', run: (id, reason) => api.rejectAward(id, reason, { loading: '正在提交' }) },
  },
  {
    key: 'notes',
    label: '履诺记录',
    list: (cid, opts) => api.submittedNotes(cid, opts, quiet),
    view: (n) => ({
      title: `履诺记录 · ${format.formatDateTime(n.created_at)}`,
      lines: [n.content, (n.photo_urls || []).length ? `附照片 ${n.photo_urls.length} 张（在电脑端查看）` : ''].filter(Boolean),
    }),
    approve: { label: '核实', run: (id) => api.verifyNote(id, { loading: '正在提交' }) },
    reject: { label: '退回', placeholder: '退回理由（必填，会告知本人）', run: (id, reason) => api.returnNote(id, reason, { loading: '正在提交' }) },
  },
  {
    key: 'unconfirmed',
    label: '未签退',
    list: (cid, opts) => api.unconfirmedAttendances(cid, opts, quiet),
    id: (u) => u.attendance && u.attendance.id,
    view: (u) => ({
      title: `${u.member_name || ''} · ${u.activity_title || ''}`,
      lines: [`签到 ${format.formatDateTime(u.attendance && u.attendance.clock_in_at)}，没有签退`],
    }),
    approve: { label: '确认到场', needsReason: true, placeholder: '确认理由（必填，如：现场核实到场至结束）', run: (id, reason) => api.confirmAttendance(id, reason, { loading: '正在提交' }) },
    reject: null,
  },
];

function kind(key) {
  return KINDS.find((k) => k.key === key);
}

/** 每类待办的条数：{key: count|null}；null 表示这一类没有权限或没取到。 */
async function counts(communityId) {
  const results = await Promise.all(KINDS.map((k) => k.list(communityId, { pageSize: 1 }).then(
    ({ items, pagination }) => (pagination ? pagination.total : items.length),
    () => null,
  )));
  const out = {};
  KINDS.forEach((k, i) => {
    out[k.key] = results[i];
  });
  return out;
}

function total(countMap) {
  return Object.values(countMap || {}).reduce((n, c) => n + (c || 0), 0);
}

/** 某一类的待办，转成页面显示用的 {id, title, lines}。 */
async function items(key, communityId) {
  const k = kind(key);
  const { items: rows } = await k.list(communityId, { pageSize: 50 });
  return rows.map((row) => ({ id: k.id ? k.id(row) : row.id, ...k.view(row) }));
}

module.exports = { KINDS, kind, counts, total, items };
