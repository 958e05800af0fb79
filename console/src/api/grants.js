// 角色授权: who holds which role over which place, granted by whom and when.
import { del, getPage, post } from './request';

export const listGrants = (query) => getPage('/role-grants', query);

export const createGrant = (body) => post('/role-grants', body);

export const revokeGrant = (id) => del(`/role-grants/${id}`);
