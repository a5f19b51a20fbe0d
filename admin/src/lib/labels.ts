import type {
  Action,
  BulkAction,
  BulkTarget,
  CardEventType,
  DeliveryChannel,
  DeliveryKind,
  DeliveryResult,
  JobItemOutcome,
  JobStatus,
  NetworkStatus,
  Role,
  SearchKey,
  Suspender,
  Verdict,
  Wallet,
} from '../api/types';
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

/** Who may report what happened to a card (supervisor, admin). */
export const CARD_EVENTS_PERMISSION = 'cards.events' as const;

/**
 * A card event: its option in "What happened", its word in "Report card <id> …",
 * and what then happens to every token of the card.
 */
export const CARD_EVENT_TEXT: Record<CardEventType, { label: string; word: string; effect: string }> = {
  LOST: {
    label: 'Lost',
    word: 'lost',
    effect: "Every token of the card is deleted (or suspended, as the bank's policy says).",
  },
  STOLEN: {
    label: 'Stolen',
    word: 'stolen',
    effect: "Every token of the card is deleted (or suspended, as the bank's policy says).",
  },
  BLOCKED: { label: 'Blocked', word: 'blocked', effect: 'Every token of the card is suspended.' },
  UNBLOCKED: {
    label: 'Unblocked',
    word: 'unblocked',
    effect: 'The tokens of the card that the block suspended are unsuspended; the others are left as they are.',
  },
  CLOSED: { label: 'Closed', word: 'closed', effect: 'Every token of the card is deleted.' },
};

/** "Report card card-0001 stolen": the confirmation's button. */
export function cardEventConfirmLabel(cardId: string, type: CardEventType): string {
  return `Report card ${cardId} ${CARD_EVENT_TEXT[type].word}`;
}

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

export const WALLET_LABELS: Record<Wallet, string> = {
  APPLE_PAY: 'Apple Pay',
  GOOGLE_PAY: 'Google Pay',
  SAMSUNG_PAY: 'Samsung Pay',
  OTHER: 'Other',
};

/** "Apple Pay"; a wallet we do not know is humanised. */
export function walletLabel(wallet: string | undefined): string {
  if (!wallet) return '—';
  return WALLET_LABELS[wallet as Wallet] ?? humanise(wallet);
}

/**
 * The well-known wallets' token requestor ids (MDES 501…, Visa 400…), as the platform
 * knows them (shared/core/src/domain/wallet.rs).
 */
export const KNOWN_TOKEN_REQUESTORS: Record<string, Wallet> = {
  '50110030273': 'APPLE_PAY',
  '50120834693': 'GOOGLE_PAY',
  '50139059239': 'SAMSUNG_PAY',
  '40010030273': 'APPLE_PAY',
  '40010075001': 'GOOGLE_PAY',
  '40010043095': 'SAMSUNG_PAY',
};

/** "Apple Pay requestor 50110030273"; one we do not know is "Token requestor 12345678901". */
export function tokenRequestorLabel(id: string): string {
  const wallet = KNOWN_TOKEN_REQUESTORS[id];
  return wallet ? `${walletLabel(wallet)} requestor ${id}` : `Token requestor ${id}`;
}

/** A token's wallet in words ("Apple Pay"), else the wallet id the network gave, else "—". */
export function tokenWallet(token: { wallet?: string; walletId?: string }): string {
  if (token.wallet) return walletLabel(token.wallet);
  return token.walletId && token.walletId.trim() ? token.walletId : '—';
}

const DELIVERY_KIND_LABELS: Record<DeliveryKind, string> = {
  ACTIVATION_CODE: 'Activation code',
  CARDHOLDER_NOTICE: 'Notice to the cardholder',
  ISSUER_EVENT: 'Event to the issuer',
};

const DELIVERY_CHANNEL_LABELS: Record<DeliveryChannel, string> = {
  SMS: 'SMS',
  EMAIL: 'E-mail',
  ISSUER: 'Issuer',
  WEBHOOK: 'Webhook',
};

const DELIVERY_RESULT_LABELS: Record<DeliveryResult, string> = {
  DELIVERED: 'Delivered',
  EXPIRED: 'Expired, not sent',
  NO_CONTACT: 'Nothing to send it to',
  FAILED: 'Failed',
};

export function deliveryKindLabel(kind: string): string {
  return DELIVERY_KIND_LABELS[kind as DeliveryKind] ?? humanise(kind);
}

export function deliveryChannelLabel(channel: string): string {
  return DELIVERY_CHANNEL_LABELS[channel as DeliveryChannel] ?? humanise(channel);
}

export function deliveryResultLabel(result: string): string {
  return DELIVERY_RESULT_LABELS[result as DeliveryResult] ?? humanise(result);
}

/** What an agent in no role group is shown as (they can sign in but do nothing). */
export const NO_ROLE = 'No role';

/** An agent's roles as the header shows them ("viewer", "agent, supervisor"), or "No role". */
export function rolesText(roles: readonly Role[]): string {
  return roles.length ? roles.join(', ') : NO_ROLE;
}

/** What each role adds to the one before it (api/admin-api.openapi.yaml's table): roles accumulate. */
export const ROLE_SUMMARY: Record<Role, string> = {
  viewer: 'search and read tokens, read the reports',
  agent: '+ activate, suspend, unsuspend a token',
  supervisor: '+ delete a token, act on every token of a card or device, report a card, the audit log',
  admin: "+ the decision rules and the agents' roles",
};

const AGENT_STATUS_LABELS: Record<string, string> = {
  CONFIRMED: 'Confirmed',
  FORCE_CHANGE_PASSWORD: 'Must change password',
  RESET_REQUIRED: 'Password reset required',
  UNCONFIRMED: 'Unconfirmed',
  EXTERNAL_PROVIDER: 'External provider',
};

/** Cognito's user status in words; one we do not know is humanised. */
export function agentStatusLabel(status: string): string {
  return AGENT_STATUS_LABELS[status] ?? humanise(status);
}
