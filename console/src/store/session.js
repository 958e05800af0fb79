// The console session as the pages see it: who is logged in, their grants, and the place they
// act for. Reactive, one instance; filled from GET /console/session.
import { computed, reactive } from 'vue';
import * as sessionApi from '../api/session';
import { setCsrfToken } from '../api/request';

const state = reactive({ session: null, loaded: false, config: null });

function apply(session) {
  state.session = session && session.user ? session : null;
  state.loaded = true;
  setCsrfToken(state.session ? state.session.csrf_token : null);
  return state.session;
}

export const session = computed(() => state.session);
export const actingGrant = computed(() => {
  const current = state.session;
  if (!current) return null;
  return current.grants.find((g) => g.id === current.acting_for) || current.grants[0] || null;
});
export const actingRole = computed(() => (actingGrant.value ? actingGrant.value.role : null));

/** Asks the server for the session once (again with force); null when not logged in. */
export async function loadSession(force = false) {
  if (state.loaded && !force) return state.session;
  try {
    return apply(await sessionApi.getSession());
  } catch (error) {
    if (error.status === 401) return apply(null);
    throw error;
  }
}

/** The answer of a confirming poll or of demo-login carries the session. */
export function startSession(answer) {
  return apply(answer);
}

export function endSession() {
  apply(null);
}

export async function chooseActingFor(grantId) {
  return apply(await sessionApi.setActingFor(grantId));
}

export async function loadConfig() {
  if (!state.config) state.config = await sessionApi.getConsoleConfig();
  return state.config;
}
