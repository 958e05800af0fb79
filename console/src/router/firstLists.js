// The lists a page shows first, asked for as soon as the route and the session are known,
// while the page's scripts are still loading (they were asked for only once the page had
// mounted: issue #21). Each must be the very request the page makes — same path, same query
// in the same order — or the page simply asks again.
import { askAhead } from '../api/request';

const FIRST_PAGE = { page: 1, page_size: 10 };

const FIRST_LISTS = {
  // 组织架构 of a community's staff: its grids and buildings (PlacePanel), and every grid for
  // the building form's picker (OrgPage)
  org(grant) {
    if (!grant || !grant.community_id || ['district_admin', 'street_admin'].includes(grant.role)) {
      return;
    }
    const scope = { community_id: grant.community_id };
    askAhead('/org/grids', { ...scope, ...FIRST_PAGE });
    askAhead('/org/buildings', { ...scope, ...FIRST_PAGE });
    askAhead('/org/grids', { ...scope, page: 1, page_size: 100 });
  },
};

export function askFirstLists(routeName, grant) {
  const ask = FIRST_LISTS[routeName];
  if (ask) ask(grant);
}
