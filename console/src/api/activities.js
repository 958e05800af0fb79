// 活动管理: a community's activities, create/edit, publish, cancel, copies, roster, on-site code.
import { download, get, getPage, patch, post, put } from './request';

export const CATEGORIES = [
  { value: 'environment', label: '环境整治' },
  { value: 'civility', label: '文明劝导' },
  { value: 'patrol', label: '平安巡逻' },
  { value: 'elder_help', label: '助老助残' },
  { value: 'publicity', label: '政策宣传' },
  { value: 'party_day', label: '党员活动日' },
  { value: 'dedication_day', label: '党员奉献日' },
  { value: 'other', label: '其他' },
];

export const STATUSES = [
  { value: 'draft', label: '草稿' },
  { value: 'published', label: '报名中' },
  { value: 'in_progress', label: '进行中' },
  { value: 'ended', label: '已结束' },
  { value: 'archived', label: '已归档' },
  { value: 'cancelled', label: '已取消' },
];

export const MEMBER_TYPES = [
  { value: 'in_service', label: '在职党员' },
  { value: 'direct', label: '直管党员' },
  { value: 'retired', label: '离退休党员' },
  { value: 'floating', label: '流动党员' },
];

/** One page of a community's activities: status, category, date_from, date_to (YYYY-MM-DD). */
export const listActivities = (communityId, query) =>
  getPage(`/desk/communities/${communityId}/activities`, query);

export const getActivity = (id) => get(`/activities/${id}`);

export const createActivity = (communityId, body) =>
  post(`/communities/${communityId}/activities`, body);

export const updateActivity = (id, body) => patch(`/activities/${id}`, body);

export const publishActivity = (id) => post(`/activities/${id}/publish`);

export const cancelActivity = (id, reason) => post(`/activities/${id}/cancel`, { reason });

/** Drafts copied from an activity: {starts_at?, repeat_weekly_until?} → [Activity]. */
export const copyActivity = (id, body) => post(`/desk/activities/${id}/copies`, body);

export const getRoster = (id) => get(`/activities/${id}/roster`);

export const getOnsiteCode = (id) => get(`/activities/${id}/onsite-code`);

export const downloadRecords = (id) => download(`/activities/${id}/records.xlsx`, {}, `活动记录-${id}.xlsx`);

/** What edits changed after publishing: [{field_label, old, new, by, at, announced}]. */
export const activityChanges = (id) => get(`/desk/activities/${id}/changes`);

// 志愿服务记录: an activity's records (with names), 补录, 更正, hours per member
export const activityHoursRecords = (id) => get(`/desk/activities/${id}/hours-records`);

/** 补录: {member_id, hours, reason}; waits for a second person's approval in 待办. */
export const addManualRecord = (id, body) => post(`/activities/${id}/hours-records`, body);

/** 更正: {hours, reason} for an approved record; waits for a second person's approval. */
export const correctRecord = (recordId, body) => post(`/hours-records/${recordId}/corrections`, body);

/** {rows: [{member_id, name, hours, records}], members, total_hours}; date_from, date_to, activity_id. */
export const hoursPerMember = (communityId, query) =>
  get(`/desk/communities/${communityId}/hours-per-member`, query);

/** 撤销: a record of zero hours superseding an approved one, once a second person approves. */
export const reverseRecord = (recordId, reason) => post(`/hours-records/${recordId}/reversal`, { reason });

/** The community's hours rule: {missing_clockout, rounding, min_share}. */
export const getHoursRule = (communityId) => get(`/communities/${communityId}/hours-rule`);

export const putHoursRule = (communityId, body) => put(`/communities/${communityId}/hours-rule`, body);
