// 待办: everything waiting for my decision, and decisions on one or many.
import { get, post } from './request';

/** The kinds, in the order the inbox shows them (the server's labels are keyed by these). */
export const KINDS = ['registration', 'hours_record', 'manual_award', 'appeal', 'unconfirmed', 'pledge_note'];

/** {counts: {kind: n}, labels: {kind: 中文}, total, items: [{kind, kind_label, id, …}]} */
export const getInbox = (query) => get('/desk/inbox', query);

/** decision: 'approve' | 'reject'; items: [{kind, id}] → [{kind, id, ok, code, message}] */
export const decide = (decision, items, reason = '') =>
  post('/desk/inbox/decisions', { decision, items, reason });
