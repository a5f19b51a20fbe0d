import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { App } from './App';
import type { CognitoConfig } from './config';

// The hosted UI is not driven here: the tab already has the agent's Cognito session.
vi.mock('./auth/cognito', () => ({
  restoreCognitoSession: vi.fn(async () => ({ accessToken: 'cognito-access-token', expiresAt: Date.now() + 3_600_000 })),
  startCognitoSignIn: vi.fn(async () => undefined),
  completeCognitoSignIn: vi.fn(async () => {
    throw new Error('not in this test');
  }),
  endCognitoSession: vi.fn(async () => undefined),
  safeReturnPath: (value: unknown) => (typeof value === 'string' ? value : '/'),
}));

const API = 'https://abc123.execute-api.eu-west-1.amazonaws.com/v1';

const CONFIG: CognitoConfig = {
  mode: 'cognito',
  authority: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc',
  clientId: 'client',
  redirectUri: 'https://tokens-admin.bank.example/callback',
  apiBase: API,
};

function json(body: unknown): Response {
  return new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } });
}

let fetchMock: ReturnType<typeof vi.fn<typeof fetch>>;

beforeEach(() => {
  fetchMock = vi.fn<typeof fetch>(async (input) => {
    const path = new URL(String(input)).pathname;
    if (path.endsWith('/admin-api/v1/me')) {
      return json({ email: 'agent@bank.example', roles: ['agent'], permissions: ['tokens.read', 'reports.read'] });
    }
    if (path.endsWith('/admin-api/v1/tokens/search')) return json({ tokens: [], nextCursor: null });
    return new Response('', { status: 404 });
  });
  vi.stubGlobal('fetch', fetchMock);
  window.history.replaceState(null, '', '/admin/');
});

describe('cognito mode', () => {
  it('calls the admin API on its own origin, with the Cognito access token and no cookies', async () => {
    const user = userEvent.setup();
    render(<App config={CONFIG} />);
    expect(await screen.findByRole('banner')).toHaveTextContent('agent@bank.example');

    await user.selectOptions(await screen.findByLabelText('Search by'), 'PAN');
    await user.type(screen.getByLabelText('Value'), '5555555555554444');
    await user.click(screen.getByRole('button', { name: 'Search' }));
    await screen.findByText('No tokens found.');

    const calls = fetchMock.mock.calls as unknown as [string, RequestInit][];
    expect(calls.map(([url, init]) => `${init.method} ${url}`)).toEqual([
      `GET ${API}/admin-api/v1/me`,
      `POST ${API}/admin-api/v1/tokens/search`,
    ]);
    for (const [url, init] of calls) {
      expect(new Headers(init.headers).get('authorization')).toBe('Bearer cognito-access-token');
      expect(init.credentials).toBe('omit');
      expect(url).not.toContain('5555');
    }
    expect(window.location.href).not.toContain('5555');
  });
});
