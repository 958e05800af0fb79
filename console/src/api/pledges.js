// 包楼栋承诺: coverage of the community's buildings by pledged members.
import { get } from './request';

/** {buildings_total, buildings_covered, uncovered_buildings, grids: [...], members_not_pledged} */
export const pledgeCoverage = (communityId, year) =>
  get(`/communities/${communityId}/pledge-coverage`, { year });
