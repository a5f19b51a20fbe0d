import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState } from 'react';
import type { ReactNode } from 'react';
import { ApiError, createApiClient } from '../api/client';
import type { ApiClient } from '../api/client';
import type { Me, Permission } from '../api/types';
import { apiBaseOf } from '../config';
import type { AppConfig } from '../config';
import * as cognito from './cognito';
import { signInLocal as requestLocalSignIn } from './localSignIn';
import { clearSession, isLive, loadSession, saveSession } from './session';
import type { Session } from './session';

export type AuthStatus = 'restoring' | 'signed-out' | 'loading-profile' | 'signed-in';

/** A message for the sign-in page: why the agent is there again. */
export interface AuthNotice {
  kind: 'info' | 'error';
  text: string;
}

export interface AuthContextValue {
  config: AppConfig;
  status: AuthStatus;
  me: Me | null;
  notice: AuthNotice | null;
  api: ApiClient;
  can: (permission: Permission) => boolean;
  signInLocal: (email: string, password: string) => Promise<void>;
  startCognitoSignIn: (returnTo: string) => Promise<void>;
  completeCognitoSignIn: () => Promise<string>;
  signOut: () => Promise<void>;
  clearNotice: () => void;
}

const AuthContext = createContext<AuthContextValue | null>(null);

const SESSION_ENDED = 'Your session has ended. Sign in again.';
/** The notice of an agent's own sign-out: the next agent starts from the search page. */
export const SIGNED_OUT = 'You have signed out.';
// setTimeout takes at most a signed 32-bit delay.
const MAX_TIMER_MS = 2_147_483_647;

interface Props {
  config: AppConfig;
  children: ReactNode;
  /** For tests: the fetch the API client uses. */
  fetchImpl?: typeof fetch;
}

export function AuthProvider({ config, children, fetchImpl }: Props) {
  const [status, setStatus] = useState<AuthStatus>('restoring');
  const [me, setMe] = useState<Me | null>(null);
  const [notice, setNotice] = useState<AuthNotice | null>(null);
  // The token lives here (and in sessionStorage); the API client reads it on every call.
  const sessionRef = useRef<Session | null>(null);
  const [session, setSessionState] = useState<Session | null>(null);

  const dropSession = useCallback(
    (next: AuthNotice | null): Promise<void> => {
      sessionRef.current = null;
      setSessionState(null);
      clearSession();
      setMe(null);
      setStatus('signed-out');
      setNotice(next);
      // Cognito keeps its user in sessionStorage too: forget it (best effort).
      return config.mode === 'cognito'
        ? cognito.endCognitoSession(config).catch(() => undefined)
        : Promise.resolve();
    },
    [config],
  );

  const api = useMemo(
    () =>
      createApiClient({
        apiBase: apiBaseOf(config),
        getAccessToken: () => {
          const current = sessionRef.current;
          return current && isLive(current) ? current.accessToken : null;
        },
        onUnauthorized: () => {
          if (sessionRef.current) void dropSession({ kind: 'info', text: SESSION_ENDED });
        },
        ...(fetchImpl ? { fetch: fetchImpl } : {}),
      }),
    [config, dropSession, fetchImpl],
  );

  /** Takes a fresh token, then asks who the agent is and what they may do. */
  const begin = useCallback(
    async (next: Session) => {
      sessionRef.current = next;
      setSessionState(next);
      if (config.mode === 'local') saveSession(next);
      setStatus('loading-profile');
      try {
        const profile = await api.me();
        if (sessionRef.current !== next) return; // signed out meanwhile
        setMe(profile);
        setNotice(null);
        setStatus('signed-in');
      } catch (error) {
        if (sessionRef.current !== next) return;
        const detail = error instanceof ApiError ? error.detail : 'Your profile could not be loaded.';
        void dropSession({ kind: 'error', text: `You are not signed in: ${detail}` });
      }
    },
    [api, config.mode, dropSession],
  );

  // On start: take up the session this tab already had, if it is still valid.
  useEffect(() => {
    let cancelled = false;
    async function restore() {
      let restored: Session | null = null;
      try {
        restored = config.mode === 'local' ? loadSession() : await cognito.restoreCognitoSession(config);
      } catch {
        restored = null;
      }
      if (cancelled) return;
      if (restored) await begin(restored);
      else setStatus((s) => (s === 'restoring' ? 'signed-out' : s));
    }
    void restore();
    return () => {
      cancelled = true;
    };
    // Only once, at start.
  }, []);

  // End the session when its token expires.
  useEffect(() => {
    if (!session) return;
    const delay = Math.min(Math.max(session.expiresAt - Date.now(), 0), MAX_TIMER_MS);
    const timer = window.setTimeout(() => {
      if (sessionRef.current === session) {
        void dropSession({ kind: 'info', text: 'Your session has expired. Sign in again.' });
      }
    }, delay);
    return () => window.clearTimeout(timer);
  }, [session, dropSession]);

  const signInLocal = useCallback(
    async (email: string, password: string) => {
      setNotice(null);
      const next = await requestLocalSignIn(email, password, fetchImpl ?? fetch);
      await begin(next);
    },
    [begin, fetchImpl],
  );

  const startCognitoSignIn = useCallback(
    async (returnTo: string) => {
      if (config.mode !== 'cognito') throw new Error('Cognito sign-in is not configured.');
      setNotice(null);
      await cognito.startCognitoSignIn(config, returnTo);
    },
    [config],
  );

  const completeCognitoSignIn = useCallback(async () => {
    if (config.mode !== 'cognito') throw new Error('Cognito sign-in is not configured.');
    const { session: next, returnTo } = await cognito.completeCognitoSignIn(config);
    await begin(next);
    return returnTo;
  }, [begin, config]);

  const signOut = useCallback(async () => {
    await dropSession({ kind: 'info', text: SIGNED_OUT });
    if (config.mode === 'cognito' && config.logoutUri) window.location.assign(config.logoutUri);
  }, [config, dropSession]);

  const value = useMemo<AuthContextValue>(
    () => ({
      config,
      status,
      me,
      notice,
      api,
      can: (permission) => me?.permissions.includes(permission) ?? false,
      signInLocal,
      startCognitoSignIn,
      completeCognitoSignIn,
      signOut,
      clearNotice: () => setNotice(null),
    }),
    [config, status, me, notice, api, signInLocal, startCognitoSignIn, completeCognitoSignIn, signOut],
  );

  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthContextValue {
  const value = useContext(AuthContext);
  if (!value) throw new Error('useAuth outside AuthProvider');
  return value;
}
