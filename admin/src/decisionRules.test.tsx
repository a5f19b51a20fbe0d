import { screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { FakePlatform, PLATFORM_RULES } from './test/fakePlatform';
import { headersOf, signIn, start } from './test/ui';
import type { User } from './test/ui';

const RULES = '/admin-api/v1/decision-rules';
const LIVE = 'Live tokens per card (decline at)';
const ATTEMPTS = 'Attempts per card and wallet in 24 h';
const CARD_ATTEMPTS = 'Attempts per card in 24 h (all wallets)';
const DECLINE = 'Decline when a wallet score is at or below';
const AUTHENTICATE = 'Ask for extra verification when a wallet score is at or below';
const APPLE_MDES = 'Apple Pay requestor 50110030273';
const APPLE_VISA = 'Apple Pay requestor 40010030273';

let platform: FakePlatform;

beforeEach(() => {
  platform = new FakePlatform();
  vi.stubGlobal('fetch', platform.fetch);
  window.history.replaceState(null, '', '/admin/');
});

/** Each body row as its header cell then its cells' text. */
function tableRows(table: HTMLElement): string[][] {
  return within(table)
    .getAllByRole('row')
    .slice(1)
    .map((row) => [
      ...within(row).getAllByRole('rowheader').map((th) => th.textContent ?? ''),
      ...within(row).getAllByRole('cell').map((td) => td.textContent ?? ''),
    ]);
}

async function openRules(user: User) {
  await signIn(user, 'admin@bank.test');
  await user.click(screen.getByRole('link', { name: 'Decision rules' }));
  await screen.findByRole('heading', { level: 1, name: 'Decision rules' });
  return screen.findByRole('table', { name: 'Decision rules in force' });
}

function group(name: string): HTMLElement {
  return screen.getByRole('group', { name });
}

async function replace(user: User, input: HTMLElement, value: string) {
  await user.clear(input);
  if (value) await user.type(input, value);
}

describe('decision rules', () => {
  it('lets an admin change Apple Pay’s live-token limit: the PUT carries the version read and the document', async () => {
    // GIVEN an admin on Decision rules (from the navigation)
    const user = start();
    const table = await openRules(user);
    expect(screen.getByRole('link', { name: 'Decision rules' })).toHaveAttribute('aria-current', 'page');
    // THEN the rules in force are a table: the default, then one row per token requestor
    expect(headersOf(table)).toEqual(['Applies to', LIVE, ATTEMPTS, CARD_ATTEMPTS, DECLINE, AUTHENTICATE]);
    expect(tableRows(table)).toEqual([
      ['Default', '10', '5', '10', '1', '3'],
      [APPLE_VISA, '10 (default)', '5 (default)', '10 (default)', '2', '3 (default)'],
      [APPLE_MDES, '10 (default)', '3', '10 (default)', '1 (default)', '3 (default)'],
    ]);
    expect(screen.getByText('Set by the deployment')).toBeInTheDocument();
    expect(screen.getByText('Version').nextElementSibling).toHaveTextContent('0');
    expect(screen.getByText(/Changes apply to the next tokenization request on both networks/)).toBeInTheDocument();
    expect(platform.audit[0]).toMatchObject({ action: 'READ_RULES', result: 'SUCCEEDED' });

    // WHEN they edit Apple Pay (MDES)'s live tokens per card to 2
    await user.click(screen.getByRole('button', { name: 'Edit' }));
    expect(await screen.findByRole('heading', { level: 2, name: 'Edit the decision rules' })).toHaveFocus();
    const apple = group(APPLE_MDES);
    // (its own value shows, those it takes from the default are empty)
    expect(within(apple).getByLabelText(ATTEMPTS)).toHaveValue(3);
    expect(within(apple).getByLabelText(LIVE)).toHaveValue(null);
    expect(within(apple).getByLabelText(LIVE)).toHaveAccessibleDescription("0 or more; empty: the default's (10).");
    await user.type(within(apple).getByLabelText(LIVE), '2');
    await user.click(screen.getByRole('button', { name: 'Review changes' }));

    // THEN the confirmation says what changes, and nothing is sent yet
    expect(await screen.findByRole('heading', { level: 2, name: 'Check the changes' })).toHaveFocus();
    expect(within(screen.getByRole('list', { name: 'Changes' })).getAllByRole('listitem').map((li) => li.textContent)).toEqual([
      'Apple Pay requestor 50110030273: live tokens per card 10 → 2',
    ]);
    expect(platform.requestsTo(RULES).filter((r) => r.method === 'PUT')).toHaveLength(0);

    // WHEN they save
    await user.click(screen.getByRole('button', { name: 'Save rules' }));

    // THEN one PUT went, made from version 0: the whole default, per requestor only what differs
    await waitFor(() => expect(screen.getByRole('status')).toHaveTextContent('Rules saved: version 1.'));
    const puts = platform.requestsTo(RULES).filter((r) => r.method === 'PUT');
    expect(puts).toHaveLength(1);
    expect(puts[0]!.body).toEqual({
      version: 0,
      rules: {
        default: PLATFORM_RULES,
        tokenRequestors: {
          '40010030273': { declineScoreAtOrBelow: 2 },
          '50110030273': { maxLiveTokensPerCard: 2, maxAttemptsPer24h: 3 },
        },
      },
    });
    expect(puts[0]!.headers['content-type']).toBe('application/json');
    expect(puts[0]!.headers['idempotency-key']).toBeUndefined();
    expect(platform.audit[0]).toMatchObject({ action: 'UPDATE_RULES', result: 'SUCCEEDED' });
    // AND the page shows the new rules, and who set them
    const after = screen.getByRole('table', { name: 'Decision rules in force' });
    expect(tableRows(after)[2]).toEqual([APPLE_MDES, '2', '3', '10 (default)', '1 (default)', '3 (default)']);
    expect(screen.getByText('Set by admin@bank.test on 2026-03-02 09:00:00 UTC')).toBeInTheDocument();
    expect(screen.getByText('Version').nextElementSibling).toHaveTextContent('1');
  });

  it('adds and removes token requestors; the card-wide limit is the default’s only', async () => {
    // GIVEN an admin editing the rules
    const user = start();
    await openRules(user);
    await user.click(screen.getByRole('button', { name: 'Edit' }));
    // WHEN they lower the card-wide limit under the default
    await replace(user, within(group('Default')).getByLabelText(CARD_ATTEMPTS), '8');
    // THEN every requestor shows it, read-only
    const cardWide = within(group(APPLE_MDES)).getByLabelText(CARD_ATTEMPTS);
    expect(cardWide).toHaveAttribute('readonly');
    expect(cardWide).toHaveValue(8);
    // WHEN they add Google Pay (MDES) with 3 live tokens per card, and one equal to the default
    await user.type(screen.getByLabelText('Token requestor id'), '50120834693');
    await user.click(screen.getByRole('button', { name: 'Add token requestor' }));
    const google = group('Google Pay requestor 50120834693');
    expect(within(google).getByLabelText(LIVE)).toHaveFocus();
    expect(screen.getByRole('status')).toHaveTextContent('Google Pay requestor 50120834693 added to the list.');
    await user.type(within(google).getByLabelText(LIVE), '3');
    await user.type(within(google).getByLabelText(DECLINE), '1');
    // AND remove Apple Pay (Visa)
    await user.click(within(group(APPLE_VISA)).getByRole('button', { name: `Remove ${APPLE_VISA}` }));
    expect(screen.queryByRole('group', { name: APPLE_VISA })).not.toBeInTheDocument();
    expect(screen.getByLabelText('Token requestor id')).toHaveFocus();
    await user.click(screen.getByRole('button', { name: 'Review changes' }));

    // THEN the summary has every change, what each requestor gets included
    await screen.findByRole('heading', { level: 2, name: 'Check the changes' });
    expect(within(screen.getByRole('list', { name: 'Changes' })).getAllByRole('listitem').map((li) => li.textContent)).toEqual([
      'Default: attempts per card in 24 h (all wallets) 10 → 8',
      'Apple Pay requestor 40010030273 removed, the default applies: decline at wallet score 2 → 1',
      'Google Pay requestor 50120834693 added: live tokens per card 10 → 3',
    ]);
    await user.click(screen.getByRole('button', { name: 'Save rules' }));
    await waitFor(() => expect(screen.getByRole('status')).toHaveTextContent('Rules saved: version 1.'));
    // AND no requestor carries the card-wide limit, nor a threshold equal to the default's
    expect(platform.requestsTo(RULES).find((r) => r.method === 'PUT')!.body).toEqual({
      version: 0,
      rules: {
        default: { ...PLATFORM_RULES, maxCardAttemptsPer24h: 8 },
        tokenRequestors: {
          '50110030273': { maxAttemptsPer24h: 3 },
          '50120834693': { maxLiveTokensPerCard: 3 },
        },
      },
    });
    expect(tableRows(screen.getByRole('table', { name: 'Decision rules in force' })).map((r) => r[0])).toEqual([
      'Default', APPLE_MDES, 'Google Pay requestor 50120834693',
    ]);
  });

  it('has no link for a supervisor, and the page says it is not allowed', async () => {
    // GIVEN a supervisor
    const user = start();
    await signIn(user, 'supervisor@bank.test');
    // THEN the navigation has no Decision rules
    const nav = screen.getByRole('navigation', { name: 'Main' });
    expect(within(nav).getByRole('link', { name: 'Audit log' })).toBeInTheDocument();
    expect(within(nav).queryByRole('link', { name: 'Decision rules' })).not.toBeInTheDocument();
    // WHEN they open the page's address
    window.history.pushState(null, '', '/admin/decision-rules');
    window.dispatchEvent(new PopStateEvent('popstate'));
    // THEN it is not allowed, and the rules were never asked for
    expect(await screen.findByRole('heading', { level: 1, name: 'Not allowed' })).toBeInTheDocument();
    expect(screen.getByText('Your role does not allow this page.')).toBeInTheDocument();
    expect(screen.queryByRole('table')).not.toBeInTheDocument();
    expect(platform.requestsTo(RULES)).toHaveLength(0);
  });

  it('says so when someone else changed the rules meanwhile, and reloads them', async () => {
    // GIVEN an admin reviewing a change, made from version 0
    const user = start();
    await openRules(user);
    await user.click(screen.getByRole('button', { name: 'Edit' }));
    await user.type(within(group(APPLE_MDES)).getByLabelText(LIVE), '2');
    await user.click(screen.getByRole('button', { name: 'Review changes' }));
    await screen.findByRole('heading', { level: 2, name: 'Check the changes' });
    // AND another admin saves the rules meanwhile
    platform.changeRulesMeanwhile({ maxAttemptsPer24h: 4 });
    // WHEN they save
    await user.click(screen.getByRole('button', { name: 'Save rules' }));
    // THEN the service refused it (409): they are told to reload, and cannot save again
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('The rules were changed by someone else meanwhile: reload them.');
    expect(screen.getByRole('button', { name: 'Save rules' })).toBeDisabled();
    expect(platform.rules.version).toBe(1);
    expect(platform.rules.rules.tokenRequestors['50110030273']!.maxLiveTokensPerCard).toBe(10);
    // WHEN they reload
    await user.click(within(alert).getByRole('button', { name: 'Reload' }));
    // THEN the rules in force show, the other admin's version
    const table = await screen.findByRole('table', { name: 'Decision rules in force' });
    expect(screen.getByRole('heading', { level: 2, name: 'Rules in force' })).toHaveFocus();
    expect(screen.getByRole('status')).toHaveTextContent('Rules in force loaded again: version 1.');
    expect(tableRows(table)[0]).toEqual(['Default', '10', '4', '10', '1', '3']);
    expect(screen.getByText('Set by other.admin@bank.test on 2026-03-02 08:30:00 UTC')).toBeInTheDocument();
    expect(screen.getByText('Version').nextElementSibling).toHaveTextContent('1');
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    expect(platform.requestsTo(RULES).map((r) => r.method)).toEqual(['GET', 'PUT', 'GET']);
    // AND a new edit is made from that version
    await user.click(screen.getByRole('button', { name: 'Edit' }));
    await user.type(within(group(APPLE_MDES)).getByLabelText(LIVE), '2');
    await user.click(screen.getByRole('button', { name: 'Review changes' }));
    await user.click(await screen.findByRole('button', { name: 'Save rules' }));
    await waitFor(() => expect(screen.getByRole('status')).toHaveTextContent('Rules saved: version 2.'));
    expect(platform.requestsTo(RULES).filter((r) => r.method === 'PUT').map((r) => (r.body as { version: number }).version)).toEqual([0, 1]);
  });

  it('shows the detail of rules the service refuses (422), back in the inputs', async () => {
    // GIVEN an admin reviewing a change
    const user = start();
    await openRules(user);
    await user.click(screen.getByRole('button', { name: 'Edit' }));
    await replace(user, within(group('Default')).getByLabelText(ATTEMPTS), '6');
    await user.click(screen.getByRole('button', { name: 'Review changes' }));
    // WHEN the service refuses the rules
    platform.failNext.push(422);
    await user.click(await screen.findByRole('button', { name: 'Save rules' }));
    // THEN its detail shows above the inputs, which keep what was typed
    expect(await screen.findByRole('alert')).toHaveTextContent('Injected failure');
    expect(screen.getByRole('heading', { level: 2, name: 'Edit the decision rules' })).toBeInTheDocument();
    expect(within(group('Default')).getByLabelText(ATTEMPTS)).toHaveValue(6);
  });

  it('checks a new token requestor id and every number before anything is sent', async () => {
    // GIVEN an admin editing the rules
    const user = start();
    await openRules(user);
    await user.click(screen.getByRole('button', { name: 'Edit' }));
    const id = screen.getByLabelText('Token requestor id');
    // WHEN the id to add is not 11 digits
    await user.type(id, '5011003027');
    await user.click(screen.getByRole('button', { name: 'Add token requestor' }));
    // THEN it is refused, marked and described
    expect(id).toHaveAttribute('aria-invalid', 'true');
    expect(id).toHaveAccessibleDescription('A token requestor id has 11 digits. 11 digits.');
    expect(id).toHaveFocus();
    expect(screen.queryByRole('group', { name: 'Token requestor 5011003027' })).not.toBeInTheDocument();
    // WHEN it is one listed already
    await replace(user, id, '50110030273');
    await user.click(screen.getByRole('button', { name: 'Add token requestor' }));
    expect(id).toHaveAccessibleDescription('Apple Pay requestor 50110030273 is listed already. 11 digits.');
    expect(screen.getAllByRole('group', { name: APPLE_MDES })).toHaveLength(1);

    // WHEN a threshold is negative, and a score above 255
    const live = within(group('Default')).getByLabelText(LIVE);
    await replace(user, live, '-1');
    await user.type(within(group(APPLE_VISA)).getByLabelText(DECLINE), '{Backspace}300');
    await user.click(screen.getByRole('button', { name: 'Review changes' }));
    // THEN both are refused, the first one focused, and nothing is sent
    expect(await screen.findByRole('alert')).toHaveTextContent('2 values are not valid: correct them below.');
    expect(live).toHaveAttribute('aria-invalid', 'true');
    expect(live).toHaveAccessibleDescription('Enter a whole number from 0: it cannot be negative. 0 or more.');
    expect(live).toHaveFocus();
    const decline = within(group(APPLE_VISA)).getByLabelText(DECLINE);
    expect(decline).toHaveAttribute('aria-invalid', 'true');
    expect(decline).toHaveAccessibleDescription(/^Enter a whole number from 0 to 255\./);
    // AND an empty default is refused too (a requestor's empty one follows the default)
    await user.clear(live);
    await replace(user, decline, '');
    await user.click(screen.getByRole('button', { name: 'Review changes' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('One value is not valid: correct it below.');
    expect(live).toHaveAccessibleDescription('Enter a number: the default needs every threshold. 0 or more.');
    expect(decline).not.toHaveAttribute('aria-invalid');
    expect(platform.requestsTo(RULES).filter((r) => r.method === 'PUT')).toHaveLength(0);
  });

  it('saves nothing when nothing changes, and Cancel drops the edits', async () => {
    // GIVEN an admin editing the rules
    const user = start();
    await openRules(user);
    await user.click(screen.getByRole('button', { name: 'Edit' }));
    // WHEN a requestor's value is set to the default's, which it follows anyway
    await user.type(within(group(APPLE_MDES)).getByLabelText(LIVE), '10');
    await user.click(screen.getByRole('button', { name: 'Review changes' }));
    // THEN there is nothing to save
    expect(await screen.findByRole('alert')).toHaveTextContent('Nothing to save: these are the rules in force.');
    // WHEN they cancel
    await user.click(screen.getByRole('button', { name: 'Cancel' }));
    // THEN the rules in force show again, unchanged, and Edit has the focus
    expect(screen.getByRole('button', { name: 'Edit' })).toHaveFocus();
    expect(tableRows(screen.getByRole('table', { name: 'Decision rules in force' }))[0]).toEqual(['Default', '10', '5', '10', '1', '3']);
    expect(platform.requestsTo(RULES).map((r) => r.method)).toEqual(['GET']);
  });
});
