// 积分管理: rules, star levels, manual awards (approved by a second person in 待办), a member's
// ledger and reversing an entry.
import { get, getPage, post, put } from './request';

export const RULE_KINDS = [
  { value: 'hours', label: '志愿服务时长（每小时）' },
  { value: 'party_day', label: '固定党员活动日' },
  { value: 'pledge_note', label: '承诺践诺' },
  { value: 'absence', label: '无故缺席' },
  { value: 'manual', label: '人工加减分' },
];

export const listRules = (communityId) => get('/points/rules', { community_id: communityId });

/** {scope_type, scope_id, kind, category, points, daily_cap, monthly_cap, effective_from} */
export const addRule = (body) => post('/points/rules', body);

export const getStarLevels = (communityId, year) =>
  get('/points/star-levels', { community_id: communityId, year });

/** {scope_type, scope_id, year, levels: [{level, min_points, min_hours}]} */
export const putStarLevels = (body) => put('/points/star-levels', body);

export const listAwards = (query) => getPage('/points/manual-awards', query);

/** {member_id, amount, reason}: waits for another person's approval in 待办. */
export const proposeAward = (body) => post('/points/manual-awards', body);

export const memberPoints = (memberId) => get(`/points/members/${memberId}`);

export const memberEntries = (memberId, query) => getPage(`/points/members/${memberId}/entries`, query);

export const reverseEntry = (entryId, reason) => post(`/points/entries/${entryId}/reverse`, { reason });
