// Routes, each page in its own chunk; a guard sends people without a session to the login page
// and keeps each role to its menu.
import { createRouter, createWebHistory } from 'vue-router';
import { actingGrant, actingRole, endSession, loadSession } from '../store/session';
import { askFirstLists } from './firstLists';
import { onUnauthorized } from '../api/request';
import { allowed, homePath, MENU } from './menu';

const pages = {
  org: () => import('../pages/org/OrgPage.vue'),
  grants: () => import('../pages/grants/GrantsPage.vue'),
  imports: () => import('../pages/imports/ImportsPage.vue'),
  audit: () => import('../pages/audit/AuditPage.vue'),
  feedback: () => import('../pages/feedback/FeedbackSheetsPage.vue'),
  statistics: () => import('../pages/statistics/StatisticsPage.vue'),
  boards: () => import('../pages/boards/BoardsPage.vue'),
  sessions: () => import('../pages/sessions/SessionsPage.vue'),
  activities: () => import('../pages/activities/ActivitiesPage.vue'),
  inbox: () => import('../pages/inbox/InboxPage.vue'),
  notices: () => import('../pages/notices/NoticesPage.vue'),
  members: () => import('../pages/members/MembersPage.vue'),
  pledges: () => import('../pages/pledges/PledgesPage.vue'),
  partyday: () => import('../pages/partyday/PartyDayPage.vue'),
  certificates: () => import('../pages/certificates/CertificatesPage.vue'),
  points: () => import('../pages/points/PointsPage.vue'),
};

// the frame of every page after login: asked for with the session, not after it
const consoleLayout = () => import('../layouts/ConsoleLayout.vue');

const routes = [
  {
    path: '/login',
    name: 'login',
    component: () => import('../pages/login/LoginPage.vue'),
    meta: { public: true, title: '登录' },
  },
  {
    // full screen, without the console's frame: for a projector or a tablet at the door
    path: '/activities/:id(\\d+)/onsite',
    name: 'onsite',
    component: () => import('../pages/activities/OnsitePage.vue'),
    meta: { title: '现场签到码' },
  },
  {
    path: '/',
    component: consoleLayout,
    children: [
      // never shown: the guard sends "/" to the first page of the person's menu
      { path: '', name: 'home', component: () => import('../pages/home/NotFoundPage.vue') },
      ...MENU.map((item) => ({
        path: item.path.slice(1),
        name: item.name,
        component: pages[item.name],
        meta: { title: item.title },
      })),
      {
        path: ':rest(.*)*',
        name: 'not-found',
        component: () => import('../pages/home/NotFoundPage.vue'),
        meta: { title: '页面不存在' },
      },
    ],
  },
];

const router = createRouter({ history: createWebHistory('/console/'), routes });

// The scripts of a page behind the login start loading while the session is asked for (they
// would otherwise wait for its answer); an import that fails is met again by the router.
function preload(to) {
  consoleLayout().catch(() => {});
  for (const record of to.matched) {
    const component = record.components && record.components.default;
    if (typeof component === 'function' && record.name !== 'home') component().catch(() => {});
  }
}

router.beforeEach(async (to) => {
  if (to.meta.public) return true;
  // a network error reads as not logged in: the login page says what is wrong
  const asked = loadSession().catch(() => null);
  preload(to);
  const current = await asked;
  if (!current) return { name: 'login', query: to.fullPath !== '/' ? { redirect: to.fullPath } : {} };
  if (to.name === 'home') return homePath(actingRole.value);
  if (to.name && MENU.some((item) => item.name === to.name) && !allowed(to.name, actingRole.value)) {
    return homePath(actingRole.value);
  }
  askFirstLists(to.name, actingGrant.value);
  return true;
});

// after a new build is deployed, an open page may ask for a chunk that no longer exists:
// load the page afresh (its index.html names the new chunks)
router.onError((error, to) => {
  if (/dynamically imported module|Importing a module script failed/i.test(String(error))) {
    window.location.assign(`/console${to.fullPath}`);
  }
});

router.afterEach((to) => {
  document.title = `${to.meta.title ? `${to.meta.title} · ` : ''}在职党员社区服务管理后台`;
});

// A session that ended (idle, revoked, logged out elsewhere) sends the person back to log in.
onUnauthorized(() => {
  endSession();
  const here = router.currentRoute.value;
  if (here.name !== 'login') {
    router.replace({ name: 'login', query: { redirect: here.fullPath, expired: '1' } });
  }
});

export default router;
