import { screen, within } from '@testing-library/react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { FakePlatform, sampleToken, sampleTransaction } from './test/fakePlatform';
import { headersOf, rowsOf, signIn, start } from './test/ui';

let platform: FakePlatform;

beforeEach(() => {
  platform = new FakePlatform();
  vi.stubGlobal('fetch', platform.fetch);
  window.history.replaceState(null, '', '/admin/');
});

async function openToken(tokenId = 'tok_00000001') {
  const user = start(`/admin/tokens/${tokenId}`);
  await signIn(user, 'viewer@bank.test');
  await screen.findByRole('heading', { level: 2, name: 'Deliveries' });
  return user;
}

describe('token page: deliveries', () => {
  it('lists what was sent about the token, newest first, in a table', async () => {
    // GIVEN a token with an activation code sent by SMS and a failed event to the issuer
    platform.tokens[0]!.deliveries = [
      { kind: 'ISSUER_EVENT', channel: 'WEBHOOK', at: '2026-03-01T10:06:00Z', result: 'FAILED', eventType: 'TOKEN_ACTIVATED' },
      { kind: 'ACTIVATION_CODE', channel: 'SMS', at: '2026-03-01T10:01:00Z', result: 'DELIVERED' },
    ];
    // WHEN a viewer opens it
    await openToken();
    // THEN the deliveries are a table with header cells, in the order the service gave
    const table = screen.getByRole('table', { name: 'Deliveries' });
    expect(headersOf(table)).toEqual(['Time', 'What', 'Channel', 'Result', 'About']);
    expect(rowsOf(table)).toEqual([
      { Time: '2026-03-01 10:06:00 UTC', What: 'Event to the issuer', Channel: 'Webhook', Result: 'Failed', About: 'Token activated' },
      { Time: '2026-03-01 10:01:00 UTC', What: 'Activation code', Channel: 'SMS', Result: 'Delivered', About: '—' },
    ]);
    const section = screen.getByRole('region', { name: 'Deliveries' });
    expect(within(section).getAllByRole('columnheader')[0]).toHaveAttribute('scope', 'col');
  });

  it('says so when nothing was sent', async () => {
    // GIVEN a token without deliveries (the field absent)
    delete platform.tokens[0]!.deliveries;
    // WHEN it is opened
    await openToken();
    // THEN the section says nothing was sent, without a table
    expect(within(screen.getByRole('region', { name: 'Deliveries' })).getByText('Nothing was sent about this token.')).toBeInTheDocument();
    expect(screen.queryByRole('table', { name: 'Deliveries' })).toBeNull();
  });
});

describe('token page: transactions', () => {
  it('are asked for only on demand, and listed in a table', async () => {
    // GIVEN a Mastercard token whose network reports three transactions (the list carries no identifier):
    // one with every field, a refund with an unparsable time and no merchant name, and one with nothing
    platform.transactions.set('tok_00000001', {
      offered: true,
      transactions: [
        sampleTransaction(),
        sampleTransaction({
          timestamp: 'yesterday',
          transactionType: 'REFUND',
          status: 'CLEARED',
          amount: '-3.00',
          currencyCode: 'GBP',
          merchantName: undefined,
          posEntryMode: undefined,
        }),
        {},
      ],
    });
    const user = await openToken();
    // THEN nothing was asked yet
    const path = '/admin-api/v1/tokens/tok_00000001/transactions';
    expect(platform.requestsTo(path)).toHaveLength(0);
    expect(screen.queryByRole('table', { name: 'Transactions' })).toBeNull();
    // WHEN the agent asks for them
    await user.click(screen.getByRole('button', { name: 'Show transactions' }));
    // THEN they are a table
    const table = await screen.findByRole('table', { name: 'Transactions' });
    expect(headersOf(table)).toEqual(['Time', 'Type', 'Status', 'Amount', 'Merchant', 'Entry mode']);
    expect(rowsOf(table)).toEqual([
      { Time: '2026-03-01 12:00:00 UTC', Type: 'Purchase', Status: 'Authorized', Amount: '12.50 EUR', Merchant: 'Corner Shop (Grocery Stores)', 'Entry mode': 'Contactless' },
      { Time: 'yesterday', Type: 'Refund', Status: 'Cleared', Amount: '-3.00 GBP', Merchant: 'Grocery Stores', 'Entry mode': '—' },
      { Time: '—', Type: '—', Status: '—', Amount: '—', Merchant: '—', 'Entry mode': '—' },
    ]);
    // AND the merchant's category is muted beside its name
    expect(within(table).getByText('(Grocery Stores)', { exact: false })).toHaveClass('muted');
    expect(within(table).getAllByRole('columnheader')[0]).toHaveAttribute('scope', 'col');
    // AND the call was a GET with the bearer token
    const [request] = platform.requestsTo(path);
    expect(request!.method).toBe('GET');
    expect(request!.headers.authorization).toMatch(/^Bearer token-/);
  });

  it('says when the network offers no transaction list', async () => {
    // GIVEN a Visa token (Visa offers no transaction list)
    platform.tokens = [sampleToken({ network: 'VISA' })];
    const user = await openToken();
    // WHEN the agent asks for its transactions
    await user.click(screen.getByRole('button', { name: 'Show transactions' }));
    // THEN they are told the network does not offer one, and no table is shown
    expect(await screen.findByText('The network does not offer a transaction list for this token.')).toBeInTheDocument();
    expect(screen.queryByRole('table', { name: 'Transactions' })).toBeNull();
  });

  it('shows the problem, and may be asked again', async () => {
    // GIVEN the service fails once
    const user = await openToken();
    platform.failNext.push(503);
    // WHEN the agent asks for the transactions
    await user.click(screen.getByRole('button', { name: 'Show transactions' }));
    // THEN the problem is shown
    expect(await screen.findByRole('alert')).toHaveTextContent('Injected failure');
    // WHEN they ask again
    await user.click(screen.getByRole('button', { name: 'Show transactions again' }));
    // THEN the (empty) list is shown
    expect(await screen.findByText('The network reports no transaction for this token.')).toBeInTheDocument();
    expect(screen.queryByRole('alert')).toBeNull();
  });
});
