import { describe, expect, it, vi } from 'vitest';
import { ApiError, auditPath, createApiClient, reportPath } from './client';

function client(fetchImpl: typeof fetch, token: string | null = 'tkn', apiBase?: string) {
  const onUnauthorized = vi.fn();
  const api = createApiClient({
    getAccessToken: () => token,
    onUnauthorized,
    fetch: fetchImpl,
    ...(apiBase !== undefined ? { apiBase } : {}),
  });
  return { api, onUnauthorized };
}

describe('api client', () => {
  it('sends the bearer token, and the search in the body only', async () => {
    const fetchImpl = vi.fn<typeof fetch>(async () => new Response(JSON.stringify({ tokens: [], nextCursor: null }), { status: 200 }));
    const { api } = client(fetchImpl);
    await api.searchTokens({ pan: '5555555555554444' });
    const [url, init] = fetchImpl.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('/admin-api/v1/tokens/search');
    expect(init.method).toBe('POST');
    expect(new Headers(init.headers).get('authorization')).toBe('Bearer tkn');
    expect(init.body).toBe('{"pan":"5555555555554444"}');
  });

  it('sends the Idempotency-Key and encodes the token id', async () => {
    const fetchImpl = vi.fn<typeof fetch>(async () => new Response('{}', { status: 200 }));
    const { api } = client(fetchImpl);
    await api.act('tok_1/x', 'suspend', { reasonCode: 'DEVICE_LOST' }, 'key-12345678');
    const [url, init] = fetchImpl.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('/admin-api/v1/tokens/tok_1%2Fx/suspend');
    expect(new Headers(init.headers).get('idempotency-key')).toBe('key-12345678');
  });

  it('calls the bulk endpoints: preview (GET), start (POST with its Idempotency-Key), job', async () => {
    const fetchImpl = vi.fn<typeof fetch>(async () => new Response('{"jobId":"job-00000001"}', { status: 202 }));
    const { api } = client(fetchImpl);
    await api.previewBulk({ kind: 'device', deviceId: 'dev/1' }, 'delete');
    await expect(
      api.startBulk({ kind: 'card', cardId: 'card-0001' }, 'suspend', { reasonCode: 'DEVICE_STOLEN' }, 'key-12345678'),
    ).resolves.toEqual({ jobId: 'job-00000001' });
    await api.getJob('job-00000001');
    const calls = fetchImpl.mock.calls as unknown as [string, RequestInit][];
    expect(calls.map(([url, init]) => `${init.method} ${url}`)).toEqual([
      'GET /admin-api/v1/devices/dev%2F1/tokens/delete/preview',
      'POST /admin-api/v1/cards/card-0001/tokens/suspend',
      'GET /admin-api/v1/jobs/job-00000001',
    ]);
    expect(calls[0]![1].body).toBeNull();
    expect(new Headers(calls[1]![1].headers).get('idempotency-key')).toBe('key-12345678');
    expect(calls[1]![1].body).toBe('{"reasonCode":"DEVICE_STOLEN"}');
  });

  it('posts a card event with its Idempotency-Key', async () => {
    const fetchImpl = vi.fn<typeof fetch>(async () => new Response('{"jobId":"job-00000002"}', { status: 202 }));
    const { api } = client(fetchImpl);
    await expect(
      api.postCardEvent('card/0001', { type: 'STOLEN', comment: 'Wallet stolen' }, 'key-87654321'),
    ).resolves.toEqual({ jobId: 'job-00000002' });
    const [url, init] = fetchImpl.mock.calls[0] as unknown as [string, RequestInit];
    expect(`${init.method} ${url}`).toBe('POST /admin-api/v1/cards/card%2F0001/events');
    expect(new Headers(init.headers).get('idempotency-key')).toBe('key-87654321');
    expect(new Headers(init.headers).get('content-type')).toBe('application/json');
    expect(init.body).toBe('{"type":"STOLEN","comment":"Wallet stolen"}');
  });

  it('reads the decision rules, and replaces them with a PUT of {version, rules}', async () => {
    const view = { version: 3, source: 'ADMIN', rules: { default: {}, tokenRequestors: {} } };
    const fetchImpl = vi.fn<typeof fetch>(async () => new Response(JSON.stringify(view), { status: 200 }));
    const { api } = client(fetchImpl);
    await expect(api.getDecisionRules()).resolves.toEqual(view);
    const rules = { default: { maxAttemptsPer24h: 5 }, tokenRequestors: { '50110030273': { maxLiveTokensPerCard: 2 } } };
    await expect(api.putDecisionRules(3, rules)).resolves.toEqual(view);
    const calls = fetchImpl.mock.calls as unknown as [string, RequestInit][];
    expect(calls.map(([url, init]) => `${init.method} ${url}`)).toEqual([
      'GET /admin-api/v1/decision-rules',
      'PUT /admin-api/v1/decision-rules',
    ]);
    expect(calls[0]![1].body).toBeNull();
    expect(calls[1]![1].body).toBe(
      '{"version":3,"rules":{"default":{"maxAttemptsPer24h":5},"tokenRequestors":{"50110030273":{"maxLiveTokensPerCard":2}}}}',
    );
    const headers = new Headers(calls[1]![1].headers);
    expect(headers.get('content-type')).toBe('application/json');
    expect(headers.get('idempotency-key')).toBeNull();
  });

  it('lists the agents, and sets one agent’s role with a PUT of {username, role} (null: no role)', async () => {
    const change = { username: 'viewer@bank.test', before: ['viewer'], after: ['agent'], signedOut: true };
    const fetchImpl = vi.fn<typeof fetch>(async () => new Response(JSON.stringify(change), { status: 200 }));
    const { api } = client(fetchImpl);
    await api.listAgents();
    await expect(api.setAgentRole('viewer@bank.test', 'agent')).resolves.toEqual(change);
    await api.setAgentRole('viewer@bank.test', null);
    const calls = fetchImpl.mock.calls as unknown as [string, RequestInit][];
    expect(calls.map(([url, init]) => `${init.method} ${url}`)).toEqual([
      'GET /admin-api/v1/agents',
      'PUT /admin-api/v1/agent-roles',
      'PUT /admin-api/v1/agent-roles',
    ]);
    expect(calls[0]![1].body).toBeNull();
    expect(calls[1]![1].body).toBe('{"username":"viewer@bank.test","role":"agent"}');
    expect(calls[2]![1].body).toBe('{"username":"viewer@bank.test","role":null}');
    const headers = new Headers(calls[1]![1].headers);
    expect(headers.get('content-type')).toBe('application/json');
    // A PUT is idempotent: no Idempotency-Key.
    expect(headers.get('idempotency-key')).toBeNull();
  });

  it('builds the audit query', async () => {
    const fetchImpl = vi.fn<typeof fetch>(async () => new Response('{"entries":[],"nextCursor":null}', { status: 200 }));
    const { api } = client(fetchImpl);
    await api.audit({ from: '2026-03-01', to: '2026-03-02', actor: 'agent@bank.test', cursor: 'abc' });
    expect(fetchImpl.mock.calls[0]![0]).toBe('/admin-api/v1/audit?from=2026-03-01&to=2026-03-02&actor=agent%40bank.test&cursor=abc');
  });

  it('shows the problem detail', async () => {
    const body = { type: 'https://tmp.example/problems/conflict', title: 'Conflict', status: 409, detail: 'The token is already suspended' };
    const fetchImpl = vi.fn(
      async () => new Response(JSON.stringify(body), { status: 409, headers: { 'Content-Type': 'application/problem+json' } }),
    );
    const { api } = client(fetchImpl);
    await expect(api.getToken('tok_00000001')).rejects.toMatchObject({ status: 409, detail: 'The token is already suspended' });
  });

  it('ends the session on 401', async () => {
    const fetchImpl = vi.fn<typeof fetch>(async () => new Response('', { status: 401 }));
    const { api, onUnauthorized } = client(fetchImpl);
    await expect(api.me()).rejects.toBeInstanceOf(ApiError);
    expect(onUnauthorized).toHaveBeenCalledOnce();
  });

  it('tells a network failure apart', async () => {
    const fetchImpl = vi.fn<typeof fetch>(async () => {
      throw new TypeError('Failed to fetch');
    });
    const { api } = client(fetchImpl);
    await expect(api.me()).rejects.toMatchObject({ status: 0, isNetworkError: true });
  });

  it('does not call without a token', async () => {
    const fetchImpl = vi.fn();
    const { api, onUnauthorized } = client(fetchImpl as unknown as typeof fetch, null);
    await expect(api.me()).rejects.toMatchObject({ status: 401 });
    expect(fetchImpl).not.toHaveBeenCalled();
    expect(onUnauthorized).toHaveBeenCalled();
  });

  it('builds the report and export paths', () => {
    const days = { from: '2026-03-01', to: '2026-03-07' };
    expect(reportPath('funnel', days)).toBe('/reports/funnel?from=2026-03-01&to=2026-03-07');
    expect(reportPath('funnel', { ...days, tokenRequestorId: '50110030273' }, 'csv')).toBe(
      '/reports/funnel?from=2026-03-01&to=2026-03-07&tokenRequestorId=50110030273&format=csv',
    );
    expect(reportPath('apple-pay', { ...days, tokenRequestorId: '50110030273' }, 'csv')).toBe(
      '/reports/apple-pay?from=2026-03-01&to=2026-03-07&format=csv',
    );
    expect(reportPath('active-tokens', days)).toBe('/reports/active-tokens');
    expect(reportPath('active-tokens', null, 'csv')).toBe('/reports/active-tokens?format=csv');
    // an export is every entry: no page, no cursor
    expect(auditPath({ ...days, actor: 'agent@bank.test', cursor: 'abc', limit: 10 }, 'csv')).toBe(
      '/audit?from=2026-03-01&to=2026-03-07&actor=agent%40bank.test&format=csv',
    );
  });

  it('asks for a token\'s transactions and the reports', async () => {
    const fetchImpl = vi.fn<typeof fetch>(async () => new Response('{"offered":false,"transactions":[],"rows":[]}', { status: 200 }));
    const { api } = client(fetchImpl);
    await api.tokenTransactions('tok_00000001');
    await api.funnelReport({ from: '2026-03-01', to: '2026-03-07' });
    await api.applePayReport({ from: '2026-03-01', to: '2026-03-07' });
    await api.activeTokensReport();
    const calls = fetchImpl.mock.calls as unknown as [string, RequestInit][];
    expect(calls.map(([url, init]) => `${init.method} ${url}`)).toEqual([
      'GET /admin-api/v1/tokens/tok_00000001/transactions',
      'GET /admin-api/v1/reports/funnel?from=2026-03-01&to=2026-03-07',
      'GET /admin-api/v1/reports/apple-pay?from=2026-03-01&to=2026-03-07',
      'GET /admin-api/v1/reports/active-tokens',
    ]);
  });

  it('downloads a CSV as a Blob, with the bearer token', async () => {
    const fetchImpl = vi.fn<typeof fetch>(
      async () => new Response('day,network\r\n2026-03-01,VISA\r\n', { status: 200, headers: { 'Content-Type': 'text/csv; charset=utf-8' } }),
    );
    const { api } = client(fetchImpl);
    const blob = await api.downloadCsv('/reports/funnel?from=2026-03-01&to=2026-03-07&format=csv');
    const [url, init] = fetchImpl.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('/admin-api/v1/reports/funnel?from=2026-03-01&to=2026-03-07&format=csv');
    expect(init.method).toBe('GET');
    const headers = new Headers(init.headers);
    expect(headers.get('authorization')).toBe('Bearer tkn');
    expect(headers.get('accept')).toBe('text/csv, application/problem+json');
    expect(blob.type).toMatch(/^text\/csv/);
    expect(await blob.text()).toBe('day,network\r\n2026-03-01,VISA\r\n');
  });

  it('refuses an answer that is not CSV, and shows a problem as usual', async () => {
    const notCsv = vi.fn<typeof fetch>(async () => new Response('{"rows":[]}', { status: 200, headers: { 'Content-Type': 'application/json' } }));
    await expect(client(notCsv).api.downloadCsv('/reports/active-tokens?format=csv')).rejects.toMatchObject({
      detail: 'The service did not send a CSV file.',
    });
    const body = { type: 'https://tmp.example/problems/unprocessable-content', title: 'Unprocessable Content', status: 422, detail: 'Too many entries: narrow the range' };
    const refused = vi.fn<typeof fetch>(
      async () => new Response(JSON.stringify(body), { status: 422, headers: { 'Content-Type': 'application/problem+json' } }),
    );
    await expect(client(refused).api.downloadCsv('/audit?from=2026-01-01&to=2026-02-01&format=csv')).rejects.toMatchObject({
      status: 422,
      detail: 'Too many entries: narrow the range',
    });
    const gone = vi.fn<typeof fetch>(async () => new Response('', { status: 401 }));
    const ended = client(gone);
    await expect(ended.api.downloadCsv('/reports/active-tokens?format=csv')).rejects.toMatchObject({ status: 401 });
    expect(ended.onUnauthorized).toHaveBeenCalledOnce();
  });

  it('calls the API on its own origin in cognito mode, with the bearer token and no cookies', async () => {
    const fetchImpl = vi.fn<typeof fetch>(async () => new Response('{"tokens":[],"nextCursor":null}', { status: 200 }));
    const { api } = client(fetchImpl, 'tkn', 'https://abc123.execute-api.eu-west-1.amazonaws.com/v1');
    await api.searchTokens({ pan: '5555555555554444' });
    await api.downloadCsv('/reports/active-tokens?format=csv').catch(() => undefined);
    const calls = fetchImpl.mock.calls as unknown as [string, RequestInit][];
    expect(calls.map(([url]) => url)).toEqual([
      'https://abc123.execute-api.eu-west-1.amazonaws.com/v1/admin-api/v1/tokens/search',
      'https://abc123.execute-api.eu-west-1.amazonaws.com/v1/admin-api/v1/reports/active-tokens?format=csv',
    ]);
    for (const [url, init] of calls) {
      expect(new URL(url).origin).toBe('https://abc123.execute-api.eu-west-1.amazonaws.com');
      expect(new Headers(init.headers).get('authorization')).toBe('Bearer tkn');
      expect(init.credentials).toBe('omit');
    }
    // the search stays in the body, on another origin too
    expect(calls[0]![0]).not.toContain('5555');
    expect(calls[0]![1].body).toBe('{"pan":"5555555555554444"}');
  });

  it('stays relative (same origin) in local mode, without cookies either', async () => {
    const fetchImpl = vi.fn<typeof fetch>(async () => new Response('{}', { status: 200 }));
    await client(fetchImpl).api.me();
    await client(fetchImpl, 'tkn', '').api.me();
    const calls = fetchImpl.mock.calls as unknown as [string, RequestInit][];
    expect(calls.map(([url]) => url)).toEqual(['/admin-api/v1/me', '/admin-api/v1/me']);
    expect(calls.every(([, init]) => init.credentials === 'omit')).toBe(true);
  });
});
