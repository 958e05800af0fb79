// 角色：GET /me 的 user.roles = [{role, community_id, grid_id, …}]。社区工作者、书记、街道管理员、网格员可进入现场模式。
const STAFF_ROLES = ['community_staff', 'community_secretary', 'street_admin', 'grid_worker'];
const ROLE_LABELS = {
  community_staff: '社区工作者',
  community_secretary: '社区党组织书记',
  street_admin: '街道管理员',
  grid_worker: '网格员',
  unit_secretary: '单位党组织书记',
};

function roles(me) {
  return (me && me.user && me.user.roles) || [];
}

function staffGrants(me) {
  return roles(me).filter((g) => STAFF_ROLES.indexOf(g.role) >= 0);
}

function isStaff(me) {
  return staffGrants(me).length > 0;
}

/** 现场模式用的社区：第一个带 community_id 的工作人员角色。 */
function staffCommunityId(me) {
  const grant = staffGrants(me).find((g) => g.community_id);
  return grant ? grant.community_id : null;
}

function roleLabel(me) {
  const grant = staffGrants(me)[0];
  return grant ? ROLE_LABELS[grant.role] || grant.role : '';
}

/** 单位党组织书记：看本单位党员的反馈单。返回第一个带 unit_id 的授权里的单位 id。 */
function secretaryUnitId(me) {
  const grant = roles(me).find((g) => g.role === 'unit_secretary' && g.unit_id);
  return grant ? grant.unit_id : null;
}

module.exports = { STAFF_ROLES, ROLE_LABELS, isStaff, staffCommunityId, roleLabel, staffGrants, secretaryUnitId };
