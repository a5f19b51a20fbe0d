import type {
  Action,
  ActionRequest,
  ActionResult,
  ActiveTokensReport,
  AgentList,
  AgentRoleChange,
  ApplePayReport,
  AuditPage,
  AuditQuery,
  BulkAction,
  BulkActionRequest,
  BulkPreview,
  BulkTarget,
  CardEventRequest,
  DecisionRulesDocument,
  DecisionRulesView,
  FunnelReport,
  JobAccepted,
  JobResponse,
  Me,
  Problem,
  ReportFormat,
  ReportKind,
  ReplaceDecisionRules,
  ReportQuery,
  Role,
  SearchRequest,
  SetAgentRole,
  SearchResponse,
  TokenPage,
  TokenTransactions,
} from './types';

/** The API's path prefix; the origin (and stage) in front of it is ApiClientOptions.apiBase. */
export const API_BASE = '/admin-api/v1';

/** A failed call: `status` 0 when the service could not be reached at all. */
export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem | undefined;

  constructor(status: number, detail: string, problem?: Problem) {
    super(detail);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem;
  }

  /** What to show the agent: the problem's `detail`, or a sentence of ours. */
  get detail(): string {
    return this.message;
  }

  get isNetworkError(): boolean {
    return this.status === 0;
  }
}

export function isAbortError(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}

const FALLBACK_DETAIL: Record<number, string> = {
  400: 'The service could not read the request.',
  401: 'Your session has ended. Sign in again.',
  403: 'Your role does not allow this operation.',
  404: 'Not found.',
  409: 'The token cannot be changed that way now.',
  422: 'The request has a value the service does not accept.',
  429: 'Too many requests. Wait a moment and try again.',
  503: 'The service is temporarily unavailable. Try again.',
};

export const UNREACHABLE = 'The service could not be reached. Check the connection and try again.';

function isProblem(value: unknown): value is Problem {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.detail === 'string' && typeof v.status === 'number';
}

async function errorFrom(res: Response): Promise<ApiError> {
  let problem: Problem | undefined;
  if ((res.headers.get('content-type') ?? '').includes('json')) {
    try {
      const body: unknown = await res.json();
      if (isProblem(body)) problem = body;
    } catch {
      // not JSON after all: fall back to our own words
    }
  }
  const detail =
    problem?.detail.trim() || FALLBACK_DETAIL[res.status] || `The request failed (HTTP ${res.status}).`;
  return new ApiError(res.status, detail, problem);
}

export interface ApiClient {
  me(signal?: AbortSignal): Promise<Me>;
  searchTokens(request: SearchRequest, signal?: AbortSignal): Promise<SearchResponse>;
  getToken(tokenId: string, signal?: AbortSignal): Promise<TokenPage>;
  act(tokenId: string, action: Action, body: ActionRequest, idempotencyKey: string): Promise<ActionResult>;
  /** What the action would change on every token of the card or device (nothing changes yet). */
  previewBulk(target: BulkTarget, action: BulkAction, signal?: AbortSignal): Promise<BulkPreview>;
  /** The action on every token of the card or device, as a job (202). */
  startBulk(target: BulkTarget, action: BulkAction, body: BulkActionRequest, idempotencyKey: string): Promise<JobAccepted>;
  /** What happened to the card; every token of it follows, as a job (202). */
  postCardEvent(cardId: string, body: CardEventRequest, idempotencyKey: string): Promise<JobAccepted>;
  getJob(jobId: string, signal?: AbortSignal): Promise<JobResponse>;
  audit(query: AuditQuery, signal?: AbortSignal): Promise<AuditPage>;
  /** The token's recent transactions as its network reports them (`offered: false` when it has no such list). */
  tokenTransactions(tokenId: string, signal?: AbortSignal): Promise<TokenTransactions>;
  funnelReport(query: ReportQuery, signal?: AbortSignal): Promise<FunnelReport>;
  applePayReport(query: ReportQuery, signal?: AbortSignal): Promise<ApplePayReport>;
  activeTokensReport(signal?: AbortSignal): Promise<ActiveTokensReport>;
  /** The decision rules in force (admin: `rules.manage`), audited as READ_RULES. */
  getDecisionRules(signal?: AbortSignal): Promise<DecisionRulesView>;
  /**
   * Replaces the decision rules as a whole, made from `version` (the one read); 409 when
   * someone changed them meanwhile, 422 for rules the service refuses. Audited as UPDATE_RULES.
   */
  putDecisionRules(version: number, rules: DecisionRulesDocument): Promise<DecisionRulesView>;
  /** The agents of the admin user pool and their roles (admin: `agents.manage`), audited as LIST_AGENTS. */
  listAgents(signal?: AbortSignal): Promise<AgentList>;
  /**
   * Leaves the agent in exactly `role` (null: none) and signs their sessions out; the new
   * role applies at their next sign-in. A PUT, so no Idempotency-Key: sending it again
   * changes nothing. 409 for the administrator's own role, 404 for an unknown agent.
   * Audited as SET_AGENT_ROLE.
   */
  setAgentRole(username: string, role: Role | null): Promise<AgentRoleChange>;
  /**
   * A CSV the service made (`path` under the API, e.g. reportPath(…, 'csv')), with
   * the bearer token like every call; refused unless it answers text/csv.
   */
  downloadCsv(path: string, signal?: AbortSignal): Promise<Blob>;
}

/** The path (under API_BASE) of a report, as JSON or as its CSV. */
export function reportPath(kind: ReportKind, query: ReportQuery | null, format: ReportFormat = 'json'): string {
  const params = new URLSearchParams();
  if (kind !== 'active-tokens' && query) {
    params.set('from', query.from);
    params.set('to', query.to);
    if (kind === 'funnel' && query.tokenRequestorId) params.set('tokenRequestorId', query.tokenRequestorId);
  }
  if (format === 'csv') params.set('format', 'csv');
  const search = params.toString();
  return `/reports/${kind}${search ? `?${search}` : ''}`;
}

/** The path (under API_BASE) of the audit log: one page as JSON, or every entry of the query as CSV. */
export function auditPath(query: AuditQuery, format: ReportFormat = 'json'): string {
  const params = new URLSearchParams({ from: query.from, to: query.to });
  if (query.actor) params.set('actor', query.actor);
  if (format === 'csv') {
    params.set('format', 'csv');
  } else {
    if (query.limit !== undefined) params.set('limit', String(query.limit));
    if (query.cursor) params.set('cursor', query.cursor);
  }
  return `/audit?${params.toString()}`;
}

export interface ApiClientOptions {
  /**
   * What every request's URL starts with, before API_BASE: '' (the default) for the
   * panel's own origin, else the API's own origin and stage without a trailing slash
   * (config.ts apiBaseOf decides which).
   */
  apiBase?: string;
  /** The current access token, or null when there is no session. */
  getAccessToken: () => string | null;
  /** Called on every 401 (and when there is no token): the session is over. */
  onUnauthorized: () => void;
  fetch?: typeof fetch;
}

interface RequestOptions {
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal | undefined;
}

type HttpMethod = 'GET' | 'POST' | 'PUT';

const JSON_ACCEPT = 'application/json, application/problem+json';
const CSV_ACCEPT = 'text/csv, application/problem+json';

export function createApiClient(options: ApiClientOptions): ApiClient {
  const doFetch = options.fetch ?? ((input, init) => fetch(input, init));
  const prefix = `${(options.apiBase ?? '').replace(/\/+$/, '')}${API_BASE}`;

  /** The answer of a successful call (2xx); every failure as an ApiError. */
  async function send(method: HttpMethod, path: string, accept: string, opts: RequestOptions): Promise<Response> {
    const token = options.getAccessToken();
    if (!token) {
      options.onUnauthorized();
      throw new ApiError(401, FALLBACK_DETAIL[401]!);
    }
    const headers: Record<string, string> = {
      Accept: accept,
      Authorization: `Bearer ${token}`,
      ...opts.headers,
    };
    if (opts.body !== undefined) headers['Content-Type'] = 'application/json';

    let res: Response;
    try {
      res = await doFetch(`${prefix}${path}`, {
        method,
        headers,
        body: opts.body === undefined ? null : JSON.stringify(opts.body),
        signal: opts.signal ?? null,
        // The bearer token is the only credential: no cookies, on the same origin or another.
        credentials: 'omit',
        cache: 'no-store',
      });
    } catch (error) {
      if (isAbortError(error) || opts.signal?.aborted) throw error;
      throw new ApiError(0, UNREACHABLE);
    }

    if (res.status === 401) {
      const error = await errorFrom(res);
      options.onUnauthorized();
      throw error;
    }
    if (!res.ok) throw await errorFrom(res);
    return res;
  }

  async function request<T>(method: HttpMethod, path: string, opts: RequestOptions = {}): Promise<T> {
    const res = await send(method, path, JSON_ACCEPT, opts);
    try {
      return (await res.json()) as T;
    } catch (error) {
      if (isAbortError(error)) throw error;
      throw new ApiError(res.status, 'The service sent an answer the panel cannot read.');
    }
  }

  async function downloadCsv(path: string, signal?: AbortSignal): Promise<Blob> {
    const res = await send('GET', path, CSV_ACCEPT, { signal });
    const type = (res.headers.get('content-type') ?? '').toLowerCase();
    if (!type.startsWith('text/csv')) throw new ApiError(res.status, 'The service did not send a CSV file.');
    try {
      const blob = await res.blob();
      // Saved as the service sent it, typed as CSV whatever the body's own type says.
      return blob.type.toLowerCase().startsWith('text/csv') ? blob : new Blob([blob], { type: 'text/csv' });
    } catch (error) {
      if (isAbortError(error) || signal?.aborted) throw error;
      throw new ApiError(0, UNREACHABLE);
    }
  }

  const tokenPath = (tokenId: string) => `/tokens/${encodeURIComponent(tokenId)}`;
  const bulkPath = (target: BulkTarget, action: BulkAction) =>
    target.kind === 'card'
      ? `/cards/${encodeURIComponent(target.cardId)}/tokens/${action}`
      : `/devices/${encodeURIComponent(target.deviceId)}/tokens/${action}`;

  return {
    me: (signal) => request<Me>('GET', '/me', { signal }),
    searchTokens: (body, signal) => request<SearchResponse>('POST', '/tokens/search', { body, signal }),
    getToken: (tokenId, signal) => request<TokenPage>('GET', tokenPath(tokenId), { signal }),
    act: (tokenId, action, body, idempotencyKey) =>
      request<ActionResult>('POST', `${tokenPath(tokenId)}/${action}`, {
        body,
        headers: { 'Idempotency-Key': idempotencyKey },
      }),
    previewBulk: (target, action, signal) => request<BulkPreview>('GET', `${bulkPath(target, action)}/preview`, { signal }),
    startBulk: (target, action, body, idempotencyKey) =>
      request<JobAccepted>('POST', bulkPath(target, action), {
        body,
        headers: { 'Idempotency-Key': idempotencyKey },
      }),
    postCardEvent: (cardId, body, idempotencyKey) =>
      request<JobAccepted>('POST', `/cards/${encodeURIComponent(cardId)}/events`, {
        body,
        headers: { 'Idempotency-Key': idempotencyKey },
      }),
    getJob: (jobId, signal) => request<JobResponse>('GET', `/jobs/${encodeURIComponent(jobId)}`, { signal }),
    audit: (query, signal) => request<AuditPage>('GET', auditPath(query), { signal }),
    tokenTransactions: (tokenId, signal) =>
      request<TokenTransactions>('GET', `${tokenPath(tokenId)}/transactions`, { signal }),
    funnelReport: (query, signal) => request<FunnelReport>('GET', reportPath('funnel', query), { signal }),
    applePayReport: (query, signal) => request<ApplePayReport>('GET', reportPath('apple-pay', query), { signal }),
    activeTokensReport: (signal) => request<ActiveTokensReport>('GET', reportPath('active-tokens', null), { signal }),
    getDecisionRules: (signal) => request<DecisionRulesView>('GET', '/decision-rules', { signal }),
    putDecisionRules: (version, rules) => {
      const body: ReplaceDecisionRules = { version, rules };
      return request<DecisionRulesView>('PUT', '/decision-rules', { body });
    },
    listAgents: (signal) => request<AgentList>('GET', '/agents', { signal }),
    setAgentRole: (username, role) => {
      const body: SetAgentRole = { username, role };
      return request<AgentRoleChange>('PUT', '/agent-roles', { body });
    },
    downloadCsv,
  };
}
