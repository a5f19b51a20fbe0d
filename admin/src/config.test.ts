import { describe, expect, it } from 'vitest';
import { ConfigError, apiBaseOf, parseConfig } from './config';

const COGNITO = {
  mode: 'cognito',
  authority: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc',
  clientId: 'client',
  redirectUri: 'https://tokens-admin.bank.example/callback',
  apiBase: 'https://abc123.execute-api.eu-west-1.amazonaws.com/v1',
};

describe('config', () => {
  it('reads local mode', () => {
    expect(parseConfig({ mode: 'local' })).toEqual({ mode: 'local' });
  });
  it('reads cognito mode', () => {
    expect(
      parseConfig({
        mode: 'cognito',
        authority: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc/',
        clientId: 'client',
        redirectUri: 'https://panel.example/admin/callback',
        logoutUri: 'https://panel.example/admin/',
        apiBase: 'https://abc123.execute-api.eu-west-1.amazonaws.com/v1',
      }),
    ).toEqual({
      mode: 'cognito',
      authority: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc',
      clientId: 'client',
      redirectUri: 'https://panel.example/admin/callback',
      logoutUri: 'https://panel.example/admin/',
      apiBase: 'https://abc123.execute-api.eu-west-1.amazonaws.com/v1',
    });
  });
  it('needs the API base URL in cognito mode, and strips its trailing slashes', () => {
    const { apiBase: _omitted, ...withoutApiBase } = COGNITO;
    expect(() => parseConfig(withoutApiBase)).toThrow(ConfigError);
    expect(() => parseConfig({ ...COGNITO, apiBase: '' })).toThrow(ConfigError);
    expect(() => parseConfig({ ...COGNITO, apiBase: 42 })).toThrow(ConfigError);
    expect(parseConfig({ ...COGNITO, apiBase: 'https://abc123.execute-api.eu-west-1.amazonaws.com/v1/' })).toMatchObject({
      apiBase: 'https://abc123.execute-api.eu-west-1.amazonaws.com/v1',
    });
    expect(parseConfig({ ...COGNITO, apiBase: 'https://api.bank.example//' })).toMatchObject({ apiBase: 'https://api.bank.example' });
    expect(parseConfig({ ...COGNITO, apiBase: 'http://127.0.0.1:3000/' })).toMatchObject({ apiBase: 'http://127.0.0.1:3000' });
  });
  it('refuses an API base URL that is not https, or not a base', () => {
    for (const apiBase of [
      'http://abc123.execute-api.eu-west-1.amazonaws.com/v1',
      'abc123.execute-api.eu-west-1.amazonaws.com/v1',
      '/admin-api',
      'https://api.bank.example/v1?stage=x',
      'https://api.bank.example/v1#x',
      'https://user:pw@api.bank.example/v1',
    ]) {
      expect(() => parseConfig({ ...COGNITO, apiBase }), apiBase).toThrow(ConfigError);
    }
  });
  it('decides the base of every API call: none locally, apiBase on AWS', () => {
    expect(apiBaseOf({ mode: 'local' })).toBe('');
    expect(apiBaseOf(parseConfig(COGNITO))).toBe('https://abc123.execute-api.eu-west-1.amazonaws.com/v1');
    // a local configuration carries no API origin, whatever else it says
    expect(parseConfig({ mode: 'local', apiBase: 'https://evil.example' })).toEqual({ mode: 'local' });
  });
  it('refuses what it cannot use', () => {
    expect(() => parseConfig({ mode: 'other' })).toThrow();
    expect(() => parseConfig({ ...COGNITO, authority: 'http://evil.example' })).toThrow(ConfigError);
    expect(() => parseConfig('local')).toThrow();
  });
});

describe('return path after sign-in', () => {
  it('stays inside the panel', async () => {
    const { safeReturnPath } = await import('./auth/cognito');
    expect(safeReturnPath('/tokens/tok_00000001')).toBe('/tokens/tok_00000001');
    expect(safeReturnPath('//evil.example/')).toBe('/');
    expect(safeReturnPath('https://evil.example/')).toBe('/');
    expect(safeReturnPath(undefined)).toBe('/');
  });
});
