import type { Action, BulkAction, BulkTarget, JobItemOutcome, JobStatus, NetworkStatus, SearchKey, Suspender, Verdict } from '../api/types';
import { humanise } from './format';

export const SEARCH_KEY_LABELS: Record<SearchKey, string> = {
  cardId: 'Card ID',
  tokenReference: 'Token reference',
  pan: 'PAN',
  deviceId: 'Device ID',
};

const REASON_LABELS: Record<string, string> = {
  CARDHOLDER_VERIFIED: 'Cardholder verified',
  ISSUER_DECISION: 'Issuer decision',
  OTHER: 'Other',
  SUSPECTED_FRAUD: 'Suspected fraud',
  DEVICE_LOST: 'Device lost',
  DEVICE_STOLEN: 'Device stolen',
  CARDHOLDER_REQUEST: 'Cardholder request',
  FRAUD_CLEARED: 'Fraud cleared',
  DEVICE_FOUND: 'Device found',
  CONFIRMED_FRAUD: 'Confirmed fraud',
  ACCOUNT_CLOSED: 'Account closed',
};

/** A reason code in words; codes we do not know (a network's own) are humanised. */
export function reasonLabel(code: string | undefined): string {
  if (!code) return '—';
  return REASON_LABELS[code] ?? humanise(code);
}

const SUSPENDER_LABELS: Record<Suspender, string> = {
  ISSUER: 'Issuer',
  TOKEN_REQUESTOR: 'Token requestor',
  CARDHOLDER: 'Cardholder',
  MOBILE_PIN_LOCKED: 'Mobile PIN locked',
  PAYMENT_APP_PROVIDER: 'Payment app provider',
  NETWORK: 'Network',
};

export function suspenderLabel(code: string): string {
  return SUSPENDER_LABELS[code as Suspender] ?? humanise(code);
}

const VERDICT_LABELS: Record<Verdict, string> = {
  PASS: 'Pass',
  NOT_EVALUATED: 'Not evaluated',
  DECLINE: 'Decline',
  AUTHENTICATE: 'Authenticate',
  APPROVE: 'Approve',
};

export function verdictLabel(verdict: string): string {
  return VERDICT_LABELS[verdict as Verdict] ?? humanise(verdict);
}

/** Button label, dialog heading, verb in the summary, and the result's first word. */
export const ACTION_TEXT: Record<Action, { button: string; heading: string; verb: string; done: string }> = {
  activate: { button: 'Activate', heading: 'Activate token', verb: 'activate', done: 'Activated' },
  suspend: { button: 'Suspend', heading: 'Suspend token', verb: 'suspend', done: 'Suspended' },
  unsuspend: { button: 'Unsuspend', heading: 'Unsuspend token', verb: 'unsuspend', done: 'Unsuspended' },
  delete: { button: 'Delete', heading: 'Delete token', verb: 'delete', done: 'Deleted' },
};

export const ACTION_PERMISSION = {
  activate: 'tokens.activate',
  suspend: 'tokens.suspend',
  unsuspend: 'tokens.unsuspend',
  delete: 'tokens.delete',
} as const satisfies Record<Action, string>;

const BULK_VERB: Record<BulkAction, string> = { suspend: 'Suspend', unsuspend: 'Unsuspend', delete: 'Delete' };

/** "Delete all tokens of this device": the button on the token page. */
export function bulkButtonLabel(action: BulkAction, kind: BulkTarget['kind']): string {
  return `${BULK_VERB[action]} all tokens of this ${kind}`;
}

/** "Delete all tokens of device <deviceId>": the dialog's heading. */
export function bulkHeading(action: BulkAction, target: BulkTarget): string {
  return target.kind === 'card'
    ? `${BULK_VERB[action]} all tokens of card ${target.cardId}`
    : `${BULK_VERB[action]} all tokens of device ${target.deviceId}`;
}

export const BULK_PERMISSION = 'tokens.bulk' as const;

const JOB_STATUS_TEXT: Record<Exclude<JobStatus, 'RUNNING'>, string> = {
  DONE: 'Done.',
  PARTIAL: 'Finished with failures.',
};

/** "Done." / "Finished with failures.", or nothing while the job runs. */
export function jobStatusText(status: JobStatus): string {
  return status === 'RUNNING' ? '' : (JOB_STATUS_TEXT[status] ?? humanise(status));
}

const OUTCOME_LABELS: Record<JobItemOutcome, string> = { PENDING: 'Pending', SUCCEEDED: 'Succeeded', FAILED: 'Failed' };

export function outcomeLabel(outcome: string): string {
  return OUTCOME_LABELS[outcome as JobItemOutcome] ?? humanise(outcome);
}

const NETWORK_STATUS_LABELS: Record<NetworkStatus, string> = { CONFIRMED: 'Confirmed', PENDING: 'Not confirmed yet' };

/** Whether the token's network confirmed the change. */
export function networkStatusLabel(status: string | undefined): string {
  if (!status) return '—';
  return NETWORK_STATUS_LABELS[status as NetworkStatus] ?? humanise(status);
}
