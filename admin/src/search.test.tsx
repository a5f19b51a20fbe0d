import { screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { FakePlatform, SAMPLE_PHONE, sampleToken } from './test/fakePlatform';
import { rowsOf, signIn, start } from './test/ui';
import type { User } from './test/ui';

let platform: FakePlatform;

beforeEach(() => {
  platform = new FakePlatform();
  vi.stubGlobal('fetch', platform.fetch);
  window.history.replaceState(null, '', '/admin/');
});

const SEARCH = '/admin-api/v1/tokens/search';

async function searchBy(user: User, by: string) {
  await user.selectOptions(await screen.findByLabelText('Search by'), by);
}

async function setDay(user: User, label: string, day: string) {
  const input = screen.getByLabelText(label);
  await user.clear(input);
  if (day) await user.type(input, day);
}

/** No URL the panel asked for or went to, no history state and no storage carries any of these. */
function expectNowhereButTheBody(...values: string[]) {
  const urls = [...platform.requests.map((r) => decodeURIComponent(r.url)), decodeURIComponent(window.location.href)];
  const kept = [JSON.stringify(window.history.state), JSON.stringify({ ...window.sessionStorage }), JSON.stringify({ ...window.localStorage })];
  for (const value of values) {
    for (const url of urls) expect(url).not.toContain(value);
    for (const store of kept) expect(store).not.toContain(value);
  }
}

describe('search by last 4 and expiry', () => {
  it('sends exactly last4 and expiry, in the body only', async () => {
    // GIVEN a viewer on the search page
    const user = start();
    await signIn(user, 'viewer@bank.test');
    // WHEN they search by the card's last 4 and expiry
    await searchBy(user, 'Last 4 and expiry');
    expect(screen.queryByLabelText('Value')).toBeNull();
    const last4 = screen.getByLabelText('Last 4');
    expect(last4).toHaveAttribute('autocomplete', 'off');
    await user.type(last4, '4444');
    await user.type(screen.getByLabelText('Expiry (MM/YY)'), '12 / 29');
    await user.click(screen.getByRole('button', { name: 'Search' }));
    const table = await screen.findByRole('table', { name: 'Tokens' });
    // THEN the body has those two fields and nothing else
    const request = platform.requestsTo(SEARCH)[0]!;
    expect(request.method).toBe('POST');
    expect(request.url).toBe(SEARCH);
    expect(request.body).toEqual({ last4: '4444', expiry: '12/29' });
    // AND the card's token is listed
    expect(rowsOf(table)[0]).toMatchObject({ Card: '•••• 4444', 'Card ID': 'card-0001', Wallet: 'Google Pay' });
    // AND neither value is in any URL, history state or storage
    expectNowhereButTheBody('12/29', '"4444"', 'last4');
  });

  it('refuses a whole card number as the last 4, and a malformed expiry', async () => {
    // GIVEN a viewer searching by last 4 and expiry
    const user = start();
    await signIn(user, 'viewer@bank.test');
    await searchBy(user, 'Last 4 and expiry');
    // WHEN they type the whole card number
    await user.type(screen.getByLabelText('Last 4'), '5555 5555 5555 4444');
    await user.type(screen.getByLabelText('Expiry (MM/YY)'), '12/29');
    await user.click(screen.getByRole('button', { name: 'Search' }));
    // THEN they are told to type the last 4 only, on the field, and nothing is sent
    expect(await screen.findByRole('alert')).toHaveTextContent('Enter only the last 4 digits of the card');
    expect(screen.getByLabelText('Last 4')).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByLabelText('Last 4')).toHaveFocus();
    // WHEN the last 4 is right but the expiry is not a month
    await user.clear(screen.getByLabelText('Last 4'));
    await user.type(screen.getByLabelText('Last 4'), '4444');
    await user.clear(screen.getByLabelText('Expiry (MM/YY)'));
    await user.type(screen.getByLabelText('Expiry (MM/YY)'), '13/29');
    await user.click(screen.getByRole('button', { name: 'Search' }));
    // THEN the expiry is the field in error
    expect(await screen.findByRole('alert')).toHaveTextContent('MM/YY');
    expect(screen.getByLabelText('Expiry (MM/YY)')).toHaveFocus();
    expect(platform.requestsTo(SEARCH)).toHaveLength(0);
  });
});

describe('search by phone number', () => {
  it('wants the country code, and sends the number as E.164', async () => {
    // GIVEN a viewer searching by phone number
    const user = start();
    await signIn(user, 'viewer@bank.test');
    await searchBy(user, 'Phone number');
    const phone = screen.getByLabelText('Phone number');
    expect(phone).toHaveAccessibleDescription('With the country code, for example +44 7700 900123.');
    // WHEN the number has no country code
    await user.type(phone, '07700 900123');
    await user.click(screen.getByRole('button', { name: 'Search' }));
    // THEN it is refused before anything is sent
    expect(await screen.findByRole('alert')).toHaveTextContent('starting with +');
    expect(phone).toHaveAttribute('aria-invalid', 'true');
    expect(phone).toHaveFocus();
    // WHEN it is too short
    await user.clear(phone);
    await user.type(phone, '+44 12');
    await user.click(screen.getByRole('button', { name: 'Search' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('7 to 15 digits');
    // WHEN it has letters
    await user.clear(phone);
    await user.type(phone, '+44 7700 CALL ME');
    await user.click(screen.getByRole('button', { name: 'Search' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('only digits, spaces, dots, dashes and parentheses');
    expect(platform.requestsTo(SEARCH)).toHaveLength(0);
    // WHEN it is written with spaces, parentheses and a dash
    await user.clear(phone);
    await user.type(phone, '+44 (7700) 900-123');
    await user.click(screen.getByRole('button', { name: 'Search' }));
    await screen.findByRole('table', { name: 'Tokens' });
    // THEN the body carries it as E.164, and no URL does
    expect(platform.requestsTo(SEARCH)[0]!.body).toEqual({ phoneNumber: SAMPLE_PHONE });
    expect(screen.queryByRole('alert')).toBeNull();
    expectNowhereButTheBody('7700', '900123');
  });
});

describe('search by creation days', () => {
  it('checks the days: a first day, not after the last, at most 31 days', async () => {
    // GIVEN a viewer listing the tokens created in a range of days
    const user = start();
    await signIn(user, 'viewer@bank.test');
    await searchBy(user, 'Date created only');
    expect(screen.queryByLabelText('Value')).toBeNull();
    expect(screen.getByLabelText('Created from')).toBeRequired();
    // WHEN no first day is given
    await user.click(screen.getByRole('button', { name: 'Search' }));
    // THEN it is asked for
    expect(await screen.findByRole('alert')).toHaveTextContent('Enter “Created from”');
    expect(screen.getByLabelText('Created from')).toHaveFocus();
    // WHEN the last day is before the first
    await setDay(user, 'Created from', '2026-03-05');
    await setDay(user, 'Created to', '2026-03-01');
    await user.click(screen.getByRole('button', { name: 'Search' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('“Created to” must not be before “Created from”.');
    expect(screen.getByLabelText('Created to')).toHaveAttribute('aria-invalid', 'true');
    // WHEN the range is 32 days
    await setDay(user, 'Created from', '2026-03-01');
    await setDay(user, 'Created to', '2026-04-01');
    await user.click(screen.getByRole('button', { name: 'Search' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Choose at most 31 days');
    expect(platform.requestsTo(SEARCH)).toHaveLength(0);
    // WHEN it is 31 days
    await setDay(user, 'Created to', '2026-03-31');
    await user.click(screen.getByRole('button', { name: 'Search' }));
    await screen.findByRole('table', { name: 'Tokens' });
    // THEN the days are sent, without a key
    expect(platform.requestsTo(SEARCH)[0]!.body).toEqual({ from: '2026-03-01', to: '2026-03-31' });
  });

  it('narrows by status, network, wallet and token requestor, and pages with the cursor', async () => {
    // GIVEN two Google Pay tokens of one requestor created on 1 March, and one Apple Pay token
    platform.tokens = [
      sampleToken(),
      sampleToken({ tokenId: 'tok_00000002', tokenReference: 'REF2' }),
      sampleToken({ tokenId: 'tok_00000003', tokenReference: 'REF3', wallet: 'APPLE_PAY', walletId: undefined }),
    ];
    platform.pageSize = 1;
    const user = start();
    await signIn(user, 'viewer@bank.test');
    await searchBy(user, 'Date created only');
    await setDay(user, 'Created from', '2026-03-01');
    // WHEN the token requestor id is not 11 digits
    await user.type(screen.getByLabelText('Token requestor id'), '5011');
    await user.click(screen.getByRole('button', { name: 'Search' }));
    // THEN it is refused
    expect(await screen.findByRole('alert')).toHaveTextContent('A token requestor id has 11 digits.');
    expect(screen.getByLabelText('Token requestor id')).toHaveFocus();
    // WHEN every filter is given rightly
    await user.clear(screen.getByLabelText('Token requestor id'));
    await user.type(screen.getByLabelText('Token requestor id'), '50110030273');
    const wallet = screen.getByLabelText('Wallet');
    expect(within(wallet).getAllByRole('option').map((o) => o.textContent)).toEqual([
      'Any', 'Apple Pay', 'Google Pay', 'Samsung Pay', 'Other',
    ]);
    await user.selectOptions(wallet, 'Google Pay');
    await user.selectOptions(screen.getByLabelText('Network'), 'MASTERCARD');
    await user.selectOptions(screen.getByLabelText('Status'), 'ACTIVE');
    await user.click(screen.getByRole('button', { name: 'Search' }));
    await screen.findByRole('table', { name: 'Tokens' });
    // THEN the body has them all
    const body = { from: '2026-03-01', status: 'ACTIVE', network: 'MASTERCARD', wallet: 'GOOGLE_PAY', tokenRequestorId: '50110030273' };
    expect(platform.requestsTo(SEARCH)[0]!.body).toEqual(body);
    // AND the next page asks again with the same criteria and the cursor
    await user.click(screen.getByRole('button', { name: 'Next page' }));
    await screen.findByRole('link', { name: 'REF2' });
    expect(platform.requestsTo(SEARCH).at(-1)!.body).toEqual({ ...body, cursor: 'c1' });
    expect(platform.requestsTo(SEARCH).every((r) => r.url === SEARCH)).toBe(true);
  });

  it('narrows a key search by days too', async () => {
    // GIVEN a viewer searching a card
    const user = start();
    await signIn(user, 'viewer@bank.test');
    await user.type(await screen.findByLabelText('Value'), 'card-0001');
    // WHEN they also give the last day only
    await setDay(user, 'Created to', '2026-02-28');
    await user.click(screen.getByRole('button', { name: 'Search' }));
    // THEN the key and that day are sent, and the card's token created later is not listed
    await waitFor(() => expect(screen.getByRole('status')).toHaveTextContent('No tokens found.'));
    expect(platform.requestsTo(SEARCH)[0]!.body).toEqual({ cardId: 'card-0001', to: '2026-02-28' });
  });
});
