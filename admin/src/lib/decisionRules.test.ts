import { describe, expect, it } from 'vitest';
import type { DecisionRulesInForce } from '../api/types';
import { checkDraft, checkNewRequestorId, checkThreshold, draftOf, summariseChanges } from './decisionRules';
import type { RulesInForce } from './decisionRules';
import { tokenRequestorLabel } from './labels';

const BASE: DecisionRulesInForce = {
  maxLiveTokensPerCard: 10,
  maxAttemptsPer24h: 5,
  maxCardAttemptsPer24h: 10,
  declineScoreAtOrBelow: 1,
  authenticateScoreAtOrBelow: 3,
};

const IN_FORCE: RulesInForce = {
  default: BASE,
  tokenRequestors: { '50110030273': { ...BASE, maxAttemptsPer24h: 3 } },
};

describe('decision rules', () => {
  it('name the token requestors by wallet when known', () => {
    expect(tokenRequestorLabel('50110030273')).toBe('Apple Pay requestor 50110030273');
    expect(tokenRequestorLabel('40010075001')).toBe('Google Pay requestor 40010075001');
    expect(tokenRequestorLabel('12345678901')).toBe('Token requestor 12345678901');
  });

  it('check each threshold: whole numbers from 0, scores at most 255', () => {
    expect(checkThreshold('maxLiveTokensPerCard', ' 0 ')).toEqual({ ok: true, value: 0 });
    expect(checkThreshold('maxLiveTokensPerCard', '')).toEqual({ ok: true, value: undefined });
    expect(checkThreshold('maxLiveTokensPerCard', '-1')).toMatchObject({ ok: false, error: expect.stringContaining('cannot be negative') });
    expect(checkThreshold('maxAttemptsPer24h', '2.5')).toMatchObject({ ok: false });
    expect(checkThreshold('maxAttemptsPer24h', '1e3')).toMatchObject({ ok: false });
    expect(checkThreshold('maxAttemptsPer24h', '4294967295')).toEqual({ ok: true, value: 4294967295 });
    expect(checkThreshold('maxAttemptsPer24h', '4294967296')).toMatchObject({ ok: false });
    expect(checkThreshold('declineScoreAtOrBelow', '255')).toEqual({ ok: true, value: 255 });
    expect(checkThreshold('authenticateScoreAtOrBelow', '256')).toMatchObject({ ok: false, error: 'Enter a whole number from 0 to 255.' });
  });

  it('check a new token requestor id', () => {
    expect(checkNewRequestorId(' 501 2083 4693 ', [])).toEqual({ ok: true, value: '50120834693' });
    expect(checkNewRequestorId('', [])).toMatchObject({ ok: false });
    expect(checkNewRequestorId('5012083469a', [])).toEqual({ ok: false, error: 'A token requestor id has 11 digits.' });
    expect(checkNewRequestorId('501208346931', [])).toEqual({ ok: false, error: 'A token requestor id has 11 digits.' });
    expect(checkNewRequestorId('50110030273', ['50110030273'])).toMatchObject({ ok: false, error: expect.stringContaining('listed already') });
  });

  it('send the whole default, and per requestor only what differs from it (never the card-wide limit)', () => {
    const draft = draftOf(IN_FORCE);
    expect(draft.requestors[0]!.values).toEqual({
      maxLiveTokensPerCard: '',
      maxAttemptsPer24h: '3',
      declineScoreAtOrBelow: '',
      authenticateScoreAtOrBelow: '',
    });
    expect(checkDraft(draft)).toEqual({ ok: true, rules: { default: BASE, tokenRequestors: { '50110030273': { maxAttemptsPer24h: 3 } } } });
    // a requestor's value equal to the (new) default follows it: left out
    draft.default.maxAttemptsPer24h = '3';
    draft.requestors[0]!.values.maxLiveTokensPerCard = '2';
    expect(checkDraft(draft)).toEqual({
      ok: true,
      rules: { default: { ...BASE, maxAttemptsPer24h: 3 }, tokenRequestors: { '50110030273': { maxLiveTokensPerCard: 2 } } },
    });
    // an input the browser could not read is refused, not taken for empty
    expect(checkDraft(draft, new Set(['50110030273.declineScoreAtOrBelow']))).toMatchObject({
      ok: false,
      first: '50110030273.declineScoreAtOrBelow',
    });
  });

  it('summarise what changes for the default and each requestor', () => {
    const after = {
      default: { ...BASE, maxLiveTokensPerCard: 8 },
      tokenRequestors: { '50110030273': { maxLiveTokensPerCard: 2, maxAttemptsPer24h: 3 } },
    };
    expect(summariseChanges(IN_FORCE, after)).toEqual([
      'Default: live tokens per card 10 → 8',
      'Apple Pay requestor 50110030273: live tokens per card 10 → 2',
    ]);
    // a requestor following the default changes with it
    expect(summariseChanges(IN_FORCE, { default: { ...BASE, declineScoreAtOrBelow: 2 }, tokenRequestors: { '50110030273': { maxAttemptsPer24h: 3 } } })).toEqual([
      'Default: decline at wallet score 1 → 2',
      'Apple Pay requestor 50110030273: decline at wallet score 1 → 2 (follows the default)',
    ]);
    expect(summariseChanges(IN_FORCE, { default: BASE, tokenRequestors: { '12345678901': {} } })).toEqual([
      'Apple Pay requestor 50110030273 removed, the default applies: attempts per card and wallet in 24 h 3 → 5',
      "Token requestor 12345678901 added, with the default's thresholds",
    ]);
    expect(summariseChanges(IN_FORCE, { default: BASE, tokenRequestors: { '50110030273': { maxAttemptsPer24h: 3 } } })).toEqual([]);
  });
});
