/**
 * The agent's session: the access token and when it expires. Held in memory by
 * the AuthProvider and mirrored to sessionStorage (this tab only, gone when the
 * tab closes) so that a reload keeps the agent signed in. Never localStorage.
 */
export interface Session {
  accessToken: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

const KEY = 'tmp-admin.session';

function storage(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null; // storage disabled: the session lives in memory only
  }
}

export function isLive(session: Session, now = Date.now()): boolean {
  return session.expiresAt > now;
}

export function saveSession(session: Session): void {
  try {
    storage()?.setItem(KEY, JSON.stringify(session));
  } catch {
    // quota or privacy mode: memory only
  }
}

export function loadSession(now = Date.now()): Session | null {
  let raw: string | null = null;
  try {
    raw = storage()?.getItem(KEY) ?? null;
  } catch {
    return null;
  }
  if (!raw) return null;
  try {
    const value = JSON.parse(raw) as Partial<Session>;
    if (typeof value.accessToken === 'string' && value.accessToken && typeof value.expiresAt === 'number') {
      const session = { accessToken: value.accessToken, expiresAt: value.expiresAt };
      if (isLive(session, now)) return session;
    }
  } catch {
    // corrupt: drop it
  }
  clearSession();
  return null;
}

export function clearSession(): void {
  try {
    storage()?.removeItem(KEY);
  } catch {
    // nothing to clear
  }
}
