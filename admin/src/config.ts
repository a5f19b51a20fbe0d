/** What /admin/config.json says about how agents sign in. */
export type AppConfig = LocalConfig | CognitoConfig;

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
