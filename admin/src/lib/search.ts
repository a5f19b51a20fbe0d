import { SEARCH_KEYS } from '../api/types';
import type { Network, SearchRequest, TokenStatus, Wallet } from '../api/types';
import { SEARCH_KEY_LABELS } from './labels';
import {
  checkCreatedRange,
  checkExpiry,
  checkLast4,
  checkPhoneNumber,
  checkSearchValue,
  checkTokenRequestorId,
} from './validate';

/**
 * What the agent searches by: one of the keys with a single value, the last 4
 * digits with the expiry, the phone number, or no key at all (the tokens created
 * in a range of days).
 */
export const SEARCH_MODES = [...SEARCH_KEYS, 'last4', 'phoneNumber', 'created'] as const;
export type SearchMode = (typeof SEARCH_MODES)[number];

export const SEARCH_MODE_LABELS: Record<SearchMode, string> = {
  ...SEARCH_KEY_LABELS,
  last4: 'Last 4 and expiry',
  phoneNumber: 'Phone number',
  created: 'Date created only',
};

/** The search form as typed (kept in React state only: it may hold a PAN). */
export interface SearchForm {
  by: SearchMode;
  /** The value of a single-value key (cardId, tokenReference, pan, deviceId). */
  value: string;
  last4: string;
  expiry: string;
  phoneNumber: string;
  from: string;
  to: string;
  status: TokenStatus | '';
  network: Network | '';
  wallet: Wallet | '';
  tokenRequestorId: string;
}

export const EMPTY_SEARCH_FORM: SearchForm = {
  by: 'cardId',
  value: '',
  last4: '',
  expiry: '',
  phoneNumber: '',
  from: '',
  to: '',
  status: '',
  network: '',
  wallet: '',
  tokenRequestorId: '',
};

/** The form's fields, by the id of their input (for focus and aria-invalid). */
export type SearchField = 'value' | 'last4' | 'expiry' | 'phoneNumber' | 'from' | 'to' | 'tokenRequestorId';

export const SEARCH_FIELD_IDS: Record<SearchField, string> = {
  value: 'search-value',
  last4: 'search-last4',
  expiry: 'search-expiry',
  phoneNumber: 'search-phone',
  from: 'search-from',
  to: 'search-to',
  tokenRequestorId: 'search-token-requestor',
};

type Result = { ok: true; request: SearchRequest } | { ok: false; error: string; field: SearchField };

/**
 * The request body the form asks for, with exactly the fields the agent gave
 * (at most one key), or the first field that is wrong and why.
 */
export function searchRequestFrom(form: SearchForm): Result {
  const request: SearchRequest = {};
  switch (form.by) {
    case 'last4': {
      const last4 = checkLast4(form.last4);
      if (!last4.ok) return { ok: false, error: last4.error, field: 'last4' };
      const expiry = checkExpiry(form.expiry);
      if (!expiry.ok) return { ok: false, error: expiry.error, field: 'expiry' };
      request.last4 = last4.value;
      request.expiry = expiry.value;
      break;
    }
    case 'phoneNumber': {
      const phone = checkPhoneNumber(form.phoneNumber);
      if (!phone.ok) return { ok: false, error: phone.error, field: 'phoneNumber' };
      request.phoneNumber = phone.value;
      break;
    }
    case 'created':
      break;
    default: {
      const checked = checkSearchValue(form.by, form.value);
      if (!checked.ok) return { ok: false, error: checked.error, field: 'value' };
      request[form.by] = checked.value;
    }
  }
  const range = checkCreatedRange(form.from, form.to, form.by === 'created');
  if (!range.ok) return { ok: false, error: range.error, field: range.field };
  if (range.value.from) request.from = range.value.from;
  if (range.value.to) request.to = range.value.to;
  if (form.status) request.status = form.status;
  if (form.network) request.network = form.network;
  if (form.wallet) request.wallet = form.wallet;
  const requestor = checkTokenRequestorId(form.tokenRequestorId);
  if (!requestor.ok) return { ok: false, error: requestor.error, field: 'tokenRequestorId' };
  if (requestor.value) request.tokenRequestorId = requestor.value;
  return { ok: true, request };
}
