// 主题党日: the fixed party day's settings, the days, attendance, make-up sessions and bookings,
// and the street's dedication days (党员奉献日).
import { get, post, put } from './request';

export const getSettings = (communityId) => get(`/communities/${communityId}/party-day-settings`);
export const saveSettings = (communityId, body) => put(`/communities/${communityId}/party-day-settings`, body);
export const listPartyDays = (communityId, year) => get(`/communities/${communityId}/party-days`, { year });
/** {party_day, attended: [...], booked_makeup: [...], missing: [...]} for one month "YYYY-MM". */
export const attendance = (communityId, month) =>
  get(`/communities/${communityId}/party-day-attendance`, { month });
export const listMakeups = (communityId, month) =>
  get(`/communities/${communityId}/makeup-sessions`, month ? { month } : {});
export const openMakeup = (communityId, body) => post(`/communities/${communityId}/makeup-sessions`, body);
export const listBookings = (sessionId) => get(`/makeup-sessions/${sessionId}/bookings`);
export const listDedicationDays = (streetId) => get(`/streets/${streetId}/dedication-days`);
export const declareDedicationDay = (streetId, body) => post(`/streets/${streetId}/dedication-days`, body);
