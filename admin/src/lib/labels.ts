import type { Action, SearchKey, Suspender, Verdict } from '../api/types';
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
