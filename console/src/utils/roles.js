// Roles, as the server names them (docs/console-api.md), with their Chinese labels.
export const ROLE_LABELS = {
  district_admin: '区委组织部管理员',
  street_admin: '街道党工委管理员',
  community_secretary: '社区党组织书记',
  community_staff: '社区工作者',
  grid_worker: '网格员',
  unit_secretary: '单位党组织书记',
};

/** The place each role is granted over. */
export const ROLE_PLACE = {
  district_admin: 'district',
  street_admin: 'street',
  community_secretary: 'community',
  community_staff: 'community',
  grid_worker: 'grid',
  unit_secretary: 'unit',
};

export const PLACE_LABELS = {
  district: '区',
  street: '街道',
  community: '社区',
  grid: '网格',
  building: '楼栋',
  unit: '单位',
};

/** Which roles a person acting in `role` may grant (the server has the last word). */
export const GRANTABLE = {
  district_admin: [
    'street_admin',
    'community_secretary',
    'community_staff',
    'grid_worker',
    'unit_secretary',
  ],
  street_admin: [
    'street_admin',
    'community_secretary',
    'community_staff',
    'grid_worker',
    'unit_secretary',
  ],
  community_secretary: ['community_staff', 'grid_worker'],
};

export const roleLabel = (role) => ROLE_LABELS[role] || role;

export function grantLabel(grant) {
  if (!grant) return '';
  return `${grant.role_label || roleLabel(grant.role)} · ${grant.place_name || ''}`;
}
