// What the desk tells me: the daily digest of my inbox and new appeals (the bell).
import { get, post } from './request';

/** {unread, items: [{id, kind, title, body, link, created_at, read_at}]} */
export const myNotifications = () => get('/desk/notifications');

/** ids: the ones to mark read; none: all of mine. */
export const readNotifications = (ids = []) => post('/desk/notifications/read', { ids });
