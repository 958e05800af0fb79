// 包楼栋承诺: coverage of the community's buildings by pledged members, the pledges, building
// heads (楼栋长), responsibility areas (责任区) and the yearly pledge templates.
import { del, get, getAll, patch, post, put } from './request';

/** {buildings_total, buildings_covered, uncovered_buildings, grids: [...], members_not_pledged} */
export const pledgeCoverage = (communityId, year) =>
  get(`/communities/${communityId}/pledge-coverage`, { year });

export const communityPledges = (communityId, query) => getAll(`/communities/${communityId}/pledges`, query);

export const listHeads = (communityId) => get(`/communities/${communityId}/building-heads`);
export const appointHead = (buildingId, memberId) => put(`/buildings/${buildingId}/head`, { member_id: memberId });
export const removeHead = (buildingId) => del(`/buildings/${buildingId}/head`);

export const listAreas = (communityId) => get(`/communities/${communityId}/responsibility-areas`);
export const assignArea = (communityId, body) => post(`/communities/${communityId}/responsibility-areas`, body);
export const removeArea = (areaId) => del(`/responsibility-areas/${areaId}`);

export const listTemplates = (communityId, year) => get(`/communities/${communityId}/pledge-templates`, { year });
export const createTemplate = (communityId, body) => post(`/communities/${communityId}/pledge-templates`, body);
export const updateTemplate = (id, body) => patch(`/pledge-templates/${id}`, body);

/** The community's fulfilment notes (践诺记录) with photo_urls; status: submitted | verified | returned. */
export const listNotes = (communityId, status) =>
  getAll(`/communities/${communityId}/pledge-notes`, status ? { status } : {});
