import { describe, expect, it } from 'vitest';
import { formatDateTime, humanise, maskedCard, todayUtc } from './format';
import { IdempotencyKeys, newIdempotencyKey } from './idempotency';
import { reasonLabel } from './labels';
import { checkAuditQuery, checkComment, checkSearchValue } from './validate';

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
