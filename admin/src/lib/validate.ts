import type { SearchKey } from '../api/types';

const IDENTIFIER = /^[A-Za-z0-9_-]{1,64}$/;
const PAN = /^[0-9]{12,19}$/;
const LOOKS_LIKE_PAN = /^[0-9\s-]{12,}$/;
const DAY = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;
const ACTOR = /^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,63}$/;
const CONTROL = /[\x00-\x1F\x7F]/;
const LAST4 = /^[0-9]{4}$/;
const EXPIRY_WITH_SEPARATOR = /^(0?[1-9]|1[0-2])[/-]([0-9]{2})$/;
const EXPIRY_DIGITS = /^(0[1-9]|1[0-2])([0-9]{2})$/;
const PHONE_CHARACTERS = /^\+[0-9 ().-]+$/;
const TOKEN_REQUESTOR_ID = /^[0-9]{11}$/;
const DAY_MS = 86_400_000;

export type Checked<T> = { ok: true; value: T } | { ok: false; error: string };
/** Like Checked, and which of several fields is wrong. */
export type CheckedField<T, F extends string> = { ok: true; value: T } | { ok: false; error: string; field: F };

/** The value to search by, as the contract wants it, or what is wrong with it. */
export function checkSearchValue(key: SearchKey, raw: string): Checked<string> {
  const value = raw.trim();
  if (!value) return { ok: false, error: 'Enter a value to search by.' };
  if (key === 'pan') {
    const digits = value.replace(/[\s-]/g, '');
    return PAN.test(digits) ? { ok: true, value: digits } : { ok: false, error: 'Enter a PAN of 12 to 19 digits.' };
  }
  // A card number typed in another field would travel (and be audited) as a plain value.
  if (LOOKS_LIKE_PAN.test(value) && PAN.test(value.replace(/[\s-]/g, ''))) {
    return { ok: false, error: 'This looks like a card number: choose PAN in “Search by”.' };
  }
  return IDENTIFIER.test(value)
    ? { ok: true, value }
    : { ok: false, error: 'Use only letters, digits, “-” and “_” (at most 64).' };
}

/**
 * The comment as the contract allows it (1–256 characters, no control
 * characters): line breaks and tabs become spaces; empty means none.
 */
export function checkComment(raw: string, required: boolean): Checked<string | undefined> {
  const value = raw.replace(/[\r\n\t]+/g, ' ').trim();
  if (!value) {
    return required ? { ok: false, error: 'Enter a comment: it is required when the reason is Other.' } : { ok: true, value: undefined };
  }
  if (CONTROL.test(value)) return { ok: false, error: 'The comment has characters that cannot be sent.' };
  if (value.length > 256) return { ok: false, error: 'The comment can have at most 256 characters.' };
  return { ok: true, value };
}

function parseDay(day: string): number | null {
  if (!DAY.test(day)) return null;
  const time = Date.parse(`${day}T00:00:00Z`);
  return Number.isNaN(time) || new Date(time).toISOString().slice(0, 10) !== day ? null : time;
}

/** "YYYY-MM-DD" `days` before (negative: after) the given UTC day. */
export function daysBefore(day: string, days: number): string {
  const time = parseDay(day) ?? Date.parse(new Date().toISOString().slice(0, 10));
  return new Date(time - days * DAY_MS).toISOString().slice(0, 10);
}

/** Two days from–to, both given, `to` at most `maxAfter` days after `from`. */
function checkDays(from: string, to: string, maxAfter: number): CheckedField<{ from: string; to: string }, 'from' | 'to'> {
  const start = parseDay(from);
  if (start === null) return { ok: false, error: 'Enter the first day as a date.', field: 'from' };
  const end = parseDay(to);
  if (end === null) return { ok: false, error: 'Enter the last day as a date.', field: 'to' };
  if (end < start) return { ok: false, error: '“To” must not be before “From”.', field: 'to' };
  if ((end - start) / DAY_MS > maxAfter) {
    return { ok: false, error: `Choose at most ${maxAfter} days after “From”.`, field: 'to' };
  }
  return { ok: true, value: { from, to } };
}

export const MAX_AUDIT_SPAN_DAYS = 31;

export function checkAuditQuery(from: string, to: string, actor: string): Checked<{ from: string; to: string; actor?: string }> {
  const days = checkDays(from, to, MAX_AUDIT_SPAN_DAYS);
  if (!days.ok) return { ok: false, error: days.error };
  const agent = actor.trim();
  if (agent && (agent.length < 3 || agent.length > 128 || !ACTOR.test(agent))) {
    return { ok: false, error: 'Enter the agent’s e-mail address, or leave it empty.' };
  }
  return { ok: true, value: agent ? { from, to, actor: agent } : { from, to } };
}

/** The card's last four digits. A whole card number is refused: it is not to travel as a last 4. */
export function checkLast4(raw: string): Checked<string> {
  const value = raw.replace(/[\s-]/g, '');
  if (!value) return { ok: false, error: 'Enter the last 4 digits of the card.' };
  if (/^[0-9]{5,}$/.test(value)) return { ok: false, error: 'Enter only the last 4 digits of the card, not more.' };
  return LAST4.test(value) ? { ok: true, value } : { ok: false, error: 'Enter the last 4 digits of the card: 4 digits.' };
}

/** The card's expiry as MM/YY ("1/29", "01-29" and "0129" are taken too). */
export function checkExpiry(raw: string): Checked<string> {
  const value = raw.replace(/\s+/g, '');
  if (!value) return { ok: false, error: 'Enter the card’s expiry as MM/YY.' };
  const match = EXPIRY_WITH_SEPARATOR.exec(value) ?? EXPIRY_DIGITS.exec(value);
  if (!match) return { ok: false, error: 'Enter the card’s expiry as MM/YY, for example 12/29.' };
  return { ok: true, value: `${match[1]!.padStart(2, '0')}/${match[2]}` };
}

/**
 * A phone number in E.164 ("+" and 7 to 15 digits); spaces, dots, dashes and
 * parentheses may be typed, and are left out of what is sent.
 */
export function checkPhoneNumber(raw: string): Checked<string> {
  const value = raw.trim().replace(/\s+/g, ' ');
  if (!value) return { ok: false, error: 'Enter the phone number.' };
  if (!value.startsWith('+')) {
    return { ok: false, error: 'Enter the number with its country code, starting with +, for example +44 7700 900123.' };
  }
  if (!PHONE_CHARACTERS.test(value)) {
    return { ok: false, error: 'After the +, use only digits, spaces, dots, dashes and parentheses.' };
  }
  const digits = value.replace(/[^0-9]/g, '');
  if (digits.length < 7 || digits.length > 15) {
    return { ok: false, error: 'A phone number has 7 to 15 digits after the +.' };
  }
  return { ok: true, value: `+${digits}` };
}

/** An optional token requestor id: 11 digits, or nothing. */
export function checkTokenRequestorId(raw: string): Checked<string | undefined> {
  const value = raw.replace(/\s+/g, '');
  if (!value) return { ok: true, value: undefined };
  return TOKEN_REQUESTOR_ID.test(value)
    ? { ok: true, value }
    : { ok: false, error: 'A token requestor id has 11 digits.' };
}

/** The tokens a search may list by creation day: at most 31 days, both ends included. */
export const MAX_SEARCH_SPAN_DAYS = 31;

/**
 * The creation days of a search. Both are optional with a key; without one,
 * “Created from” is required (“Created to” then defaults on the server).
 */
export function checkCreatedRange(
  from: string,
  to: string,
  fromRequired: boolean,
): CheckedField<{ from?: string; to?: string }, 'from' | 'to'> {
  const start = from.trim() ? parseDay(from.trim()) : undefined;
  const end = to.trim() ? parseDay(to.trim()) : undefined;
  if (start === null) return { ok: false, error: 'Enter “Created from” as a date.', field: 'from' };
  if (end === null) return { ok: false, error: 'Enter “Created to” as a date.', field: 'to' };
  if (start === undefined && fromRequired) {
    return { ok: false, error: 'Enter “Created from”: without a card, token, device or phone number, the search lists the tokens created from that day.', field: 'from' };
  }
  if (start !== undefined && end !== undefined) {
    if (end < start) return { ok: false, error: '“Created to” must not be before “Created from”.', field: 'to' };
    if ((end - start) / DAY_MS > MAX_SEARCH_SPAN_DAYS - 1) {
      return { ok: false, error: `Choose at most ${MAX_SEARCH_SPAN_DAYS} days, from “Created from” to “Created to”.`, field: 'to' };
    }
  }
  return {
    ok: true,
    value: { ...(start !== undefined ? { from: from.trim() } : {}), ...(end !== undefined ? { to: to.trim() } : {}) },
  };
}

/** Reports cover at most 92 days after “From”. */
export const MAX_REPORT_SPAN_DAYS = 92;

export function checkReportQuery(
  from: string,
  to: string,
  tokenRequestorId: string,
): CheckedField<{ from: string; to: string; tokenRequestorId?: string }, 'from' | 'to' | 'tokenRequestorId'> {
  const days = checkDays(from, to, MAX_REPORT_SPAN_DAYS);
  if (!days.ok) return days;
  const requestor = checkTokenRequestorId(tokenRequestorId);
  if (!requestor.ok) return { ok: false, error: requestor.error, field: 'tokenRequestorId' };
  return { ok: true, value: requestor.value ? { ...days.value, tokenRequestorId: requestor.value } : days.value };
}
