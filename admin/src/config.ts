/** What /admin/config.json says about how agents sign in. */
export type AppConfig = LocalConfig | CognitoConfig;

/** The platform serves the panel and the admin API on one origin: the API is at /admin-api/v1. */
export interface LocalConfig {
  mode: 'local';
}

export interface CognitoConfig {
  mode: 'cognito';
  /** The user pool's issuer: https://cognito-idp.<region>.amazonaws.com/<poolId> */
  authority: string;
  clientId: string;
  /** Where the hosted UI sends the agent back: https://…/admin/callback */
  redirectUri: string;
  /** Where the browser goes once the panel's session is cleared (optional). */
  logoutUri?: string;
  /**
   * The admin API's base URL, on its own origin (API Gateway:
   * https://<id>.execute-api.<region>.amazonaws.com/<stage>), without a trailing slash:
   * the panel calls `${apiBase}/admin-api/v1/…`.
   */
  apiBase: string;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '127.0.0.1' || hostname === '[::1]';
}

function url(value: unknown, field: string): string {
  if (typeof value !== 'string' || value === '') throw new ConfigError(`"${field}" is missing.`);
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new ConfigError(`"${field}" is not a URL.`);
  }
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && isLoopback(parsed.hostname))) {
    throw new ConfigError(`"${field}" must be an https URL.`);
  }
  return value;
}

/**
 * What the API's paths (/admin-api/v1/…) are prefixed with: nothing in local mode (same
 * origin), `apiBase` in cognito mode. The one place that decides it.
 */
export function apiBaseOf(config: AppConfig): string {
  return config.mode === 'cognito' ? config.apiBase : '';
}

/** A base URL the API's paths are appended to: no query, fragment or credentials; no trailing slash. */
function baseUrl(value: unknown, field: string): string {
  const checked = url(value, field);
  const parsed = new URL(checked);
  if (parsed.username !== '' || parsed.password !== '' || parsed.search !== '' || parsed.hash !== '' || /[?#]/.test(checked)) {
    throw new ConfigError(`"${field}" must be a base URL, without a query, a fragment or credentials.`);
  }
  return checked.replace(/\/+$/, '');
}

export function parseConfig(raw: unknown): AppConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError('The configuration is not a JSON object.');
  }
  const r = raw as Record<string, unknown>;
  if (r.mode === 'local') return { mode: 'local' };
  if (r.mode === 'cognito') {
    if (typeof r.clientId !== 'string' || r.clientId === '') throw new ConfigError('"clientId" is missing.');
    const config: CognitoConfig = {
      mode: 'cognito',
      authority: url(r.authority, 'authority').replace(/\/+$/, ''),
      clientId: r.clientId,
      redirectUri: url(r.redirectUri, 'redirectUri'),
      apiBase: baseUrl(r.apiBase, 'apiBase'),
    };
    if (r.logoutUri !== undefined && r.logoutUri !== null && r.logoutUri !== '') {
      config.logoutUri = url(r.logoutUri, 'logoutUri');
    }
    return config;
  }
  throw new ConfigError('"mode" must be "local" or "cognito".');
}

export async function loadConfig(doFetch: typeof fetch = fetch): Promise<AppConfig> {
  let res: Response;
  try {
    res = await doFetch(`${import.meta.env.BASE_URL}config.json`, {
      headers: { Accept: 'application/json' },
      cache: 'no-store',
    });
  } catch {
    throw new ConfigError('The configuration could not be fetched.');
  }
  if (!res.ok) throw new ConfigError(`The configuration could not be fetched (HTTP ${res.status}).`);
  let json: unknown;
  try {
    json = await res.json();
  } catch {
    throw new ConfigError('The configuration is not JSON.');
  }
  return parseConfig(json);
}
