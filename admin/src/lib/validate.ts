import type { SearchKey } from '../api/types';

const IDENTIFIER = /^[A-Za-z0-9_-]{1,64}$/;
const PAN = /^[0-9]{12,19}$/;
const LOOKS_LIKE_PAN = /^[0-9\s-]{12,}$/;
const DAY = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;
const ACTOR = /^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,63}$/;
const CONTROL = /[\x00-\x1F\x7F]/;

export type Checked<T> = { ok: true; value: T } | { ok: false; error: string };

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

export const MAX_AUDIT_SPAN_DAYS = 31;

export function checkAuditQuery(from: string, to: string, actor: string): Checked<{ from: string; to: string; actor?: string }> {
  const start = parseDay(from);
  if (start === null) return { ok: false, error: 'Enter the first day as a date.' };
  const end = parseDay(to);
  if (end === null) return { ok: false, error: 'Enter the last day as a date.' };
  if (end < start) return { ok: false, error: '“To” must not be before “From”.' };
  if ((end - start) / 86_400_000 > MAX_AUDIT_SPAN_DAYS) {
    return { ok: false, error: `Choose at most ${MAX_AUDIT_SPAN_DAYS} days after “From”.` };
  }
  const agent = actor.trim();
  if (agent && (agent.length < 3 || agent.length > 128 || !ACTOR.test(agent))) {
    return { ok: false, error: 'Enter the agent’s e-mail address, or leave it empty.' };
  }
  return { ok: true, value: agent ? { from, to, actor: agent } : { from, to } };
}
