import type { Session } from './session';

export const LOCAL_SIGN_IN_PATH = '/_local/admin/sign-in';

export class SignInError extends Error {
  /** rejected: wrong e-mail or password; unavailable: the service could not answer. */
  readonly kind: 'rejected' | 'unavailable';

  constructor(kind: 'rejected' | 'unavailable') {
    super(kind === 'rejected' ? 'Sign-in rejected' : 'Sign-in service unavailable');
    this.name = 'SignInError';
    this.kind = kind;
  }
}

interface TokenResponse {
  access_token: string;
  token_type: string;
  expires_in: number;
}

function isTokenResponse(value: unknown): value is TokenResponse {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.access_token === 'string' &&
    v.access_token !== '' &&
    typeof v.token_type === 'string' &&
    v.token_type.toLowerCase() === 'bearer' &&
    typeof v.expires_in === 'number' &&
    v.expires_in > 0
  );
}

/** The local platform's own sign-in: e-mail and password for a token like Cognito's. */
export async function signInLocal(
  email: string,
  password: string,
  doFetch: typeof fetch = fetch,
  now: () => number = Date.now,
): Promise<Session> {
  let res: Response;
  try {
    res = await doFetch(LOCAL_SIGN_IN_PATH, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json, application/problem+json' },
      body: JSON.stringify({ email, password }),
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch {
    throw new SignInError('unavailable');
  }
  if (res.status >= 400 && res.status < 500 && res.status !== 429) throw new SignInError('rejected');
  if (!res.ok) throw new SignInError('unavailable');
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    throw new SignInError('unavailable');
  }
  if (!isTokenResponse(body)) throw new SignInError('unavailable');
  return { accessToken: body.access_token, expiresAt: now() + body.expires_in * 1000 };
}
