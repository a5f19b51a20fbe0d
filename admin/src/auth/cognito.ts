import type { User, UserManager } from 'oidc-client-ts';
import type { CognitoConfig } from '../config';
import type { Session } from './session';

// oidc-client-ts is loaded only when the configuration asks for Cognito, so the
// local panel does not carry it.
let manager: Promise<UserManager> | null = null;
let managerFor: CognitoConfig | null = null;

export function userManager(config: CognitoConfig): Promise<UserManager> {
  if (!manager || managerFor !== config) {
    managerFor = config;
    manager = import('oidc-client-ts').then(({ UserManager, WebStorageStateStore }) => {
      // Both the user and the in-flight PKCE state live in this tab's sessionStorage.
      const store = new WebStorageStateStore({ store: window.sessionStorage });
      return new UserManager({
        authority: config.authority,
        client_id: config.clientId,
        redirect_uri: config.redirectUri,
        ...(config.logoutUri ? { post_logout_redirect_uri: config.logoutUri } : {}),
        response_type: 'code',
        scope: 'openid email',
        userStore: store,
        stateStore: store,
        loadUserInfo: false,
        automaticSilentRenew: false,
        monitorSession: false,
      });
    });
  }
  return manager;
}

const DEFAULT_LIFETIME_MS = 60 * 60 * 1000;

export function sessionFromUser(user: User, now = Date.now()): Session {
  const expiresAt = user.expires_at ? user.expires_at * 1000 : now + DEFAULT_LIFETIME_MS;
  return { accessToken: user.access_token, expiresAt };
}

/** A path inside the panel to return to after sign-in, or "/" for anything else. */
export function safeReturnPath(value: unknown): string {
  if (typeof value === 'string' && value.startsWith('/') && !value.startsWith('//') && !value.includes('\\')) {
    return value;
  }
  return '/';
}

export async function restoreCognitoSession(config: CognitoConfig): Promise<Session | null> {
  const mgr = await userManager(config);
  const user = await mgr.getUser();
  if (!user || user.expired || !user.access_token) return null;
  return sessionFromUser(user);
}

export async function startCognitoSignIn(config: CognitoConfig, returnTo: string): Promise<void> {
  const mgr = await userManager(config);
  await mgr.signinRedirect({ state: { returnTo: safeReturnPath(returnTo) } });
}

/** Completes the authorization-code + PKCE flow on /admin/callback. */
export async function completeCognitoSignIn(
  config: CognitoConfig,
): Promise<{ session: Session; returnTo: string }> {
  const mgr = await userManager(config);
  const user = await mgr.signinRedirectCallback();
  const state = user.state as { returnTo?: unknown } | undefined;
  return { session: sessionFromUser(user), returnTo: safeReturnPath(state?.returnTo) };
}

export async function endCognitoSession(config: CognitoConfig): Promise<void> {
  const mgr = await userManager(config);
  await mgr.removeUser();
}
