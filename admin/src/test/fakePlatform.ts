/**
 * An in-memory stand-in for the platform's admin API and local sign-in, for the
 * panel's tests: it answers as api/admin-api.openapi.yaml says and records
 * every request it receives.
 */
import { CARD_EVENTS, DECISION_THRESHOLDS, REASON_CODES, ROLES } from '../api/types';
import type {
  ActionResult,
  AgentAccount,
  AgentRoleChange,
  ActiveTokensRow,
  AuditEntry,
  BulkAction,
  BulkPreview,
  CardEventType,
  DecisionRulesInForce,
  DecisionRulesView,
  FunnelRow,
  JobResponse,
  Me,
  NetworkStatus,
  Permission,
  Role,
  SearchRequest,
  TokenPage,
  TokenStatus,
  TokenTransaction,
  TokenTransactions,
} from '../api/types';

export interface Recorded {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

const PERMISSIONS: Record<Role, Permission[]> = {
  viewer: ['tokens.read', 'reports.read'],
  agent: ['tokens.read', 'tokens.activate', 'tokens.suspend', 'tokens.unsuspend', 'reports.read'],
  supervisor: ['tokens.read', 'tokens.activate', 'tokens.suspend', 'tokens.unsuspend', 'tokens.delete', 'tokens.bulk', 'cards.events', 'audit.read', 'reports.read'],
  admin: ['tokens.read', 'tokens.activate', 'tokens.suspend', 'tokens.unsuspend', 'tokens.delete', 'tokens.bulk', 'cards.events', 'audit.read', 'reports.read', 'rules.manage', 'agents.manage'],
};

const USERS: Record<string, Role> = {
  'viewer@bank.test': 'viewer',
  'agent@bank.test': 'agent',
  'supervisor@bank.test': 'supervisor',
  'admin@bank.test': 'admin',
};

/** The seeded agents as GET /agents lists them (by sign-in name), each in their one role group. */
export function sampleAgents(): AgentAccount[] {
  return Object.entries(USERS)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([username, role]) => ({ username, roles: [role], enabled: true, status: 'CONFIRMED', createdAt: '2026-03-01T08:00:00Z' }));
}

export function sampleToken(overrides: Partial<TokenPage> = {}): TokenPage {
  return {
    tokenId: 'tok_00000001',
    network: 'MASTERCARD',
    tokenReference: 'DWSPMC000000000132d72d4fcb2f4136a0532d3093ff1a45',
    status: 'ACTIVE',
    suspendedBy: [],
    tokenRequestorId: '50110030273',
    walletId: 'GOOGLE_PAY',
    wallet: 'GOOGLE_PAY',
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
    cardEvents: [],
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

function csv(lines: string[]): Response {
  return new Response(`${lines.join('\r\n')}\r\n`, { status: 200, headers: { 'Content-Type': 'text/csv; charset=utf-8' } });
}

/** The sample card's expiry and its cardholder's phone number (the platform has them from the card's data). */
export const SAMPLE_EXPIRY = '12/29';
export const SAMPLE_PHONE = '+447700900123';

export function sampleFunnel(): FunnelRow[] {
  return [
    { day: '2026-03-01', network: 'MASTERCARD', tokenRequestorId: '50110030273', wallet: 'GOOGLE_PAY', requests: 5, green: 3, yellow: 1, orange: 0, red: 1, activations: 3, abandoned: 0, settled: true },
    { day: '2026-03-01', network: 'VISA', tokenRequestorId: '40010030273', wallet: 'APPLE_PAY', requests: 2, green: 1, yellow: 0, orange: 1, red: 0, activations: 1, abandoned: null, settled: false },
    { day: '2026-03-02', network: 'MASTERCARD', wallet: 'OTHER', requests: 1, green: 0, yellow: 0, orange: 0, red: 1, activations: 0, abandoned: null, settled: false },
  ];
}

export function sampleActiveTokens(): ActiveTokensRow[] {
  return [
    { network: 'MASTERCARD', wallet: 'GOOGLE_PAY', tokenRequestorId: '50110030273', activeTokens: 12 },
    { network: 'VISA', wallet: 'APPLE_PAY', tokenRequestorId: '40010030273', activeTokens: 7 },
  ];
}

/** A transaction as MDES Customer Service reports it, with every field the network may give. */
export function sampleTransaction(overrides: Partial<TokenTransaction> = {}): TokenTransaction {
  return {
    timestamp: '2026-03-01T12:00:00Z',
    transactionType: 'PURCHASE',
    status: 'AUTHORIZED',
    amount: '12.50',
    currencyCode: 'EUR',
    merchantName: 'Corner Shop',
    merchantCategoryCode: '5411',
    merchantCategory: 'Grocery Stores',
    posEntryMode: 'CONTACTLESS',
    ...overrides,
  };
}

/** The platform's own defaults (DecisionRules::default), for thresholds a document leaves out. */
export const PLATFORM_RULES: DecisionRulesInForce = {
  maxLiveTokensPerCard: 10,
  maxAttemptsPer24h: 5,
  maxCardAttemptsPer24h: 10,
  declineScoreAtOrBelow: 1,
  authenticateScoreAtOrBelow: 3,
};

/**
 * The deployment's rules as GET /decision-rules answers them (every threshold explicit):
 * Apple Pay on MDES with fewer attempts, Apple Pay on Visa declining at a higher score.
 */
export function sampleRules(): DecisionRulesView {
  return {
    version: 0,
    source: 'DEPLOYMENT',
    rules: {
      default: { ...PLATFORM_RULES },
      tokenRequestors: {
        '40010030273': { ...PLATFORM_RULES, declineScoreAtOrBelow: 2 },
        '50110030273': { ...PLATFORM_RULES, maxAttemptsPer24h: 3 },
      },
    },
  };
}

/** What the service would refuse in a ReplaceDecisionRules' `rules` (its 422 detail), or null. */
function rulesProblem(rules: unknown): string | null {
  if (typeof rules !== 'object' || rules === null || Array.isArray(rules)) return 'The rules are not a document';
  const doc = rules as Record<string, unknown>;
  if (Object.keys(doc).some((k) => k !== 'default' && k !== 'tokenRequestors')) return 'The rules have an unknown field';
  const thresholds = (value: unknown, requestor: boolean): string | null => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'Thresholds are an object';
    for (const [key, v] of Object.entries(value)) {
      if (!(DECISION_THRESHOLDS as readonly string[]).includes(key)) return 'A threshold is unknown';
      if (requestor && key === 'maxCardAttemptsPer24h') {
        return 'maxCardAttemptsPer24h applies to every token requestor: set it under default';
      }
      const max = key.endsWith('ScoreAtOrBelow') ? 255 : 4_294_967_295;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) return 'A threshold is out of bounds';
    }
    return null;
  };
  if (doc.default !== undefined) {
    const wrong = thresholds(doc.default, false);
    if (wrong) return wrong;
  }
  if (doc.tokenRequestors !== undefined) {
    if (typeof doc.tokenRequestors !== 'object' || doc.tokenRequestors === null) return 'tokenRequestors is an object';
    for (const [id, value] of Object.entries(doc.tokenRequestors)) {
      if (!/^[0-9]{11}$/.test(id)) return 'Token requestor ids are 11 digits';
      const wrong = thresholds(value, true);
      if (wrong) return wrong;
    }
  }
  return null;
}

export class FakePlatform {
  readonly requests: Recorded[] = [];
  readonly audit: AuditEntry[] = [];
  tokens: TokenPage[] = [sampleToken()];
  /** Answers to give before anything else (then removed), e.g. a network failure, or a problem with its own detail. */
  failNext: ('network' | number | { status: number; detail: string })[] = [];
  networkStatus: 'CONFIRMED' | 'PENDING' = 'CONFIRMED';
  pageSize = 25;
  /** Bulk jobs: how many of a job's items each GET of the job settles. */
  jobStepsPerPoll = 1;
  /** The network's transactions of a token (by tokenId); unknown tokens answer as their network does. */
  readonly transactions = new Map<string, TokenTransactions>();
  funnel: FunnelRow[] = sampleFunnel();
  activeTokens: ActiveTokensRow[] = sampleActiveTokens();
  /** What a lost or stolen card does to its tokens (the deployment's LostOrStolenCardAction). */
  lostOrStolenCardAction: 'delete' | 'suspend' = 'delete';
  /** Tokens whose item in a bulk job fails. */
  readonly failingTokens = new Set<string>();
  /** The decision rules in force, as GET /decision-rules answers them. */
  rules: DecisionRulesView = sampleRules();
  /** The admin user pool: every agent's roles (what /me and the audit log say they are). */
  agents: AgentAccount[] = sampleAgents();
  /** GET /agents says the pool has more than it lists. */
  agentsTruncated = false;
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
    if (fail) return problem(fail.status, fail.detail);
    return this.answer(method, new URL(url, 'http://127.0.0.1:3000'), headers, body);
  };

  /** Another administrator saves the rules (a new version), as if between a read and a PUT. */
  changeRulesMeanwhile(change: Partial<DecisionRulesInForce> = { maxAttemptsPer24h: 4 }, by = 'other.admin@bank.test'): void {
    const base = { ...this.rules.rules.default, ...change };
    this.rules = {
      version: this.rules.version + 1,
      source: 'ADMIN',
      rules: {
        default: base,
        tokenRequestors: Object.fromEntries(
          Object.entries(this.rules.rules.tokenRequestors).map(([id, own]) => [id, { ...own, maxCardAttemptsPer24h: base.maxCardAttemptsPer24h }]),
        ),
      },
      updatedBy: by,
      updatedAt: '2026-03-02T08:30:00Z',
    };
  }

  requestsTo(path: string): Recorded[] {
    return this.requests.filter((r) => new URL(r.url, 'http://x').pathname === path);
  }

  private answer(method: string, url: URL, headers: Record<string, string>, body: unknown): Response {
    if (method === 'POST' && url.pathname === '/_local/admin/sign-in') {
      const { email, password } = (body ?? {}) as { email?: string; password?: string };
      if (!email || !this.agentOf(email) || password !== 'local-password') return problem(401, 'Sign-in failed');
      const token = `token-${++this.counter}`;
      this.sessions.set(token, email);
      return json({ access_token: token, token_type: 'Bearer', expires_in: 3600 });
    }
    if (!url.pathname.startsWith('/admin-api/v1/')) return new Response('<!doctype html>', { status: 200 });

    const bearer = /^Bearer (.+)$/.exec(headers.authorization ?? '')?.[1];
    const email = bearer ? this.sessions.get(bearer) : undefined;
    if (!email) return problem(401, 'Sign in again');
    const roles = this.agentOf(email)?.roles ?? [];
    const me: Me = { email, roles, permissions: [...new Set(roles.flatMap((r) => PERMISSIONS[r]))] };
    const path = url.pathname.slice('/admin-api/v1'.length);

    if (method === 'GET' && path === '/me') return json(me);
    if (method === 'POST' && path === '/tokens/search') {
      const req = body as SearchRequest;
      const keys = ['pan', 'cardId', 'tokenReference', 'deviceId', 'last4', 'phoneNumber'].filter((k) => k in req);
      if (keys.length > 1 || (keys.length === 0 && !req.from) || ('last4' in req) !== ('expiry' in req)) {
        return problem(422, 'The search needs one key, or a first day');
      }
      const day = (t: TokenPage) => t.createdAt.slice(0, 10);
      let found = this.tokens.filter(
        (t) =>
          (req.cardId === undefined || t.cardId === req.cardId) &&
          (req.tokenReference === undefined || t.tokenReference === req.tokenReference) &&
          (req.deviceId === undefined || t.deviceId === req.deviceId) &&
          (req.pan === undefined || req.pan.endsWith(t.panLast4 ?? '')) &&
          (req.last4 === undefined || (t.panLast4 === req.last4 && req.expiry === SAMPLE_EXPIRY)) &&
          (req.phoneNumber === undefined || req.phoneNumber.replace(/[^+0-9]/g, '') === SAMPLE_PHONE) &&
          (req.from === undefined || day(t) >= req.from) &&
          (req.to === undefined || day(t) <= req.to) &&
          (req.status === undefined || t.status === req.status) &&
          (req.network === undefined || t.network === req.network) &&
          (req.wallet === undefined || t.wallet === req.wallet) &&
          (req.tokenRequestorId === undefined || t.tokenRequestorId === req.tokenRequestorId),
      );
      const start = req.cursor ? Number(req.cursor.replace('c', '')) : 0;
      found = found.slice(start, start + this.pageSize);
      const more = start + this.pageSize < this.tokens.length;
      return json({
        tokens: found.map(
          ({ history: _h, decisionTrail: _d, pendingNetworkAction: _p, allowedActions: _a, bulkActions: _b, cardEvents: _c, deviceId: _i, ...summary }) =>
            summary,
        ),
        nextCursor: more ? `c${start + this.pageSize}` : null,
      });
    }
    const transactionsMatch = /^\/tokens\/([A-Za-z0-9_-]+)\/transactions$/.exec(path);
    if (method === 'GET' && transactionsMatch) {
      const token = this.tokens.find((t) => t.tokenId === transactionsMatch[1]);
      if (!token) return problem(404, 'No such token');
      this.audit.unshift(this.entry(email, 'VIEW_TRANSACTIONS', 'SUCCEEDED', 200));
      const known = this.transactions.get(token.tokenId);
      if (known) return json(known);
      return json(token.network === 'VISA' ? { offered: false, transactions: [] } : { offered: true, transactions: [] });
    }
    const reportMatch = /^\/reports\/(funnel|apple-pay|active-tokens)$/.exec(path);
    if (method === 'GET' && reportMatch) {
      if (!me.permissions.includes('reports.read')) return problem(403, 'Your role does not allow this operation');
      const report = reportMatch[1]!;
      const from = url.searchParams.get('from') ?? '2026-02-24';
      const to = url.searchParams.get('to') ?? '2026-03-02';
      const requestor = url.searchParams.get('tokenRequestorId');
      const asCsv = url.searchParams.get('format') === 'csv';
      this.audit.unshift(this.entry(email, 'READ_REPORT', 'SUCCEEDED', 200));
      const funnel = this.funnel.filter(
        (r) => (!requestor || r.tokenRequestorId === requestor) && (report !== 'apple-pay' || r.wallet === 'APPLE_PAY'),
      );
      const active = this.activeTokens.filter((r) => report !== 'apple-pay' || r.wallet === 'APPLE_PAY');
      if (report === 'active-tokens') {
        return asCsv
          ? csv(['network,wallet,tokenRequestorId,activeTokens', ...active.map((r) => `${r.network},${r.wallet},${r.tokenRequestorId ?? ''},${r.activeTokens}`)])
          : json({ rows: active });
      }
      if (asCsv) {
        return csv([
          'day,network,tokenRequestorId,wallet,requests,green,yellow,orange,red,activations,abandoned,settled',
          ...funnel.map(
            (r) =>
              `${r.day},${r.network},${r.tokenRequestorId ?? ''},${r.wallet ?? ''},${r.requests},${r.green},${r.yellow},${r.orange},${r.red},${r.activations},${r.abandoned ?? ''},${r.settled}`,
          ),
        ]);
      }
      return json(report === 'funnel' ? { from, to, rows: funnel } : { from, to, rows: funnel, activeTokens: active });
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
        cardEvents: me.permissions.includes('cards.events') && token.cardId ? token.cardEvents : [],
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
    const cardEventMatch = /^\/cards\/([A-Za-z0-9_-]+)\/events$/.exec(path);
    if (method === 'POST' && cardEventMatch) {
      const key = headers['idempotency-key'];
      if (!key || !/^[A-Za-z0-9_-]{8,64}$/.test(key)) return problem(400, 'Missing Idempotency-Key');
      if (!me.permissions.includes('cards.events')) {
        this.audit.unshift(this.entry(email, 'POST_CARD_EVENT', 'REFUSED', 403));
        return problem(403, 'Your role does not allow this operation');
      }
      const replay = this.replays.get(key);
      if (replay) return json(replay, 202);
      const { type, comment } = (body ?? {}) as { type?: string; comment?: string };
      if (!type || !(CARD_EVENTS as readonly string[]).includes(type)) return problem(422, 'The card event is not one the contract allows');
      if (comment !== undefined && (comment.length < 1 || comment.length > 256)) return problem(422, 'The comment is too long');
      const all = this.tokens.filter((t) => t.cardId === cardEventMatch[1]);
      if (all.length === 0) return problem(404, 'No such card');
      const event = type as CardEventType;
      const action: BulkAction =
        event === 'BLOCKED' ? 'suspend' : event === 'UNBLOCKED' ? 'unsuspend' : event === 'CLOSED' ? 'delete' : this.lostOrStolenCardAction;
      const live = all.filter((t) => t.status !== 'DEACTIVATED' && t.status !== 'DECLINED');
      const changes = (t: TokenPage) =>
        action === 'suspend' ? t.status === 'ACTIVE' : action === 'unsuspend' ? t.status === 'SUSPENDED' : true;
      const jobId = `job-${String(++this.counter).padStart(8, '0')}`;
      const items = live.filter(changes).map((t) => ({ tokenId: t.tokenId, outcome: 'PENDING' as const }));
      this.jobs.set(jobId, {
        job: { jobId, status: 'RUNNING', total: items.length, succeeded: 0, failed: 0, items },
        action,
        reasonCode: `CARD_${event}`,
        ...(comment ? { comment } : {}),
        operator: email,
      });
      this.audit.unshift(this.entry(email, 'POST_CARD_EVENT', 'SUCCEEDED', 202));
      const accepted = { jobId };
      this.replays.set(key, accepted);
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
    if (path === '/decision-rules' && (method === 'GET' || method === 'PUT')) {
      const action = method === 'GET' ? 'READ_RULES' : 'UPDATE_RULES';
      if (!me.permissions.includes('rules.manage')) {
        this.audit.unshift(this.entry(email, action, 'REFUSED', 403));
        return problem(403, 'Your role does not allow this operation');
      }
      if (method === 'GET') {
        this.audit.unshift(this.entry(email, action, 'SUCCEEDED', 200));
        return json(this.rules);
      }
      const { version, rules, ...rest } = (body ?? {}) as { version?: unknown; rules?: unknown };
      if (typeof version !== 'number' || !Number.isInteger(version) || version < 0 || rules === undefined || Object.keys(rest).length > 0) {
        return problem(400, 'The request is not a ReplaceDecisionRules');
      }
      const wrong = rulesProblem(rules);
      if (wrong) {
        this.audit.unshift(this.entry(email, action, 'REFUSED', 422));
        return problem(422, wrong);
      }
      if (version !== this.rules.version) {
        this.audit.unshift(this.entry(email, action, 'REFUSED', 409));
        return problem(409, 'The decision rules were changed since that version');
      }
      const doc = rules as { default?: Partial<DecisionRulesInForce>; tokenRequestors?: Record<string, Partial<DecisionRulesInForce>> };
      // Stored as the service does: every threshold explicit, a requestor's absent ones the default's.
      const base: DecisionRulesInForce = { ...PLATFORM_RULES, ...doc.default };
      this.rules = {
        version: this.rules.version + 1,
        source: 'ADMIN',
        rules: {
          default: base,
          tokenRequestors: Object.fromEntries(
            Object.entries(doc.tokenRequestors ?? {})
              .sort(([a], [b]) => a.localeCompare(b))
              .map(([id, own]) => [id, { ...base, ...own }]),
          ),
        },
        updatedBy: email,
        updatedAt: '2026-03-02T09:00:00Z',
      };
      this.audit.unshift(this.entry(email, action, 'SUCCEEDED', 200));
      return json(this.rules);
    }
    if (method === 'GET' && path === '/agents') {
      if (!me.permissions.includes('agents.manage')) {
        this.audit.unshift(this.entry(email, 'LIST_AGENTS', 'REFUSED', 403));
        return problem(403, 'Your role does not allow this operation');
      }
      this.audit.unshift(this.entry(email, 'LIST_AGENTS', 'SUCCEEDED', 200));
      return json({ agents: this.agents, truncated: this.agentsTruncated });
    }
    if (method === 'PUT' && path === '/agent-roles') {
      if (!me.permissions.includes('agents.manage')) {
        this.audit.unshift(this.entry(email, 'SET_AGENT_ROLE', 'REFUSED', 403));
        return problem(403, 'Your role does not allow this operation');
      }
      const { username, role, ...rest } = (body ?? {}) as { username?: unknown; role?: unknown };
      if (typeof username !== 'string' || role === undefined || Object.keys(rest).length > 0) {
        return problem(400, 'The request is not a SetAgentRole');
      }
      if (role !== null && !(ROLES as readonly unknown[]).includes(role)) return problem(422, 'The role is not one the contract allows');
      if (username.toLowerCase() === email.toLowerCase()) {
        this.audit.unshift(this.entry(email, 'SET_AGENT_ROLE', 'REFUSED', 409));
        return problem(409, 'You cannot change your own role; another administrator can');
      }
      const agent = this.agentOf(username);
      if (!agent) {
        this.audit.unshift(this.entry(email, 'SET_AGENT_ROLE', 'REFUSED', 404));
        return problem(404, 'No such agent');
      }
      const before = agent.roles;
      const after = role === null ? [] : [role as Role];
      const signedOut = before.length !== after.length || before.some((r) => !after.includes(r));
      if (signedOut) {
        agent.roles = after;
        // Their sessions end: the new role comes with their next sign-in.
        for (const [token, who] of this.sessions) if (who === agent.username) this.sessions.delete(token);
      }
      this.audit.unshift(this.entry(email, 'SET_AGENT_ROLE', 'SUCCEEDED', 200));
      const change: AgentRoleChange = { username: agent.username, before, after, signedOut };
      return json(change);
    }
    if (method === 'GET' && path === '/audit') {
      if (!me.permissions.includes('audit.read')) return problem(403, 'Your role does not allow this operation');
      const actor = url.searchParams.get('actor');
      const entries = this.audit.filter((e) => !actor || e.actor === actor);
      if (url.searchParams.get('format') === 'csv') {
        this.audit.unshift(this.entry(email, 'EXPORT_AUDIT', 'SUCCEEDED', 200));
        return csv(['auditId,at,actor,action,target,result,status', ...entries.map((e) => `${e.auditId},${e.at},${e.actor},${e.action},${e.target ?? ''},${e.result},${e.status}`)]);
      }
      return json({ entries, nextCursor: null });
    }
    return problem(404, 'No such route');
  }

  private agentOf(username: string): AgentAccount | undefined {
    return this.agents.find((a) => a.username.toLowerCase() === username.toLowerCase());
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
      roles: this.agentOf(actor)?.roles ?? [],
      action,
      target: 'token DWSPMC…',
      sourceIp: '127.0.0.1',
      result,
      status,
    };
  }
}
