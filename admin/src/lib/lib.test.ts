import { describe, expect, it } from 'vitest';
import { formatDateTime, humanise, maskedCard, todayUtc } from './format';
import { IdempotencyKeys, newIdempotencyKey } from './idempotency';
import { csvFileName } from './download';
import { reasonLabel, tokenWallet, walletLabel } from './labels';
import { EMPTY_SEARCH_FORM, searchRequestFrom } from './search';
import {
  checkAuditQuery,
  checkComment,
  checkCreatedRange,
  checkExpiry,
  checkLast4,
  checkPhoneNumber,
  checkReportQuery,
  checkSearchValue,
  checkTokenRequestorId,
  daysBefore,
} from './validate';

describe('format', () => {
  it('writes times in UTC, unambiguously', () => {
    expect(formatDateTime('2026-03-01T10:05:09+02:00')).toBe('2026-03-01 08:05:09 UTC');
    expect(formatDateTime(undefined)).toBe('—');
    expect(formatDateTime('not a time')).toBe('not a time');
  });
  it('gives today as a UTC day', () => {
    expect(todayUtc(new Date('2026-03-01T23:30:00-05:00'))).toBe('2026-03-02');
  });
  it('masks the card', () => {
    expect(maskedCard('1234')).toBe('•••• 1234');
    expect(maskedCard(undefined)).toBe('—');
  });
  it('humanises codes', () => {
    expect(humanise('CARD_STATUS')).toBe('Card status');
    expect(humanise('cardStatus')).toBe('Card status');
    expect(reasonLabel('DEVICE_LOST')).toBe('Device lost');
    expect(reasonLabel('SOME_NETWORK_CODE')).toBe('Some network code');
  });
});

describe('idempotency keys', () => {
  it('are UUIDs the contract accepts', () => {
    expect(newIdempotencyKey()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
  it('are reused for the same change and renewed for another', () => {
    let n = 0;
    const keys = new IdempotencyKeys(() => `key-${++n}-padding`);
    const first = keys.keyFor({ action: 'suspend', reasonCode: 'DEVICE_LOST' });
    expect(keys.keyFor({ action: 'suspend', reasonCode: 'DEVICE_LOST' })).toBe(first);
    const other = keys.keyFor({ action: 'suspend', reasonCode: 'DEVICE_STOLEN' });
    expect(other).not.toBe(first);
    expect(keys.keyFor({ action: 'suspend', reasonCode: 'DEVICE_LOST' })).not.toBe(first);
  });
});

describe('search values', () => {
  it('takes a PAN with spaces as digits only', () => {
    expect(checkSearchValue('pan', ' 5555 5555 5555 4444 ')).toEqual({ ok: true, value: '5555555555554444' });
    expect(checkSearchValue('pan', '5555')).toMatchObject({ ok: false });
  });
  it('refuses a card number in another field', () => {
    expect(checkSearchValue('cardId', '5555555555554444')).toMatchObject({ ok: false });
    expect(checkSearchValue('cardId', 'card-0001')).toEqual({ ok: true, value: 'card-0001' });
    expect(checkSearchValue('deviceId', 'bad value!')).toMatchObject({ ok: false });
  });
});

describe('comments', () => {
  it('are required only for Other, and lose line breaks', () => {
    expect(checkComment('  ', false)).toEqual({ ok: true, value: undefined });
    expect(checkComment('  ', true)).toMatchObject({ ok: false });
    expect(checkComment('phone\nlost', false)).toEqual({ ok: true, value: 'phone lost' });
    expect(checkComment('x'.repeat(257), false)).toMatchObject({ ok: false });
  });
});

describe('audit query', () => {
  it('checks the day range and the agent', () => {
    expect(checkAuditQuery('2026-03-01', '2026-03-01', '')).toEqual({ ok: true, value: { from: '2026-03-01', to: '2026-03-01' } });
    expect(checkAuditQuery('2026-03-02', '2026-03-01', '')).toMatchObject({ ok: false });
    expect(checkAuditQuery('2026-01-01', '2026-02-02', '')).toMatchObject({ ok: false });
    expect(checkAuditQuery('2026-02-30', '2026-03-01', '')).toMatchObject({ ok: false });
    expect(checkAuditQuery('2026-03-01', '2026-03-01', ' agent@bank.test ')).toEqual({
      ok: true,
      value: { from: '2026-03-01', to: '2026-03-01', actor: 'agent@bank.test' },
    });
    expect(checkAuditQuery('2026-03-01', '2026-03-01', 'nobody')).toMatchObject({ ok: false });
  });
});

describe('last 4 and expiry', () => {
  it('takes four digits, never a whole card number', () => {
    expect(checkLast4(' 4444 ')).toEqual({ ok: true, value: '4444' });
    expect(checkLast4('')).toMatchObject({ ok: false });
    expect(checkLast4('444')).toMatchObject({ ok: false });
    expect(checkLast4('44a4')).toMatchObject({ ok: false });
    expect(checkLast4('5555555555554444')).toMatchObject({ ok: false, error: expect.stringContaining('only the last 4') });
  });
  it('takes the expiry as MM/YY, written a few ways', () => {
    expect(checkExpiry('12/29')).toEqual({ ok: true, value: '12/29' });
    expect(checkExpiry(' 1 / 29 ')).toEqual({ ok: true, value: '01/29' });
    expect(checkExpiry('01-29')).toEqual({ ok: true, value: '01/29' });
    expect(checkExpiry('0129')).toEqual({ ok: true, value: '01/29' });
    for (const bad of ['', '13/29', '00/29', '12/2029', '129', 'ab/cd']) expect(checkExpiry(bad)).toMatchObject({ ok: false });
  });
});

describe('phone numbers', () => {
  it('are E.164: a + and 7 to 15 digits, separators left out', () => {
    expect(checkPhoneNumber('+44 7700 900123')).toEqual({ ok: true, value: '+447700900123' });
    expect(checkPhoneNumber(' +1 (415) 555-0100 ')).toEqual({ ok: true, value: '+14155550100' });
    expect(checkPhoneNumber('+33.6.12.34.56.78')).toEqual({ ok: true, value: '+33612345678' });
    expect(checkPhoneNumber('+1234567')).toEqual({ ok: true, value: '+1234567' });
    expect(checkPhoneNumber('+123456789012345')).toEqual({ ok: true, value: '+123456789012345' });
  });
  it('refuse what is not one', () => {
    expect(checkPhoneNumber('')).toMatchObject({ ok: false, error: 'Enter the phone number.' });
    expect(checkPhoneNumber('07700 900123')).toMatchObject({ ok: false, error: expect.stringContaining('starting with +') });
    expect(checkPhoneNumber('0044 7700 900123')).toMatchObject({ ok: false });
    expect(checkPhoneNumber('+123456')).toMatchObject({ ok: false, error: expect.stringContaining('7 to 15 digits') });
    expect(checkPhoneNumber('+1234567890123456')).toMatchObject({ ok: false, error: expect.stringContaining('7 to 15 digits') });
    expect(checkPhoneNumber('+44 7700 900123 ext 2')).toMatchObject({ ok: false });
    expect(checkPhoneNumber('++447700900123')).toMatchObject({ ok: false });
  });
});

describe('creation days of a search', () => {
  it('are optional with a key, and the first day is required without one', () => {
    expect(checkCreatedRange('', '', false)).toEqual({ ok: true, value: {} });
    expect(checkCreatedRange('', '', true)).toMatchObject({ ok: false, field: 'from' });
    expect(checkCreatedRange('', '2026-03-01', true)).toMatchObject({ ok: false, field: 'from' });
    expect(checkCreatedRange('', '2026-03-01', false)).toEqual({ ok: true, value: { to: '2026-03-01' } });
    expect(checkCreatedRange('2026-03-01', '', true)).toEqual({ ok: true, value: { from: '2026-03-01' } });
  });
  it('refuse a last day before the first, and more than 31 days', () => {
    expect(checkCreatedRange('2026-03-02', '2026-03-01', true)).toMatchObject({ ok: false, field: 'to', error: expect.stringContaining('before') });
    expect(checkCreatedRange('2026-03-01', '2026-03-31', true)).toEqual({ ok: true, value: { from: '2026-03-01', to: '2026-03-31' } });
    expect(checkCreatedRange('2026-03-01', '2026-04-01', true)).toMatchObject({ ok: false, field: 'to', error: expect.stringContaining('31 days') });
    expect(checkCreatedRange('2026-02-30', '', true)).toMatchObject({ ok: false, field: 'from' });
    expect(checkCreatedRange('2026-03-01', 'soon', true)).toMatchObject({ ok: false, field: 'to' });
  });
});

describe('search requests', () => {
  it('carry one key and only the fields given', () => {
    const form = { ...EMPTY_SEARCH_FORM, value: 'card-0001', last4: '4444', phoneNumber: '+447700900123' };
    expect(searchRequestFrom(form)).toEqual({ ok: true, request: { cardId: 'card-0001' } });
    expect(searchRequestFrom({ ...form, by: 'last4', expiry: '12/29' })).toEqual({ ok: true, request: { last4: '4444', expiry: '12/29' } });
    expect(searchRequestFrom({ ...form, by: 'phoneNumber' })).toEqual({ ok: true, request: { phoneNumber: '+447700900123' } });
    expect(searchRequestFrom({ ...form, by: 'created', from: '2026-03-01', wallet: 'APPLE_PAY', network: 'VISA' })).toEqual({
      ok: true,
      request: { from: '2026-03-01', wallet: 'APPLE_PAY', network: 'VISA' },
    });
  });
  it('name the field that is wrong', () => {
    expect(searchRequestFrom({ ...EMPTY_SEARCH_FORM, by: 'last4', last4: '4444' })).toMatchObject({ ok: false, field: 'expiry' });
    expect(searchRequestFrom({ ...EMPTY_SEARCH_FORM, value: 'card-0001', tokenRequestorId: '1' })).toMatchObject({ ok: false, field: 'tokenRequestorId' });
    expect(searchRequestFrom({ ...EMPTY_SEARCH_FORM, by: 'created' })).toMatchObject({ ok: false, field: 'from' });
  });
});

describe('report days', () => {
  it('go back from a day, and cover at most 92 days', () => {
    expect(daysBefore('2026-03-07', 6)).toBe('2026-03-01');
    expect(daysBefore('2026-03-01', 1)).toBe('2026-02-28');
    expect(checkReportQuery('2026-03-01', '2026-03-07', '')).toEqual({ ok: true, value: { from: '2026-03-01', to: '2026-03-07' } });
    expect(checkReportQuery('2026-01-01', '2026-04-03', '')).toEqual({ ok: true, value: { from: '2026-01-01', to: '2026-04-03' } });
    expect(checkReportQuery('2026-01-01', '2026-04-04', '')).toMatchObject({ ok: false, field: 'to' });
    expect(checkReportQuery('2026-03-01', '2026-03-07', '50110030273')).toEqual({
      ok: true,
      value: { from: '2026-03-01', to: '2026-03-07', tokenRequestorId: '50110030273' },
    });
    expect(checkReportQuery('2026-03-01', '2026-03-07', '5011')).toMatchObject({ ok: false, field: 'tokenRequestorId' });
    expect(checkTokenRequestorId(' ')).toEqual({ ok: true, value: undefined });
  });
});

describe('wallets and file names', () => {
  it('name the wallet in words', () => {
    expect(walletLabel('APPLE_PAY')).toBe('Apple Pay');
    expect(walletLabel('SOME_NEW_WALLET')).toBe('Some new wallet');
    expect(tokenWallet({ wallet: 'SAMSUNG_PAY', walletId: 'SAMSUNG_PAY' })).toBe('Samsung Pay');
    expect(tokenWallet({ walletId: '40010075001' })).toBe('40010075001');
    expect(tokenWallet({})).toBe('—');
  });
  it('always end in .csv', () => {
    expect(csvFileName('funnel', '2026-03-01', '2026-03-07')).toBe('funnel-2026-03-01-2026-03-07.csv');
    expect(csvFileName('audit', '../x', '')).toBe('audit-x.csv');
    expect(csvFileName('')).toBe('export.csv');
  });
});
