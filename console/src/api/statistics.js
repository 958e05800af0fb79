// 数据统计: a community's or a street's measures for a period, its Excel, who has not reported.
import { download, get } from './request';

export const getStatistics = (query) => get('/statistics', query);

export const listNotReported = (query) => get('/statistics/not-reported', query);

export const downloadStatistics = (query) =>
  download('/statistics.xlsx', query, `数据统计-${query.period}.xlsx`);
