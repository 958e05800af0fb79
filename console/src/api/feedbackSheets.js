// 反馈单: the feedback sheets to employer units, from generating them to the unit's 回执.
import { download, get, post, put } from './request';

export const listSheets = (query) => get('/feedback-sheets', query);

export const generateSheets = (communityId, period) =>
  post('/feedback-sheets/generate', { community_id: communityId, period });

export const getSheet = (id) => get(`/feedback-sheets/${id}`);

export const writeComment = (id, memberId, comment) =>
  put(`/feedback-sheets/${id}/comments/${memberId}`, { comment });

export const setGrade = (id, memberId, grade, reason) =>
  put(`/feedback-sheets/${id}/grades/${memberId}`, { grade, reason: reason || undefined });

export const signSheet = (id) => post(`/feedback-sheets/${id}/sign`);
export const sendSheet = (id) => post(`/feedback-sheets/${id}/send`);
export const remindSheet = (id) => post(`/feedback-sheets/${id}/remind`);
export const acknowledgeSheet = (id) => post(`/feedback-sheets/${id}/acknowledge`);

export const downloadSheet = (sheet) =>
  download(`/feedback-sheets/${sheet.id}.xlsx`, {}, `反馈单-${sheet.unit.name}-${sheet.period}.xlsx`);
