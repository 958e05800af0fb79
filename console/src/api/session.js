// Console login (scan a QR code, or a demo code in development) and the console session.
import { del, get, post, put } from './request';

export const getConsoleConfig = () => get('/console/config');

export const createLoginTicket = () => post('/console/login-tickets', {});

export const pollLoginTicket = (ticket) =>
  get(`/console/login-tickets/${encodeURIComponent(ticket)}`, undefined, {
    allowUnauthorized: true,
  });

export const demoLogin = (code) =>
  post('/console/demo-login', { code }, { allowUnauthorized: true });

export const getSession = () => get('/console/session', undefined, { allowUnauthorized: true });

export const setActingFor = (grantId) => put('/console/session/acting-for', { grant_id: grantId });

export const logout = () => post('/console/logout', {}, { allowUnauthorized: true });

export const listSessions = () => get('/console/sessions');

export const endSession = (id) => del(`/console/sessions/${encodeURIComponent(id)}`);

export const logoutEverywhere = () =>
  post('/console/logout-everywhere', {}, { allowUnauthorized: true });
