// Types of the admin API, as api/admin-api.openapi.yaml defines them (field names exact).

export type Role = 'viewer' | 'agent' | 'supervisor' | 'admin';

export type Permission =
  | 'tokens.read'
  | 'tokens.activate'
  | 'tokens.suspend'
  | 'tokens.unsuspend'
  | 'tokens.delete'
  | 'tokens.bulk'
  | 'audit.read';

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

/** The criteria a search may use: exactly one per request. */
export const SEARCH_KEYS = ['cardId', 'tokenReference', 'pan', 'deviceId'] as const;
export type SearchKey = (typeof SEARCH_KEYS)[number];

export type SearchRequest = Partial<Record<SearchKey, string>> & {
  status?: TokenStatus;
  tokenRequestorId?: string;
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
  allowedActions: Action[];
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
  | 'ACTIVATE_TOKEN'
  | 'SUSPEND_TOKEN'
  | 'UNSUSPEND_TOKEN'
  | 'DELETE_TOKEN'
  | 'PREVIEW_BULK'
  | 'START_BULK'
  | 'VIEW_JOB'
  | 'READ_AUDIT';

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
