import { screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { CARD_EVENTS } from './api/types';
import { FakePlatform, sampleToken } from './test/fakePlatform';
import { rowsOf, signIn, start } from './test/ui';
import type { User } from './test/ui';

let platform: FakePlatform;

const REF1 = sampleToken().tokenReference;
const REF2 = 'DWSPMC0000000002aaaa';
const STOLEN_EFFECT = "Every token of the card is deleted (or suspended, as the bank's policy says).";

beforeEach(() => {
  platform = new FakePlatform();
  // Two tokens of card-0001: one active, one suspended; the platform offers every card event.
  platform.tokens = [
    sampleToken({ cardEvents: [...CARD_EVENTS] }),
    sampleToken({ tokenId: 'tok_00000002', tokenReference: REF2, network: 'VISA', status: 'SUSPENDED', suspendedBy: ['ISSUER'], cardEvents: [...CARD_EVENTS] }),
  ];
  vi.stubGlobal('fetch', platform.fetch);
  window.history.replaceState(null, '', '/admin/');
});

async function openToken(email: string, tokenId = 'tok_00000001'): Promise<User> {
  const user = start(`/admin/tokens/${tokenId}`);
  await signIn(user, email);
  await screen.findByRole('heading', { level: 2, name: 'Actions' });
  return user;
}

function detail(term: string): string {
  const dt = screen.getAllByRole('term').find((el) => el.textContent === term);
  return dt?.nextElementSibling?.textContent ?? '';
}

async function openReport(user: User): Promise<HTMLElement> {
  await user.click(screen.getByRole('button', { name: 'Report the card…' }));
  return screen.getByRole('dialog', { name: 'Report card card-0001' });
}

describe('card events: the button', () => {
  it('is offered to a supervisor, in a section of its own', async () => {
    await openToken('supervisor@bank.test');
    const card = screen.getByRole('region', { name: 'Card' });
    expect(card).toHaveTextContent('Card card-0001');
    expect(within(card).getAllByRole('button').map((b) => b.textContent)).toEqual(['Report the card…']);
  });

  it('is not offered to an agent (empty cardEvents)', async () => {
    await openToken('agent@bank.test');
    expect(screen.getByRole('button', { name: 'Suspend' })).toBeInTheDocument();
    expect(screen.queryByRole('region', { name: 'Card' })).toBeNull();
    expect(screen.queryByRole('button', { name: /Report the card/ })).toBeNull();
    expect(platform.requests.some((r) => r.url.includes('/events'))).toBe(false);
  });

  it('is not offered for a token without a card id', async () => {
    delete platform.tokens[0]!.cardId;
    await openToken('supervisor@bank.test');
    expect(screen.queryByRole('button', { name: /Report the card/ })).toBeNull();
  });
});

describe('card events: the dialog', () => {
  it('offers only the events of cardEvents, and says what each does to the tokens', async () => {
    platform.tokens[0]!.cardEvents = ['BLOCKED', 'UNBLOCKED'];
    const user = await openToken('supervisor@bank.test');
    const dialog = await openReport(user);
    const what = within(dialog).getByLabelText('What happened');
    expect(what).toHaveFocus();
    expect(within(what).getAllByRole('option').map((o) => o.textContent)).toEqual(['Choose what happened', 'Blocked', 'Unblocked']);

    await user.selectOptions(what, 'Blocked');
    expect(what).toHaveAccessibleDescription('Every token of the card is suspended.');
    await user.selectOptions(what, 'Unblocked');
    expect(what).toHaveAccessibleDescription(/the block suspended are unsuspended/);
    expect(within(dialog).getByLabelText('Comment').tagName).toBe('TEXTAREA');
  });

  it('explains every event', async () => {
    const user = await openToken('supervisor@bank.test');
    const dialog = await openReport(user);
    const what = within(dialog).getByLabelText('What happened');
    expect(within(what).getAllByRole('option').map((o) => o.textContent)).toEqual([
      'Choose what happened', 'Lost', 'Stolen', 'Blocked', 'Unblocked', 'Closed',
    ]);
    const effects: Record<string, string | RegExp> = {
      Lost: STOLEN_EFFECT,
      Stolen: STOLEN_EFFECT,
      Blocked: 'Every token of the card is suspended.',
      Unblocked: /^The tokens of the card that the block suspended are unsuspended/,
      Closed: 'Every token of the card is deleted.',
    };
    for (const [option, effect] of Object.entries(effects)) {
      await user.selectOptions(what, option);
      expect(what).toHaveAccessibleDescription(effect);
    }
  });

  it('wants a choice, goes back and forth, and closes on Escape without reporting anything', async () => {
    const user = await openToken('supervisor@bank.test');
    const opener = screen.getByRole('button', { name: 'Report the card…' });
    const dialog = await openReport(user);
    await user.click(within(dialog).getByRole('button', { name: 'Continue' }));
    expect(within(dialog).getByRole('alert')).toHaveTextContent('Choose what happened to the card.');
    expect(within(dialog).getByLabelText('What happened')).toHaveFocus();
    expect(within(dialog).getByLabelText('What happened')).toHaveAttribute('aria-invalid', 'true');

    await user.selectOptions(within(dialog).getByLabelText('What happened'), 'Blocked');
    await user.click(within(dialog).getByRole('button', { name: 'Continue' }));
    expect(within(dialog).getByText(/You are about to report card card-0001 blocked\./)).toHaveFocus();
    await user.click(within(dialog).getByRole('button', { name: 'Back' }));
    expect(within(dialog).getByLabelText('What happened')).toHaveFocus();
    expect(within(dialog).getByLabelText('What happened')).toHaveValue('BLOCKED');

    dialog.dispatchEvent(new Event('cancel', { cancelable: true }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(opener).toHaveFocus();
    expect(platform.requestsTo('/admin-api/v1/cards/card-0001/events')).toHaveLength(0);
  });
});

describe('card events: the job', () => {
  it('a supervisor reports a card stolen: the POST with its body and Idempotency-Key (kept on a retry), then the job to Done', async () => {
    const user = await openToken('supervisor@bank.test');
    const opener = screen.getByRole('button', { name: 'Report the card…' });
    const dialog = await openReport(user);
    await user.selectOptions(within(dialog).getByLabelText('What happened'), 'Stolen');
    expect(within(dialog).getByLabelText('What happened')).toHaveAccessibleDescription(STOLEN_EFFECT);
    await user.type(within(dialog).getByLabelText('Comment'), 'Cardholder called: wallet stolen');
    await user.click(within(dialog).getByRole('button', { name: 'Continue' }));

    const summary = within(dialog).getByText(/You are about to report card card-0001 stolen\./);
    expect(summary).toHaveFocus();
    expect(summary).toHaveTextContent(STOLEN_EFFECT);
    expect(dialog).toHaveTextContent('Comment: Cardholder called: wallet stolen');

    // the first report is lost on the way; the retry carries the same key
    platform.failNext.push('network');
    await user.click(within(dialog).getByRole('button', { name: 'Report card card-0001 stolen' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent('could not be reached');
    await user.click(within(dialog).getByRole('button', { name: 'Report card card-0001 stolen' }));

    const status = await within(dialog).findByRole('status');
    const posts = platform.requestsTo('/admin-api/v1/cards/card-0001/events');
    expect(posts).toHaveLength(2);
    expect(posts.map((p) => p.method)).toEqual(['POST', 'POST']);
    const key = posts[0]!.headers['idempotency-key'];
    expect(key).toMatch(/^[0-9a-f-]{36}$/);
    expect(posts[1]!.headers['idempotency-key']).toBe(key);
    expect(posts[1]!.headers['content-type']).toBe('application/json');
    expect(posts[1]!.body).toEqual({ type: 'STOLEN', comment: 'Cardholder called: wallet stolen' });

    const jobId = [...platform.jobs.keys()][0]!;
    expect(platform.jobs.get(jobId)!.action).toBe('delete');
    await waitFor(() => expect(status).toHaveTextContent(`Job ${jobId}: 1 succeeded, 0 failed of 2.`));
    expect(status).toHaveFocus();
    expect(dialog).toHaveTextContent('The job goes on if you close this window.');
    await waitFor(() => expect(status).toHaveTextContent(`Job ${jobId}: 2 succeeded, 0 failed of 2. Done.`), { timeout: 3000 });
    expect(platform.requestsTo(`/admin-api/v1/jobs/${jobId}`)).toHaveLength(2);
    expect(rowsOf(within(dialog).getByRole('table', { name: 'Job items' }))).toEqual([
      { Token: REF1, Outcome: 'Succeeded', Network: 'Confirmed' },
      { Token: 'tok_00000002', Outcome: 'Succeeded', Network: 'Confirmed' },
    ]);

    await user.click(within(dialog).getByRole('button', { name: 'Close' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    await waitFor(() => expect(detail('Status')).toBe('DEACTIVATED'));
    expect(screen.getByRole('status')).toHaveTextContent(`Job ${jobId}: 2 succeeded, 0 failed of 2. Done.`);
    expect(opener).toHaveFocus();

    // a new report is a new key
    const again = await openReport(user);
    await user.selectOptions(within(again).getByLabelText('What happened'), 'Closed');
    await user.click(within(again).getByRole('button', { name: 'Continue' }));
    await user.click(within(again).getByRole('button', { name: 'Report card card-0001 closed' }));
    await within(again).findByRole('status');
    const third = platform.requestsTo('/admin-api/v1/cards/card-0001/events')[2]!;
    expect(third.body).toEqual({ type: 'CLOSED' });
    expect(third.headers['idempotency-key']).not.toBe(key);
  }, 10_000);

  it.each([
    [403, 'a refusal'],
    [422, 'an invalid request'],
  ])('shows %i (%s) as an alert, and starts no job', async (status) => {
    const user = await openToken('supervisor@bank.test');
    const dialog = await openReport(user);
    await user.selectOptions(within(dialog).getByLabelText('What happened'), 'Lost');
    await user.click(within(dialog).getByRole('button', { name: 'Continue' }));
    platform.failNext.push(status);
    await user.click(within(dialog).getByRole('button', { name: 'Report card card-0001 lost' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent('Injected failure');
    expect(within(dialog).queryByRole('status')).toBeNull();
    expect(within(dialog).getByRole('button', { name: 'Report card card-0001 lost' })).toBeEnabled();
    expect(platform.requestsTo('/admin-api/v1/cards/card-0001/events')).toHaveLength(1);
    expect(platform.requests.some((r) => r.url.includes('/jobs/'))).toBe(false);
    expect(platform.jobs.size).toBe(0);
  });
});
