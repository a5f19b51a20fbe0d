/**
 * An in-memory stand-in for the platform's admin API and local sign-in, for the
 * panel's tests: it answers as api/admin-api.openapi.yaml says and records
 * every request it receives.
 */
import type { ActionResult, AuditEntry, Me, Permission, Role, SearchRequest, TokenPage } from '../api/types';

export interface Recorded {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

const PERMISSIONS: Record<Role, Permission[]> = {
  viewer: ['tokens.read'],
  agent: ['tokens.read', 'tokens.activate', 'tokens.suspend', 'tokens.unsuspend'],
  supervisor: ['tokens.read', 'tokens.activate', 'tokens.suspend', 'tokens.unsuspend', 'tokens.delete', 'audit.read'],
  admin: ['tokens.read', 'tokens.activate', 'tokens.suspend', 'tokens.unsuspend', 'tokens.delete', 'audit.read'],
};

const USERS: Record<string, Role> = {
  'viewer@bank.test': 'viewer',
  'agent@bank.test': 'agent',
  'supervisor@bank.test': 'supervisor',
};

export function sampleToken(overrides: Partial<TokenPage> = {}): TokenPage {
  return {
    tokenId: 'tok_00000001',
    network: 'MASTERCARD',
    tokenReference: 'DWSPMC000000000132d72d4fcb2f4136a0532d3093ff1a45',
    status: 'ACTIVE',
    suspendedBy: [],
    tokenRequestorId: '50110030273',
    walletId: 'GOOGLE_PAY',
    device: { name: 'Pixel 9', type: 'PHONE', os: 'Android' },
    cardId: 'card-0001',
    panLast4: '4444',
    createdAt: '2026-03-01T10:00:00Z',
    updatedAt: '2026-03-01T10:05:00Z',
    history: [
      { status: 'ACTIVE', initiator: 'TSP', eventTime: '2026-03-01T10:05:00Z', applied: true },
      { status: 'INACTIVE', initiator: 'TSP', eventTime: '2026-03-01T10:00:00Z', applied: true },
    ],
    decisionTrail: {
      decision: 'APPROVED',
      summary: 'Approved: every check passed.',
      steps: [
        {
          rule: 'CARD_STATUS',
          verdict: 'PASS',
          explanation: 'The card is open.',
          inputs: { cardStatus: 'OPEN' },
        },
        { rule: 'VELOCITY', verdict: 'PASS', explanation: 'Two tokens this week, the limit is five.', inputs: {} },
      ],
    },
    allowedActions: ['suspend'],
    ...overrides,
  };
}

function problem(status: number, detail: string): Response {
  const titles: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict', 422: 'Unprocessable Content', 503: 'Service Unavailable' };
  return new Response(
    JSON.stringify({ type: `https://tmp.example/problems/${titles[status]!.toLowerCase().replace(/ /g, '-')}`, title: titles[status], status, detail }),
    { status, headers: { 'Content-Type': 'application/problem+json' } },
  );
}

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

export class FakePlatform {
  readonly requests: Recorded[] = [];
  readonly audit: AuditEntry[] = [];
  tokens: TokenPage[] = [sampleToken()];
  /** Answers to give before anything else (then removed), e.g. a network failure. */
  failNext: ('network' | number)[] = [];
  networkStatus: 'CONFIRMED' | 'PENDING' = 'CONFIRMED';
  pageSize = 25;
  private readonly sessions = new Map<string, string>();
  private readonly replays = new Map<string, unknown>();
  private counter = 0;

  readonly fetch = async (input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((value, key) => {
      headers[key] = value;
    });
    const body = typeof init.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined;
    const method = (init.method ?? 'GET').toUpperCase();
    this.requests.push({ method, url, headers, body });

    const fail = this.failNext.shift();
    if (fail === 'network') throw new TypeError('Failed to fetch');
    if (typeof fail === 'number') return problem(fail, 'Injected failure');
    return this.answer(method, new URL(url, 'http://127.0.0.1:3000'), headers, body);
  };

  requestsTo(path: string): Recorded[] {
    return this.requests.filter((r) => new URL(r.url, 'http://x').pathname === path);
  }

  private answer(method: string, url: URL, headers: Record<string, string>, body: unknown): Response {
    if (method === 'POST' && url.pathname === '/_local/admin/sign-in') {
      const { email, password } = (body ?? {}) as { email?: string; password?: string };
      if (!email || !USERS[email] || password !== 'local-password') return problem(401, 'Sign-in failed');
      const token = `token-${++this.counter}`;
      this.sessions.set(token, email);
      return json({ access_token: token, token_type: 'Bearer', expires_in: 3600 });
    }
    if (!url.pathname.startsWith('/admin-api/v1/')) return new Response('<!doctype html>', { status: 200 });

    const bearer = /^Bearer (.+)$/.exec(headers.authorization ?? '')?.[1];
    const email = bearer ? this.sessions.get(bearer) : undefined;
    if (!email) return problem(401, 'Sign in again');
    const role = USERS[email]!;
    const me: Me = { email, roles: [role], permissions: PERMISSIONS[role] };
    const path = url.pathname.slice('/admin-api/v1'.length);

    if (method === 'GET' && path === '/me') return json(me);
    if (method === 'POST' && path === '/tokens/search') {
      const req = body as SearchRequest;
      let found = this.tokens.filter(
        (t) =>
          (req.cardId === undefined || t.cardId === req.cardId) &&
          (req.tokenReference === undefined || t.tokenReference === req.tokenReference) &&
          (req.pan === undefined || req.pan.endsWith(t.panLast4 ?? '')) &&
          (req.status === undefined || t.status === req.status),
      );
      const start = req.cursor ? Number(req.cursor.replace('c', '')) : 0;
      found = found.slice(start, start + this.pageSize);
      const more = start + this.pageSize < this.tokens.length;
      return json({
        tokens: found.map(({ history: _h, decisionTrail: _d, pendingNetworkAction: _p, allowedActions: _a, ...summary }) => summary),
        nextCursor: more ? `c${start + this.pageSize}` : null,
      });
    }
    const tokenMatch = /^\/tokens\/([A-Za-z0-9_-]+)(?:\/(activate|suspend|unsuspend|delete))?$/.exec(path);
    if (tokenMatch) {
      const token = this.tokens.find((t) => t.tokenId === tokenMatch[1]);
      if (!token) return problem(404, 'No such token');
      const action = tokenMatch[2];
      const allowed = (name: string) => me.permissions.includes(`tokens.${name}` as Permission);
      const view = (): TokenPage => ({ ...token, allowedActions: token.allowedActions.filter(allowed) });
      if (method === 'GET' && !action) return json(view());
      if (method === 'POST' && action) {
        const key = headers['idempotency-key'];
        if (!key || !/^[A-Za-z0-9_-]{8,64}$/.test(key)) return problem(400, 'Missing Idempotency-Key');
        if (!allowed(action)) {
          this.audit.unshift(this.entry(email, 'SUSPEND_TOKEN', 'REFUSED', 403));
          return problem(403, 'Your role does not allow this operation');
        }
        const replay = this.replays.get(key);
        if (replay) return json(replay);
        const { reasonCode, comment } = body as { reasonCode: string; comment?: string };
        token.status = action === 'suspend' ? 'SUSPENDED' : action === 'delete' ? 'DEACTIVATED' : 'ACTIVE';
        token.history = [
          ...token.history,
          {
            status: token.status,
            initiator: 'OPERATOR',
            reasonCode,
            ...(comment ? { comment } : {}),
            operator: email,
            eventTime: '2026-03-02T09:00:00Z',
            applied: true,
          },
        ];
        token.allowedActions = action === 'suspend' ? ['unsuspend', 'delete'] : ['suspend', 'delete'];
        this.audit.unshift(this.entry(email, 'SUSPEND_TOKEN', 'SUCCEEDED', 200));
        const result: ActionResult = { ...view(), networkStatus: this.networkStatus };
        this.replays.set(key, result);
        return json(result);
      }
    }
    if (method === 'GET' && path === '/audit') {
      if (!me.permissions.includes('audit.read')) return problem(403, 'Your role does not allow this operation');
      const actor = url.searchParams.get('actor');
      return json({ entries: this.audit.filter((e) => !actor || e.actor === actor), nextCursor: null });
    }
    return problem(404, 'No such route');
  }

  private entry(actor: string, action: AuditEntry['action'], result: AuditEntry['result'], status: number): AuditEntry {
    return {
      auditId: `audit-${String(++this.counter).padStart(6, '0')}`,
      at: '2026-03-02T09:00:00Z',
      actor,
      roles: [USERS[actor]!],
      action,
      target: 'token DWSPMC…',
      sourceIp: '127.0.0.1',
      result,
      status,
    };
  }
}
