// 党员管理: the members I look after, one member's record, and revealing a masked detail.
import { download, get, getPage, post } from './request';

/** One page of members: community_id, grid_id, building_id, unit_id, member_type, name,
 * registration (approved | submitted | ended), stars (0 = not rated this year). */
export const listMembers = (query) => getPage('/desk/members', query);

export const getUnits = () => get('/units');

export const getMember = (id) => get(`/members/${id}`);

export const memberActivityLog = (id, query) => getPage(`/members/${id}/activity-log`, query);

/** The field (phone) in full; the server writes who saw it into the audit log. */
export const revealMember = (id, field) => post(`/desk/members/${id}/reveal`, { field });

/** A member's year: hours, points and stars, pledges, party-day attendance, registrations. */
export const memberSummary = (id, year) => get(`/desk/members/${id}/summary`, { year });

/** 一卡一薄 of one member (registration card + activity log), laid out for print. */
export const downloadMemberLedger = (id, name) =>
  download(`/desk/members/${id}/ledger.xlsx`, {}, `一卡一薄-${name || id}.xlsx`);

/** 一卡一薄 of a community for a period (date_from, date_to). */
export const downloadCommunityLedger = (communityId, query) =>
  download(`/desk/communities/${communityId}/ledger.xlsx`, query, `一卡一薄-社区-${communityId}.xlsx`);

/** The community's approved registration cards (登记卡) as Excel. */
export const downloadRegistrationCards = (communityId) =>
  download(`/communities/${communityId}/registration-cards.xlsx`, {}, `登记卡-${communityId}.xlsx`);

/** A member's activity log (活动登记薄) as Excel. */
export const downloadActivityLog = (id, name) =>
  download(`/members/${id}/activity-log.xlsx`, {}, `活动登记薄-${name || id}.xlsx`);
