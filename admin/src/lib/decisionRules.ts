/**
 * The decision rules page's logic, without React: labels, the editable draft, its checks,
 * the document sent, and what it changes.
 *
 * What is sent: under `default` all five thresholds; under each token requestor only the
 * thresholds that differ from the (new) default, never `maxCardAttemptsPer24h` (it bounds
 * every requestor, so the contract allows it under `default` only). A requestor's threshold
 * left out takes the default's, now and after the default changes. The GET answers every
 * threshold explicitly, so a requestor's value equal to the default's is read as following it.
 */
import { DECISION_THRESHOLDS } from '../api/types';
import type {
  DecisionRulesInForce,
  DecisionRulesThresholds,
  DecisionRulesView,
  DecisionThreshold,
} from '../api/types';
import { tokenRequestorLabel } from './labels';
import type { Checked } from './validate';

/** The thresholds a token requestor may set of its own. */
export type RequestorThreshold = Exclude<DecisionThreshold, 'maxCardAttemptsPer24h'>;
export const REQUESTOR_THRESHOLDS = DECISION_THRESHOLDS.filter(
  (t): t is RequestorThreshold => t !== 'maxCardAttemptsPer24h',
);

/** Column headers and input labels. */
export const THRESHOLD_LABELS: Record<DecisionThreshold, string> = {
  maxLiveTokensPerCard: 'Live tokens per card (decline at)',
  maxAttemptsPer24h: 'Attempts per card and wallet in 24 h',
  maxCardAttemptsPer24h: 'Attempts per card in 24 h (all wallets)',
  declineScoreAtOrBelow: 'Decline when a wallet score is at or below',
  authenticateScoreAtOrBelow: 'Ask for extra verification when a wallet score is at or below',
};

/** The same, inside a sentence of the summary ("live tokens per card 10 → 2"). */
export const THRESHOLD_WORDS: Record<DecisionThreshold, string> = {
  maxLiveTokensPerCard: 'live tokens per card',
  maxAttemptsPer24h: 'attempts per card and wallet in 24 h',
  maxCardAttemptsPer24h: 'attempts per card in 24 h (all wallets)',
  declineScoreAtOrBelow: 'decline at wallet score',
  authenticateScoreAtOrBelow: 'extra verification at wallet score',
};

/** The largest value of each (the scores are a byte; the others the platform's u32). */
export const THRESHOLD_MAX: Record<DecisionThreshold, number> = {
  maxLiveTokensPerCard: 4_294_967_295,
  maxAttemptsPer24h: 4_294_967_295,
  maxCardAttemptsPer24h: 4_294_967_295,
  declineScoreAtOrBelow: 255,
  authenticateScoreAtOrBelow: 255,
};

export const DEFAULT_LABEL = 'Default';

export type RulesInForce = DecisionRulesView['rules'];

/** The document PUT sends: every default threshold; per requestor, those that differ. */
export interface RulesToSend {
  default: DecisionRulesInForce;
  tokenRequestors: Record<string, Partial<Record<RequestorThreshold, number>>>;
}

/** What the inputs hold, as typed. A requestor's empty input follows the default. */
export interface RulesDraft {
  default: Record<DecisionThreshold, string>;
  requestors: { id: string; values: Record<RequestorThreshold, string> }[];
}

/** The key of one input (its errors, its id): `default.maxAttemptsPer24h`, `50110030273.maxLiveTokensPerCard`. */
export function fieldKey(owner: string, threshold: DecisionThreshold): string {
  return `${owner}.${threshold}`;
}

/** The rules in force as inputs: a requestor's value equal to the default's is left empty (it follows it). */
export function draftOf(rules: RulesInForce): RulesDraft {
  const base = rules.default;
  return {
    default: Object.fromEntries(DECISION_THRESHOLDS.map((t) => [t, String(base[t])])) as RulesDraft['default'],
    requestors: Object.entries(rules.tokenRequestors).map(([id, own]) => ({
      id,
      values: Object.fromEntries(
        REQUESTOR_THRESHOLDS.map((t) => [t, own[t] === undefined || own[t] === base[t] ? '' : String(own[t])]),
      ) as Record<RequestorThreshold, string>,
    })),
  };
}

/** One threshold as typed: a whole number within its bounds; empty is `undefined` (the caller decides). */
export function checkThreshold(threshold: DecisionThreshold, raw: string): Checked<number | undefined> {
  const value = raw.trim();
  if (!value) return { ok: true, value: undefined };
  const max = THRESHOLD_MAX[threshold];
  const bounds = max === 255 ? 'from 0 to 255' : 'from 0';
  if (!/^[0-9]+$/.test(value)) {
    return {
      ok: false,
      error: value.startsWith('-') ? `Enter a whole number ${bounds}: it cannot be negative.` : `Enter a whole number ${bounds}.`,
    };
  }
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number > max) {
    return { ok: false, error: max === 255 ? 'Enter a whole number from 0 to 255.' : 'Enter a smaller number.' };
  }
  return { ok: true, value: number };
}

export type CheckedDraft =
  | { ok: true; rules: RulesToSend }
  | { ok: false; errors: Record<string, string>; first: string };

/**
 * Every input checked (`unreadable`: inputs whose text the browser could not read as a
 * number), and the document to send.
 */
export function checkDraft(draft: RulesDraft, unreadable: ReadonlySet<string> = new Set()): CheckedDraft {
  const errors: Record<string, string> = {};
  const check = (owner: string, threshold: DecisionThreshold, required: boolean): number | undefined => {
    const key = fieldKey(owner, threshold);
    if (unreadable.has(key)) {
      errors[key] = THRESHOLD_MAX[threshold] === 255 ? 'Enter a whole number from 0 to 255.' : 'Enter a whole number from 0.';
      return undefined;
    }
    const raw = owner === 'default' ? draft.default[threshold] : draft.requestors.find((r) => r.id === owner)!.values[threshold as RequestorThreshold];
    const checked = checkThreshold(threshold, raw);
    if (!checked.ok) {
      errors[key] = checked.error;
      return undefined;
    }
    if (checked.value === undefined && required) errors[key] = 'Enter a number: the default needs every threshold.';
    return checked.value;
  };

  const base = {} as DecisionRulesInForce;
  for (const t of DECISION_THRESHOLDS) base[t] = check('default', t, true) ?? 0;
  const tokenRequestors: RulesToSend['tokenRequestors'] = {};
  for (const requestor of draft.requestors) {
    const own: Partial<Record<RequestorThreshold, number>> = {};
    for (const t of REQUESTOR_THRESHOLDS) {
      const value = check(requestor.id, t, false);
      // Only what differs from the default travels: the rest follows it.
      if (value !== undefined && value !== base[t]) own[t] = value;
    }
    tokenRequestors[requestor.id] = own;
  }
  const keys = Object.keys(errors);
  if (keys.length > 0) return { ok: false, errors, first: keys[0]! };
  return { ok: true, rules: { default: base, tokenRequestors } };
}

/** The id of a token requestor to add: 11 digits, not one listed already. */
export function checkNewRequestorId(raw: string, listed: readonly string[]): Checked<string> {
  const value = raw.replace(/\s+/g, '');
  if (!value) return { ok: false, error: 'Enter the token requestor id: 11 digits.' };
  if (!/^[0-9]{11}$/.test(value)) return { ok: false, error: 'A token requestor id has 11 digits.' };
  if (listed.includes(value)) return { ok: false, error: `${tokenRequestorLabel(value)} is listed already.` };
  return { ok: true, value };
}

/** A requestor's thresholds in force: its own, the default's for the rest. */
export function effectiveFor(base: DecisionRulesInForce, own: DecisionRulesThresholds | undefined): DecisionRulesInForce {
  return {
    maxLiveTokensPerCard: own?.maxLiveTokensPerCard ?? base.maxLiveTokensPerCard,
    maxAttemptsPer24h: own?.maxAttemptsPer24h ?? base.maxAttemptsPer24h,
    // Bounds every requestor: always the default's.
    maxCardAttemptsPer24h: base.maxCardAttemptsPer24h,
    declineScoreAtOrBelow: own?.declineScoreAtOrBelow ?? base.declineScoreAtOrBelow,
    authenticateScoreAtOrBelow: own?.authenticateScoreAtOrBelow ?? base.authenticateScoreAtOrBelow,
  };
}

function changed(before: DecisionRulesInForce, after: DecisionRulesInForce, thresholds: readonly DecisionThreshold[], follows?: (t: DecisionThreshold) => boolean) {
  return thresholds
    .filter((t) => before[t] !== after[t])
    .map((t) => `${THRESHOLD_WORDS[t]} ${before[t]} → ${after[t]}${follows?.(t) ? ' (follows the default)' : ''}`);
}

/**
 * What saving would change, one line per default or requestor, e.g.
 * "Apple Pay requestor 50110030273: live tokens per card 10 → 2". Empty: nothing changes.
 */
export function summariseChanges(before: RulesInForce, after: RulesToSend): string[] {
  const lines: string[] = [];
  const defaultChanges = changed(before.default, after.default, DECISION_THRESHOLDS);
  if (defaultChanges.length) lines.push(`${DEFAULT_LABEL}: ${defaultChanges.join('; ')}`);

  const ids = [
    ...Object.keys(before.tokenRequestors),
    ...Object.keys(after.tokenRequestors).filter((id) => !(id in before.tokenRequestors)),
  ];
  for (const id of ids) {
    const label = tokenRequestorLabel(id);
    const had = before.tokenRequestors[id];
    const own = after.tokenRequestors[id];
    const was = effectiveFor(before.default, had);
    if (own === undefined) {
      const changes = changed(was, after.default, REQUESTOR_THRESHOLDS);
      lines.push(`${label} removed, the default applies${changes.length ? `: ${changes.join('; ')}` : ''}`);
      continue;
    }
    const now = effectiveFor(after.default, own);
    const changes = changed(was, now, REQUESTOR_THRESHOLDS, (t) => had !== undefined && own[t as RequestorThreshold] === undefined);
    if (had === undefined) {
      lines.push(`${label} added${changes.length ? `: ${changes.join('; ')}` : ", with the default's thresholds"}`);
    } else if (changes.length) {
      lines.push(`${label}: ${changes.join('; ')}`);
    }
  }
  return lines;
}
