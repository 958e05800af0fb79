// 党员管理: the members I look after, one member's record, and revealing a masked detail.
import { get, getPage, post } from './request';

/** One page of members: community_id, grid_id, member_type, name. */
export const listMembers = (query) => getPage('/members', query);

export const getMember = (id) => get(`/members/${id}`);

export const memberActivityLog = (id, query) => getPage(`/members/${id}/activity-log`, query);

/** The field (phone) in full; the server writes who saw it into the audit log. */
export const revealMember = (id, field) => post(`/desk/members/${id}/reveal`, { field });
