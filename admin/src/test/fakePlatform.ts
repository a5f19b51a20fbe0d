/**
 * An in-memory stand-in for the platform's admin API and local sign-in, for the
 * panel's tests: it answers as api/admin-api.openapi.yaml says and records
 * every request it receives.
 */
import { REASON_CODES } from '../api/types';
import type {
  ActionResult,
  AuditEntry,
  BulkAction,
  BulkPreview,
  JobResponse,
  Me,
  NetworkStatus,
  Permission,
  Role,
  SearchRequest,
  TokenPage,
  TokenStatus,
} from '../api/types';

export interface Recorded {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

const PERMISSIONS: Record<Role, Permission[]> = {
  viewer: ['tokens.read'],
  agent: ['tokens.read', 'tokens.activate', 'tokens.suspend', 'tokens.unsuspend'],
  supervisor: ['tokens.read', 'tokens.activate', 'tokens.suspend', 'tokens.unsuspend', 'tokens.delete', 'tokens.bulk', 'audit.read'],
  admin: ['tokens.read', 'tokens.activate', 'tokens.suspend', 'tokens.unsuspend', 'tokens.delete', 'tokens.bulk', 'audit.read'],
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
    deviceId: 'dev-pixel-0001',
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
    bulkActions: [],
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
  /** Bulk jobs: how many of a job's items each GET of the job settles. */
  jobStepsPerPoll = 1;
  /** Tokens whose item in a bulk job fails. */
  readonly failingTokens = new Set<string>();
  readonly jobs = new Map<string, { job: JobResponse; action: BulkAction; reasonCode: string; comment?: string; operator: string }>();
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
          (req.deviceId === undefined || t.deviceId === req.deviceId) &&
          (req.pan === undefined || req.pan.endsWith(t.panLast4 ?? '')) &&
          (req.status === undefined || t.status === req.status),
      );
      const start = req.cursor ? Number(req.cursor.replace('c', '')) : 0;
      found = found.slice(start, start + this.pageSize);
      const more = start + this.pageSize < this.tokens.length;
      return json({
        tokens: found.map(
          ({ history: _h, decisionTrail: _d, pendingNetworkAction: _p, allowedActions: _a, bulkActions: _b, deviceId: _i, ...summary }) =>
            summary,
        ),
        nextCursor: more ? `c${start + this.pageSize}` : null,
      });
    }
    const tokenMatch = /^\/tokens\/([A-Za-z0-9_-]+)(?:\/(activate|suspend|unsuspend|delete))?$/.exec(path);
    if (tokenMatch) {
      const token = this.tokens.find((t) => t.tokenId === tokenMatch[1]);
      if (!token) return problem(404, 'No such token');
      const action = tokenMatch[2];
      const allowed = (name: string) => me.permissions.includes(`tokens.${name}` as Permission);
      const view = (): TokenPage => ({
        ...token,
        allowedActions: token.allowedActions.filter(allowed),
        bulkActions: allowed('bulk') ? token.bulkActions : [],
      });
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
    const bulkMatch = /^\/(cards|devices)\/([A-Za-z0-9_-]+)\/tokens\/(suspend|unsuspend|delete)(\/preview)?$/.exec(path);
    if (bulkMatch && method === (bulkMatch[4] ? 'GET' : 'POST')) {
      const [, kind, id, action, isPreview] = bulkMatch as unknown as [string, 'cards' | 'devices', string, BulkAction, string | undefined];
      const auditAction = isPreview ? 'PREVIEW_BULK' : 'START_BULK';
      const key = headers['idempotency-key'];
      if (!isPreview && (!key || !/^[A-Za-z0-9_-]{8,64}$/.test(key))) return problem(400, 'Missing Idempotency-Key');
      if (!me.permissions.includes('tokens.bulk')) {
        this.audit.unshift(this.entry(email, auditAction, 'REFUSED', 403));
        return problem(403, 'Your role does not allow this operation');
      }
      const all = this.tokens.filter((t) => (kind === 'cards' ? t.cardId : t.deviceId) === id);
      if (all.length === 0) return problem(404, 'No such card or device');
      const live = all.filter((t) => t.status !== 'DEACTIVATED' && t.status !== 'DECLINED');
      const changes = (t: TokenPage) =>
        action === 'suspend' ? t.status === 'ACTIVE' : action === 'unsuspend' ? t.status === 'SUSPENDED' : true;
      if (isPreview) {
        const preview: BulkPreview = {
          action,
          tokens: live.map((t) => ({ tokenId: t.tokenId, tokenReference: t.tokenReference, network: t.network, status: t.status, changes: changes(t) })),
          total: live.length,
          changing: live.filter(changes).length,
        };
        this.audit.unshift(this.entry(email, auditAction, 'SUCCEEDED', 200));
        return json(preview);
      }
      const replay = this.replays.get(key!);
      if (replay) return json(replay, 202);
      const { reasonCode, comment } = (body ?? {}) as { reasonCode?: string; comment?: string };
      if (!reasonCode || !(REASON_CODES[action] as readonly string[]).includes(reasonCode)) {
        return problem(422, 'The reason is not one this action allows');
      }
      const jobId = `job-${String(++this.counter).padStart(8, '0')}`;
      const items = live.filter(changes).map((t) => ({ tokenId: t.tokenId, outcome: 'PENDING' as const }));
      this.jobs.set(jobId, {
        job: { jobId, status: 'RUNNING', total: items.length, succeeded: 0, failed: 0, items },
        action,
        reasonCode,
        ...(comment ? { comment } : {}),
        operator: email,
      });
      this.audit.unshift(this.entry(email, auditAction, 'SUCCEEDED', 202));
      const accepted = { jobId };
      this.replays.set(key!, accepted);
      return json(accepted, 202);
    }
    const jobMatch = /^\/jobs\/([A-Za-z0-9_-]+)$/.exec(path);
    if (method === 'GET' && jobMatch) {
      if (!me.permissions.includes('tokens.bulk')) return problem(403, 'Your role does not allow this operation');
      const entry = this.jobs.get(jobMatch[1]!);
      if (!entry) return problem(404, 'No such job');
      this.settle(entry, this.jobStepsPerPoll);
      return json(entry.job);
    }
    if (method === 'GET' && path === '/audit') {
      if (!me.permissions.includes('audit.read')) return problem(403, 'Your role does not allow this operation');
      const actor = url.searchParams.get('actor');
      return json({ entries: this.audit.filter((e) => !actor || e.actor === actor), nextCursor: null });
    }
    return problem(404, 'No such route');
  }

  /** Settles up to `steps` pending items of the job, applying the action to their tokens. */
  private settle(
    entry: { job: JobResponse; action: BulkAction; reasonCode: string; comment?: string; operator: string },
    steps: number,
  ): void {
    const { job, action } = entry;
    for (const item of job.items) {
      if (steps <= 0) break;
      if (item.outcome !== 'PENDING') continue;
      steps -= 1;
      const token = this.tokens.find((t) => t.tokenId === item.tokenId);
      if (!token || this.failingTokens.has(item.tokenId)) {
        item.outcome = 'FAILED';
        item.problem = { type: 'https://tmp.example/problems/conflict', title: 'Conflict', status: 409, detail: 'The network refused the change' };
        job.failed += 1;
        continue;
      }
      const status: TokenStatus = action === 'suspend' ? 'SUSPENDED' : action === 'delete' ? 'DEACTIVATED' : 'ACTIVE';
      token.status = status;
      token.allowedActions = action === 'suspend' ? ['unsuspend', 'delete'] : action === 'delete' ? [] : ['suspend', 'delete'];
      token.history = [
        ...token.history,
        {
          status,
          initiator: 'JOB',
          reasonCode: entry.reasonCode,
          ...(entry.comment ? { comment: entry.comment } : {}),
          operator: entry.operator,
          eventTime: '2026-03-02T10:00:00Z',
          applied: true,
        },
      ];
      item.outcome = 'SUCCEEDED';
      item.networkStatus = this.networkStatus as NetworkStatus;
      job.succeeded += 1;
    }
    if (job.items.every((i) => i.outcome !== 'PENDING')) job.status = job.failed > 0 ? 'PARTIAL' : 'DONE';
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
