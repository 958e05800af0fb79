// 审计日志: the audit log of the caller's scope, and its Excel download.
import { download, get, getPage } from './request';

export const listAuditEntries = (query) => getPage('/audit-entries', query);

export const downloadAuditEntries = (query) =>
  download('/audit-entries.xlsx', query, '审计日志.xlsx');

/** [{action, label}]: the actions with their Chinese names, for the filter. */
export const listAuditActions = () => get('/audit-actions');
