// The menu: each entry says which roles see it. The layout shows the entries of the role the
// person acts in; the router refuses the others. The server decides what is really allowed.
export const MENU = [
  {
    path: '/org',
    name: 'org',
    title: '组织架构',
    icon: 'root-list',
    roles: ['district_admin', 'street_admin', 'community_secretary', 'community_staff'],
  },
  {
    path: '/activities',
    name: 'activities',
    title: '活动管理',
    icon: 'calendar',
    roles: ['street_admin', 'community_secretary', 'community_staff', 'grid_worker'],
  },
  {
    path: '/notices',
    name: 'notices',
    title: '通知',
    icon: 'notification',
    roles: ['street_admin', 'community_secretary', 'community_staff'],
  },
  {
    path: '/inbox',
    name: 'inbox',
    title: '待办',
    icon: 'check-rectangle',
    roles: ['street_admin', 'community_secretary', 'community_staff'],
  },
  {
    path: '/members',
    name: 'members',
    title: '党员管理',
    icon: 'usergroup',
    roles: ['street_admin', 'community_secretary', 'community_staff', 'grid_worker', 'unit_secretary'],
  },
  {
    path: '/points',
    name: 'points',
    title: '积分管理',
    icon: 'star',
    roles: ['street_admin', 'community_secretary', 'community_staff'],
  },
  {
    path: '/pledges',
    name: 'pledges',
    title: '包楼栋承诺',
    icon: 'houses',
    roles: ['street_admin', 'community_secretary', 'community_staff'],
  },
  {
    path: '/partyday',
    name: 'partyday',
    title: '主题党日',
    icon: 'flag',
    roles: ['street_admin', 'community_secretary', 'community_staff'],
  },
  {
    path: '/certificates',
    name: 'certificates',
    title: '志愿服务证明',
    icon: 'certificate',
    roles: ['street_admin', 'community_secretary', 'community_staff'],
  },
  {
    path: '/grants',
    name: 'grants',
    title: '角色授权',
    icon: 'user-safety',
    roles: ['district_admin', 'street_admin', 'community_secretary'],
  },
  {
    path: '/imports',
    name: 'imports',
    title: '数据导入',
    icon: 'file-import',
    roles: [
      'district_admin',
      'street_admin',
      'community_secretary',
      'community_staff',
      'unit_secretary',
    ],
  },
  {
    path: '/audit',
    name: 'audit',
    title: '审计日志',
    icon: 'file-safety',
    roles: ['district_admin', 'street_admin', 'community_secretary'],
  },
  {
    path: '/feedback-sheets',
    name: 'feedback',
    title: '反馈单',
    icon: 'file-paste',
    roles: ['street_admin', 'community_secretary', 'unit_secretary'],
  },
  {
    path: '/boards',
    name: 'boards',
    title: '先锋榜',
    icon: 'chart-bubble',
    roles: ['street_admin', 'community_secretary', 'community_staff', 'unit_secretary'],
  },
  {
    path: '/statistics',
    name: 'statistics',
    title: '数据统计',
    icon: 'chart-bar',
    roles: ['district_admin', 'street_admin', 'community_secretary', 'community_staff', 'grid_worker', 'unit_secretary'],
  },
  {
    path: '/sessions',
    name: 'sessions',
    title: '登录设备',
    icon: 'desktop',
    roles: null, // everyone
  },
];

export const menuFor = (role) =>
  MENU.filter((item) => item.roles === null || (role && item.roles.includes(role)));

export const allowed = (name, role) => menuFor(role).some((item) => item.name === name);

/** The first page of a role's menu: where "/" leads. */
export function homePath(role) {
  const first = menuFor(role)[0];
  return first ? first.path : '/sessions';
}
