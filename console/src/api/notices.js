// 通知 (网上动员): a community's notices, the reach of an audience, sending, cancelling, figures.
import { get, getPage, post } from './request';

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
