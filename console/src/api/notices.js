// 通知 (网上动员): a community's notices, the reach of an audience, sending, cancelling, figures.
import { get, getPage, post, put } from './request';

export const AUDIENCE_TYPES = [
  { value: 'community', label: '全体党员' },
  { value: 'grids', label: '按网格' },
  { value: 'buildings', label: '按楼栋' },
  { value: 'units', label: '按工作单位' },
  { value: 'member_types', label: '按党员类别' },
  { value: 'activity', label: '活动报名党员' },
];

export const NOTICE_STATUS = {
  scheduled: { label: '定时待发', theme: 'warning' },
  sent: { label: '已发送', theme: 'success' },
  cancelled: { label: '已取消', theme: 'default' },
};

/** The kinds of notice: written by staff, or sent automatically on an event. */
export const NOTICE_KINDS = [
  { value: 'notice', label: '工作人员发的通知' },
  { value: 'activity_reminder', label: '活动开始提醒' },
  { value: 'signup_confirmed', label: '报名成功' },
  { value: 'signup_promoted', label: '候补转正' },
  { value: 'activity_changed', label: '活动变更' },
  { value: 'activity_cancelled', label: '活动取消' },
  { value: 'party_day_reminder', label: '主题党日提醒' },
  { value: 'party_day_makeup', label: '补课提醒' },
  { value: 'desk_todo', label: '待办提醒（工作人员）' },
];

export const listNotices = (communityId, query) =>
  getPage(`/communities/${communityId}/notices`, { kind: 'notice', ...query });

/** {reached, with_credit, without_credit, template_configured, audience} — nothing is sent. */
export const noticeReach = (communityId, audience) =>
  post(`/desk/communities/${communityId}/notice-reach`, { audience });

/** {title, body, audience, activity_id?, send_at?} → the notice with its figures. */
export const sendNotice = (communityId, body) => post(`/communities/${communityId}/notices`, body);

export const getNotice = (id) => get(`/notices/${id}`);

export const cancelNotice = (id) => post(`/notices/${id}/cancel`);

/** The subscribe message as it will look: {template_configured, ok, fields: [{key, value, limit, problem…}]}. */
export const noticePreview = (communityId, body) =>
  post(`/desk/communities/${communityId}/notice-preview`, body);

/** {step: 'hour' | 'day', points: [{at, sent, read}]} — counted up to each point. */
export const noticeTimeline = (id) => get(`/desk/notices/${id}/timeline`);

/** One page of who has not read it: [{member_id, name, phone_masked, building, room}]. */
export const noticeUnread = (id, query) => getPage(`/desk/notices/${id}/unread`, query);

/** What a template's field may be filled from (server/notices/templates.py SOURCES). */
export const FIELD_SOURCES = [
  { value: 'title', label: '通知标题' },
  { value: 'body', label: '通知内容' },
  { value: 'community', label: '社区名称' },
  { value: 'activity_title', label: '活动名称' },
  { value: 'activity_time', label: '活动时间' },
  { value: 'activity_address', label: '活动地点' },
  { value: 'sent_at', label: '发送时间' },
  { value: 'note', label: '温馨提示' },
];

export const PURPOSES = {
  notice: '社区通知',
  activity_reminder: '活动开始提醒',
  signup_confirmed: '报名成功',
  signup_promoted: '候补转正',
  activity_changed: '活动变更',
  activity_cancelled: '活动取消',
  party_day_reminder: '主题党日提醒',
  party_day_makeup: '补课提醒',
  desk_todo: '待办提醒（工作人员）',
};

export const listSubscribeTemplates = () => get('/subscribe-templates');
/** Street admins only: {template_id, title, page?, active, fields: [{key, source | value, truncate}]}. */
export const saveSubscribeTemplate = (purpose, body) => put(`/subscribe-templates/${purpose}`, body);
