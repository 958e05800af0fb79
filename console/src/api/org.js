// 组织架构: districts, streets, communities, grids, buildings and employer units.
import { del, getAll, getPage, get, patch, post } from './request';

const KINDS = ['streets', 'communities', 'grids', 'buildings', 'units'];

export const listDistricts = () => get('/org/districts');

/** One page of places of a kind (streets, communities, grids, buildings, units). */
export function listPlaces(kind, query) {
  if (!KINDS.includes(kind)) throw new Error(`unknown place kind ${kind}`);
  return getPage(`/org/${kind}`, query);
}

/** Every place of a kind (for pickers). */
export const allPlaces = (kind, query) => getAll(`/org/${kind}`, query);

export const createPlace = (kind, body) => post(`/org/${kind}`, body);

export const updatePlace = (kind, id, body) => patch(`/org/${kind}/${id}`, body);

export const deletePlace = (kind, id) => del(`/org/${kind}/${id}`);
