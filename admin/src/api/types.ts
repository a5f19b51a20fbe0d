// Types of the admin API, as api/admin-api.openapi.yaml defines them (field names exact).

/** The role groups, from the least to the most an agent may do (roles accumulate). */
export const ROLES = ['viewer', 'agent', 'supervisor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export type Permission =
  | 'tokens.read'
  | 'tokens.activate'
  | 'tokens.suspend'
  | 'tokens.unsuspend'
  | 'tokens.delete'
  | 'tokens.bulk'
  | 'cards.events'
  | 'audit.read'
  | 'reports.read'
  | 'rules.manage'
  | 'agents.manage';

export interface Me {
  email: string;
  roles: Role[];
  permissions: Permission[];
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
}

export const NETWORKS = ['MASTERCARD', 'VISA'] as const;
export type Network = (typeof NETWORKS)[number];

export const TOKEN_STATUSES = ['INACTIVE', 'ACTIVE', 'SUSPENDED', 'DEACTIVATED', 'DECLINED'] as const;
export type TokenStatus = (typeof TOKEN_STATUSES)[number];

export type Suspender =
  | 'ISSUER'
  | 'TOKEN_REQUESTOR'
  | 'CARDHOLDER'
  | 'MOBILE_PIN_LOCKED'
  | 'PAYMENT_APP_PROVIDER'
  | 'NETWORK';

export type Initiator = 'TSP' | 'WALLET' | 'ISSUER' | 'CARDHOLDER' | 'OPERATOR' | 'JOB' | 'RECONCILIATION';

/** A wallet, by the token requestors (MDES) and wallet ids (Visa) it is known by. */
export const WALLETS = ['APPLE_PAY', 'GOOGLE_PAY', 'SAMSUNG_PAY', 'OTHER'] as const;
export type Wallet = (typeof WALLETS)[number];

/** The keys a search may use with one value each (at most one key per request). */
export const SEARCH_KEYS = ['cardId', 'tokenReference', 'pan', 'deviceId'] as const;
export type SearchKey = (typeof SEARCH_KEYS)[number];

/**
 * At most one key: one of SEARCH_KEYS, `last4` with `expiry`, or `phoneNumber`.
 * Without a key `from` is required and the tokens created from `from` to `to`
 * (at most 31 days) are listed. The rest narrows the result.
 */
export type SearchRequest = Partial<Record<SearchKey, string>> & {
  last4?: string;
  /** MM/YY, with last4. */
  expiry?: string;
  /** E.164: "+" and 7 to 15 digits. */
  phoneNumber?: string;
  /** Created on or after this UTC day, YYYY-MM-DD. */
  from?: string;
  /** Created on or before this UTC day, YYYY-MM-DD. */
  to?: string;
  status?: TokenStatus;
  tokenRequestorId?: string;
  wallet?: Wallet;
  network?: Network;
  limit?: number;
  cursor?: string;
};

export interface Device {
  name?: string;
  type?: string;
  os?: string;
}

export interface TokenSummary {
  tokenId: string;
  network: Network;
  tokenReference: string;
  status: TokenStatus;
  suspendedBy: Suspender[];
  tokenRequestorId?: string;
  walletId?: string;
  wallet?: Wallet;
  device?: Device;
  cardId?: string;
  panLast4?: string;
  createdAt: string;
  updatedAt: string;
}

export interface SearchResponse {
  tokens: TokenSummary[];
  nextCursor: string | null;
}

export interface HistoryEntry {
  status: TokenStatus;
  initiator: Initiator;
  reasonCode?: string;
  comment?: string;
  operator?: string;
  eventTime: string;
  applied: boolean;
}

export type Verdict = 'PASS' | 'NOT_EVALUATED' | 'DECLINE' | 'AUTHENTICATE' | 'APPROVE';

export interface DecisionStep {
  rule: string;
  verdict: Verdict;
  explanation: string;
  inputs: Record<string, string>;
}

export interface DecisionTrail {
  decision: 'APPROVED' | 'REQUIRE_ADDITIONAL_AUTHENTICATION' | 'DECLINED';
  summary: string;
  steps: DecisionStep[];
}

export const ACTIONS = ['activate', 'suspend', 'unsuspend', 'delete'] as const;
export type Action = (typeof ACTIONS)[number];

export interface PendingNetworkAction {
  action: 'ACTIVATE' | 'SUSPEND' | 'UNSUSPEND' | 'DELETE';
  requestedAt: string;
}

/** The actions that may run on every token of a card or device (activation never does). */
export const BULK_ACTIONS = ['suspend', 'unsuspend', 'delete'] as const;
export type BulkAction = (typeof BULK_ACTIONS)[number];

export interface TokenPage extends TokenSummary {
  /** The device as its network names it (MDES paymentAppInstanceId, Visa deviceID), when known. */
  deviceId?: string;
  /** What this agent may do to every token of the token's card or device. */
  bulkActions: BulkAction[];
  history: HistoryEntry[];
  decisionTrail?: DecisionTrail;
  pendingNetworkAction?: PendingNetworkAction;
  /** Activation codes and notices sent about this token, newest first (never a code or an address). */
  deliveries?: Delivery[];
  allowedActions: Action[];
  /**
   * What this agent may report of the token's card (POST /cards/{cardId}/events);
   * empty unless the agent may (supervisor, admin) and the token has a cardId.
   */
  cardEvents: CardEventType[];
}

export type DeliveryKind = 'ACTIVATION_CODE' | 'CARDHOLDER_NOTICE' | 'ISSUER_EVENT';
export type DeliveryChannel = 'SMS' | 'EMAIL' | 'ISSUER' | 'WEBHOOK';
export type DeliveryResult = 'DELIVERED' | 'EXPIRED' | 'NO_CONTACT' | 'FAILED';

export interface Delivery {
  kind: DeliveryKind;
  channel: DeliveryChannel;
  at: string;
  result: DeliveryResult;
  /** The token event a notice is about. */
  eventType?: string;
}

/**
 * One transaction as the token's network reports it (MDES Customer Service `transactions`);
 * each field only when the network gave it. The list carries no transaction identifier.
 */
export interface TokenTransaction {
  timestamp?: string;
  transactionType?: string;
  status?: string;
  /** Decimal text, negative for refunds. */
  amount?: string;
  /** ISO 4217 alphabetic. */
  currencyCode?: string;
  merchantName?: string;
  merchantCategoryCode?: string;
  merchantCategory?: string;
  posEntryMode?: string;
}

export interface TokenTransactions {
  /** Whether the token's network offers a transaction list at all (Visa does not). */
  offered: boolean;
  transactions: TokenTransaction[];
}

export type NetworkStatus = 'CONFIRMED' | 'PENDING';

export interface ActionResult extends TokenPage {
  networkStatus: NetworkStatus;
}

/** The reason codes each action accepts (ActivateRequest, SuspendRequest, …). */
export const REASON_CODES = {
  activate: ['CARDHOLDER_VERIFIED', 'ISSUER_DECISION', 'OTHER'],
  suspend: ['SUSPECTED_FRAUD', 'DEVICE_LOST', 'DEVICE_STOLEN', 'CARDHOLDER_REQUEST', 'ISSUER_DECISION', 'OTHER'],
  unsuspend: ['FRAUD_CLEARED', 'DEVICE_FOUND', 'CARDHOLDER_REQUEST', 'ISSUER_DECISION', 'OTHER'],
  delete: [
    'CONFIRMED_FRAUD',
    'DEVICE_LOST',
    'DEVICE_STOLEN',
    'ACCOUNT_CLOSED',
    'CARDHOLDER_REQUEST',
    'ISSUER_DECISION',
    'OTHER',
  ],
} as const satisfies Record<Action, readonly string[]>;

export interface ActionRequest {
  reasonCode: string;
  comment?: string;
}

/** Every token of a card, or of a device. */
export type BulkTarget = { kind: 'card'; cardId: string } | { kind: 'device'; deviceId: string };

export interface BulkPreviewItem {
  tokenId: string;
  tokenReference: string;
  network: Network;
  status: TokenStatus;
  /** Whether the action would change this token now (false for one already as asked). */
  changes: boolean;
}

export interface BulkPreview {
  action: BulkAction;
  tokens: BulkPreviewItem[];
  total: number;
  changing: number;
}

/** The reasonCode must be one the path's action allows (REASON_CODES[action]). */
export interface BulkActionRequest {
  reasonCode: string;
  comment?: string;
}

/** What may have happened to a card; every token of the card follows (CardEventRequest). */
export const CARD_EVENTS = ['LOST', 'STOLEN', 'BLOCKED', 'UNBLOCKED', 'CLOSED'] as const;
export type CardEventType = (typeof CARD_EVENTS)[number];

export interface CardEventRequest {
  type: CardEventType;
  /** The contract's Comment: 1–256 characters, no control characters. */
  comment?: string;
}

export interface JobAccepted {
  jobId: string;
}

export type JobItemOutcome = 'PENDING' | 'SUCCEEDED' | 'FAILED';

export interface JobItem {
  tokenId: string;
  outcome: JobItemOutcome;
  networkStatus?: NetworkStatus;
  problem?: Problem;
}

/** RUNNING until every item is settled; then DONE if all succeeded, PARTIAL if any failed. */
export type JobStatus = 'RUNNING' | 'DONE' | 'PARTIAL';

export interface JobResponse {
  jobId: string;
  status: JobStatus;
  total: number;
  succeeded: number;
  failed: number;
  items: JobItem[];
}

export type AuditAction =
  | 'SIGN_IN'
  | 'READ_PROFILE'
  | 'SEARCH_TOKENS'
  | 'VIEW_TOKEN'
  | 'VIEW_TRANSACTIONS'
  | 'ACTIVATE_TOKEN'
  | 'SUSPEND_TOKEN'
  | 'UNSUSPEND_TOKEN'
  | 'DELETE_TOKEN'
  | 'PREVIEW_BULK'
  | 'START_BULK'
  | 'POST_CARD_EVENT'
  | 'VIEW_JOB'
  | 'READ_AUDIT'
  | 'EXPORT_AUDIT'
  | 'READ_REPORT'
  | 'READ_RULES'
  | 'UPDATE_RULES'
  | 'LIST_AGENTS'
  | 'SET_AGENT_ROLE';

export interface AuditEntry {
  auditId: string;
  at: string;
  actor: string;
  roles?: Role[];
  action: AuditAction;
  target?: string;
  reasonCode?: string;
  sourceIp?: string;
  result: 'SUCCEEDED' | 'REFUSED' | 'FAILED';
  status: number;
}

export interface AuditQuery {
  from: string;
  to: string;
  actor?: string;
  limit?: number;
  cursor?: string;
}

export interface AuditPage {
  entries: AuditEntry[];
  nextCursor: string | null;
}

/** One day, network and token requestor of the tokenization funnel. */
export interface FunnelRow {
  day: string;
  network: Network;
  /** Absent when the network did not name one. */
  tokenRequestorId?: string;
  wallet?: Wallet;
  requests: number;
  /** Approved. */
  green: number;
  /** Additional authentication with a code the cardholder can receive. */
  yellow: number;
  /** Additional authentication through the call centre only. */
  orange: number;
  /** Declined. */
  red: number;
  activations: number;
  /** Approved tokens of the day that never became active; null until the day is settled. */
  abandoned?: number | null;
  /** The day is seven days old, so abandoned is final. */
  settled: boolean;
}

export interface FunnelReport {
  from: string;
  to: string;
  rows: FunnelRow[];
}

export interface ActiveTokensRow {
  network: Network;
  wallet: Wallet;
  tokenRequestorId?: string;
  activeTokens: number;
}

export interface ApplePayReport {
  from: string;
  to: string;
  /** The funnel rows of Apple Pay's token requestors (`requests` are its provisioning attempts). */
  rows: FunnelRow[];
  /** Apple Pay tokens active now, per network and token requestor. */
  activeTokens: ActiveTokensRow[];
}

export interface ActiveTokensReport {
  rows: ActiveTokensRow[];
}

export const REPORTS = ['funnel', 'apple-pay', 'active-tokens'] as const;
export type ReportKind = (typeof REPORTS)[number];

/** The days of a report (UTC, YYYY-MM-DD); the funnel may be narrowed to one token requestor. */
export interface ReportQuery {
  from: string;
  to: string;
  tokenRequestorId?: string;
}

export type ReportFormat = 'json' | 'csv';

/** The thresholds of the tokenization decision, in the order the panel shows them. */
export const DECISION_THRESHOLDS = [
  'maxLiveTokensPerCard',
  'maxAttemptsPer24h',
  'maxCardAttemptsPer24h',
  'declineScoreAtOrBelow',
  'authenticateScoreAtOrBelow',
] as const;
export type DecisionThreshold = (typeof DECISION_THRESHOLDS)[number];

/**
 * DecisionRulesThresholds: each one absent keeps the default's (under `default`, the
 * platform's). `maxCardAttemptsPer24h` only under `default`: it bounds every requestor.
 * The scores are 0–255, the others any integer from 0.
 */
export type DecisionRulesThresholds = Partial<Record<DecisionThreshold, number>>;

/** DecisionRulesDocument: the default, and token requestors (11-digit ids) that differ from it. */
export interface DecisionRulesDocument {
  default?: DecisionRulesThresholds;
  tokenRequestors?: Record<string, DecisionRulesThresholds>;
}

/** Every threshold of one set of rules, as GET /decision-rules answers them (all explicit). */
export type DecisionRulesInForce = Record<DecisionThreshold, number>;

/** DecisionRulesView: the rules in force, their version (0 while the deployment's apply), who set them. */
export interface DecisionRulesView {
  version: number;
  source: 'DEPLOYMENT' | 'ADMIN';
  rules: {
    default: DecisionRulesInForce;
    tokenRequestors: Record<string, DecisionRulesInForce>;
  };
  updatedBy?: string;
  updatedAt?: string;
}

/** ReplaceDecisionRules: the whole document, made from `version` (the one read). */
export interface ReplaceDecisionRules {
  version: number;
  rules: DecisionRulesDocument;
}

/** AgentAccount: one user of the admin user pool, with the role groups they are in. */
export interface AgentAccount {
  /** Their sign-in name: the e-mail address the panel knows them by (Me.email). */
  username: string;
  /** One role normally; none: they can sign in but do nothing. */
  roles: Role[];
  enabled: boolean;
  /** Cognito's user status (CONFIRMED, FORCE_CHANGE_PASSWORD, RESET_REQUIRED, …). */
  status: string;
  createdAt?: string;
}

/** AgentList: at most 1000 agents, by sign-in name; `truncated` when the pool has more. */
export interface AgentList {
  agents: AgentAccount[];
  truncated: boolean;
}

/** SetAgentRole: the one role the agent keeps; null takes every role away. */
export interface SetAgentRole {
  username: string;
  role: Role | null;
}

/** AgentRoleChange: `signedOut` false when the agent had that role already (nothing changed). */
export interface AgentRoleChange {
  username: string;
  before: Role[];
  after: Role[];
  signedOut: boolean;
}
