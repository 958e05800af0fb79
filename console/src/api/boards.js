// 先锋榜 / 荣誉榜: a board of my scope, its Excel, and the printable honour board (PDF).
import { download, get } from './request';

export const getBoard = (query) => get('/points/leaderboards', query);

export const downloadBoard = (query) =>
  download('/boards/leaderboard.xlsx', query, `先锋榜-${query.period}.xlsx`);

export const downloadHonourBoard = (query) =>
  download('/boards/honour-board.pdf', query, `荣誉榜-${query.period}.pdf`);
