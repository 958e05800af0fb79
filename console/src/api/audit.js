// 审计日志: the audit log of the caller's scope, and its Excel download.
import { download, getPage } from './request';

export const listAuditEntries = (query) => getPage('/audit-entries', query);

export const downloadAuditEntries = (query) =>
  download('/audit-entries.xlsx', query, '审计日志.xlsx');
