import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { App } from './App';
import { SIGN_IN_FAILED } from './pages/SignInPage';
import { FakePlatform, sampleToken } from './test/fakePlatform';

let platform: FakePlatform;

beforeEach(() => {
  platform = new FakePlatform();
  vi.stubGlobal('fetch', platform.fetch);
  window.history.replaceState(null, '', '/admin/');
});

function start(path = '/admin/') {
  window.history.replaceState(null, '', path);
  const user = userEvent.setup();
  render(<App config={{ mode: 'local' }} />);
  return user;
}

async function signIn(user: ReturnType<typeof userEvent.setup>, email: string) {
  await user.type(await screen.findByLabelText('Email'), email);
  await user.type(screen.getByLabelText('Password'), 'local-password');
  await user.click(screen.getByRole('button', { name: 'Sign in' }));
  await screen.findByRole('button', { name: 'Sign out' });
}

async function searchCard(user: ReturnType<typeof userEvent.setup>, card = 'card-0001') {
  await user.selectOptions(await screen.findByLabelText('Search by'), 'Card ID');
  await user.type(screen.getByLabelText('Value'), card);
  await user.click(screen.getByRole('button', { name: 'Search' }));
  return screen.findByRole('table', { name: 'Tokens' });
}

function rowsOf(table: HTMLElement): Record<string, string>[] {
  const headers = within(table).getAllByRole('columnheader').map((th) => th.textContent ?? '');
  return within(table)
    .getAllByRole('row')
    .slice(1)
    .map((row) => {
      const cells = within(row).getAllByRole('cell').map((td) => td.textContent ?? '');
      return Object.fromEntries(headers.map((h, i) => [h, cells[i] ?? '']));
    });
}

describe('sign-in', () => {
  it('says so when the password is wrong', async () => {
    const user = start();
    await user.type(await screen.findByLabelText('Email'), 'agent@bank.test');
    await user.type(screen.getByLabelText('Password'), 'wrong');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(SIGN_IN_FAILED);
  });

  it('shows the agent, their roles and what they may open', async () => {
    const user = start();
    await signIn(user, 'agent@bank.test');
    const header = screen.getByRole('banner');
    expect(header).toHaveTextContent('agent@bank.test');
    expect(header).toHaveTextContent('Roles: agent');
    expect(screen.getByRole('link', { name: 'Search' })).toBeInTheDocument();
    expect(screen.queryByRole('link', { name: 'Audit log' })).toBeNull();
    expect(screen.getByRole('heading', { level: 1, name: 'Search tokens' })).toHaveFocus();
    const me = platform.requestsTo('/admin-api/v1/me')[0]!;
    expect(me.headers.authorization).toMatch(/^Bearer token-/);
  });

  it('keeps the session in sessionStorage only, and forgets it on sign-out', async () => {
    const user = start();
    await signIn(user, 'agent@bank.test');
    expect(window.sessionStorage.getItem('tmp-admin.session')).toContain('token-');
    expect(window.localStorage.length).toBe(0);
    await user.click(screen.getByRole('button', { name: 'Sign out' }));
    expect(await screen.findByLabelText('Email')).toBeInTheDocument();
    expect(window.sessionStorage.getItem('tmp-admin.session')).toBeNull();
  });

  it('goes back to sign-in on a 401', async () => {
    const user = start();
    await signIn(user, 'agent@bank.test');
    platform.failNext.push(401);
    await searchCard(user).catch(() => undefined);
    expect(await screen.findByLabelText('Email')).toBeInTheDocument();
    expect(screen.getByRole('status')).toHaveTextContent('Your session has ended');
  });
});

describe('search', () => {
  it('lists the tokens of a card', async () => {
    const user = start();
    await signIn(user, 'viewer@bank.test');
    const table = await searchCard(user);
    expect(platform.requestsTo('/admin-api/v1/tokens/search')[0]!.body).toEqual({ cardId: 'card-0001' });
    expect(within(table).getAllByRole('columnheader').map((th) => th.textContent)).toEqual([
      'Token reference', 'Network', 'Status', 'Wallet', 'Device', 'Card ID', 'Card', 'Created',
    ]);
    expect(rowsOf(table)[0]).toMatchObject({ Status: 'ACTIVE', Card: '•••• 4444', 'Card ID': 'card-0001' });
    const link = within(table).getByRole('link', { name: sampleToken().tokenReference });
    expect(link).toHaveAttribute('href', '/admin/tokens/tok_00000001');
  });

  it('sends a PAN in the body only, never in the URL', async () => {
    const user = start();
    await signIn(user, 'viewer@bank.test');
    await user.selectOptions(screen.getByLabelText('Search by'), 'PAN');
    const value = screen.getByLabelText('Value');
    expect(value).toHaveAttribute('autocomplete', 'off');
    await user.type(value, '5555 5555 5555 4444');
    await user.selectOptions(screen.getByLabelText('Status'), 'ACTIVE');
    await user.click(screen.getByRole('button', { name: 'Search' }));
    await screen.findByRole('table', { name: 'Tokens' });
    const request = platform.requestsTo('/admin-api/v1/tokens/search')[0]!;
    expect(request.url).toBe('/admin-api/v1/tokens/search');
    expect(request.body).toEqual({ pan: '5555555555554444', status: 'ACTIVE' });
    expect(window.location.href).not.toMatch(/\d{12}/);
    expect(JSON.stringify(window.history.state)).not.toContain('5555');
    expect(JSON.stringify({ ...window.sessionStorage })).not.toContain('5555');
  });

  it('says when nothing is found, and pages with the cursor', async () => {
    const user = start();
    await signIn(user, 'viewer@bank.test');
    await user.type(screen.getByLabelText('Value'), 'card-none');
    await user.click(screen.getByRole('button', { name: 'Search' }));
    await waitFor(() => expect(screen.getByRole('status')).toHaveTextContent('No tokens found.'));
    expect(screen.queryByRole('table')).toBeNull();

    platform.tokens = [sampleToken(), sampleToken({ tokenId: 'tok_00000002', tokenReference: 'REF2' })];
    platform.pageSize = 1;
    await user.clear(screen.getByLabelText('Value'));
    await searchCard(user);
    await user.click(screen.getByRole('button', { name: 'Next page' }));
    await screen.findByRole('link', { name: 'REF2' });
    expect(platform.requestsTo('/admin-api/v1/tokens/search').at(-1)!.body).toEqual({ cardId: 'card-0001', cursor: 'c1' });
  });

  it('keeps the results when coming back from a token', async () => {
    const user = start();
    await signIn(user, 'viewer@bank.test');
    const table = await searchCard(user);
    await user.click(within(table).getByRole('link'));
    await screen.findByRole('heading', { level: 1, name: `Token ${sampleToken().tokenReference}` });
    await user.click(screen.getByRole('link', { name: 'Search' }));
    expect(await screen.findByRole('table', { name: 'Tokens' })).toBeInTheDocument();
    expect(screen.getByLabelText('Value')).toHaveValue('card-0001');
  });
});

describe('token page', () => {
  it('shows the token, its history and why it was decided', async () => {
    const user = start('/admin/tokens/tok_00000001');
    platform.tokens[0]!.pendingNetworkAction = { action: 'SUSPEND', requestedAt: '2026-03-02T08:00:00Z' };
    await signIn(user, 'viewer@bank.test');
    const heading = await screen.findByRole('heading', { level: 1, name: `Token ${sampleToken().tokenReference}` });
    expect(heading).toHaveFocus();
    expect(screen.getByText(/Pending at the network: SUSPEND since/)).toHaveTextContent('2026-03-02 08:00:00 UTC');
    expect(screen.getByText('Pixel 9 · PHONE · Android')).toBeInTheDocument();
    expect(screen.getByText('•••• 4444')).toBeInTheDocument();
    const history = rowsOf(screen.getByRole('table', { name: 'History' }));
    expect(history.map((r) => r.Status)).toEqual(['INACTIVE', 'ACTIVE']);
    expect(screen.getByText('Approved: every check passed.')).toBeInTheDocument();
    const steps = within(screen.getByRole('region', { name: 'Why it was decided' })).getAllByRole('listitem');
    expect(steps[0]).toHaveTextContent('Card status');
    expect(steps[0]).toHaveTextContent('Pass');
    expect(screen.getByText('The card is open.')).toBeInTheDocument();
    // a viewer gets no buttons
    for (const name of ['Activate', 'Suspend', 'Unsuspend', 'Delete']) {
      expect(screen.queryByRole('button', { name })).toBeNull();
    }
  });

  it('suspends with a reason, a confirmation and one idempotency key', async () => {
    const user = start('/admin/tokens/tok_00000001');
    await signIn(user, 'agent@bank.test');
    const opener = await screen.findByRole('button', { name: 'Suspend' });
    await user.click(opener);
    const dialog = screen.getByRole('dialog', { name: 'Suspend token' });
    const reason = within(dialog).getByLabelText('Reason');
    expect(reason).toHaveFocus();
    expect(within(reason).getAllByRole('option').map((o) => o.textContent)).toEqual([
      'Choose a reason', 'Suspected fraud', 'Device lost', 'Device stolen', 'Cardholder request', 'Issuer decision', 'Other',
    ]);

    // Other needs a comment
    await user.selectOptions(reason, 'Other');
    await user.click(within(dialog).getByRole('button', { name: 'Continue' }));
    expect(within(dialog).getByRole('alert')).toHaveTextContent('comment');

    await user.selectOptions(reason, 'Device lost');
    await user.type(within(dialog).getByLabelText('Comment'), 'Cardholder called: phone lost');
    await user.click(within(dialog).getByRole('button', { name: 'Continue' }));
    expect(dialog).toHaveTextContent(
      `You are about to suspend token ${sampleToken().tokenReference} (reason: Device lost). The network will be asked to apply it.`,
    );

    // the first attempt is lost on the way; the retry carries the same key
    platform.failNext.push('network');
    await user.click(within(dialog).getByRole('button', { name: 'Confirm' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent('could not be reached');
    await user.click(within(dialog).getByRole('button', { name: 'Confirm' }));

    expect(await screen.findByRole('status')).toHaveTextContent('Suspended: confirmed by the network.');
    expect(screen.queryByRole('dialog')).toBeNull();
    const posts = platform.requestsTo('/admin-api/v1/tokens/tok_00000001/suspend');
    expect(posts).toHaveLength(2);
    const key = posts[0]!.headers['idempotency-key'];
    expect(key).toMatch(/^[0-9a-f-]{36}$/);
    expect(posts[1]!.headers['idempotency-key']).toBe(key);
    expect(posts[1]!.body).toEqual({ reasonCode: 'DEVICE_LOST', comment: 'Cardholder called: phone lost' });

    const last = rowsOf(screen.getByRole('table', { name: 'History' })).at(-1)!;
    expect(last).toMatchObject({ Status: 'SUSPENDED', Operator: 'agent@bank.test', Reason: 'Device lost' });
    expect(screen.getByRole('button', { name: 'Unsuspend' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Suspend' })).toBeNull();
    expect(screen.getByRole('status')).toHaveFocus();
  });

  it('says when the network has not confirmed yet, and a new change gets a new key', async () => {
    platform.networkStatus = 'PENDING';
    platform.tokens[0]!.allowedActions = ['suspend', 'delete'];
    const user = start('/admin/tokens/tok_00000001');
    await signIn(user, 'agent@bank.test');
    // an agent may not delete: the button is not shown even though the token allows it
    await screen.findByRole('button', { name: 'Suspend' });
    expect(screen.queryByRole('button', { name: 'Delete' })).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Suspend' }));
    const dialog = screen.getByRole('dialog', { name: 'Suspend token' });
    await user.selectOptions(within(dialog).getByLabelText('Reason'), 'Suspected fraud');
    await user.click(within(dialog).getByRole('button', { name: 'Continue' }));
    await user.click(within(dialog).getByRole('button', { name: 'Confirm' }));
    expect(await screen.findByRole('status')).toHaveTextContent('Sent: the network has not confirmed yet.');
    expect(platform.requestsTo('/admin-api/v1/tokens/tok_00000001/suspend')[0]!.body).toEqual({ reasonCode: 'SUSPECTED_FRAUD' });
  });

  it('closes the dialog on Escape and gives focus back', async () => {
    const user = start('/admin/tokens/tok_00000001');
    await signIn(user, 'agent@bank.test');
    const opener = await screen.findByRole('button', { name: 'Suspend' });
    await user.click(opener);
    const dialog = screen.getByRole('dialog', { name: 'Suspend token' });
    dialog.dispatchEvent(new Event('cancel', { cancelable: true }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(opener).toHaveFocus();
    expect(platform.requestsTo('/admin-api/v1/tokens/tok_00000001/suspend')).toHaveLength(0);
  });

  it('shows the problem detail', async () => {
    const user = start('/admin/tokens/tok_missing1');
    await signIn(user, 'agent@bank.test');
    expect(await screen.findByRole('alert')).toHaveTextContent('No such token');
  });
});

describe('audit log', () => {
  it('is for supervisors: entries of the chosen days', async () => {
    platform.audit.push(
      { auditId: 'audit-aaaaaaaa', at: '2026-03-02T09:00:00Z', actor: 'agent@bank.test', action: 'SUSPEND_TOKEN', target: 'token DWSPMC…', sourceIp: '127.0.0.1', result: 'SUCCEEDED', status: 200 },
      { auditId: 'audit-bbbbbbbb', at: '2026-03-02T09:01:00Z', actor: 'viewer@bank.test', action: 'SUSPEND_TOKEN', target: 'token DWSPMC…', sourceIp: '127.0.0.1', result: 'REFUSED', status: 403 },
    );
    const user = start();
    await signIn(user, 'supervisor@bank.test');
    await user.click(screen.getByRole('link', { name: 'Audit log' }));
    const table = await screen.findByRole('table', { name: 'Audit log' });
    const today = new Date().toISOString().slice(0, 10);
    expect(platform.requestsTo('/admin-api/v1/audit')[0]!.url).toBe(`/admin-api/v1/audit?from=${today}&to=${today}`);
    expect(within(table).getAllByRole('columnheader').map((th) => th.textContent)).toEqual([
      'Time', 'Agent', 'Action', 'Target', 'Result', 'Source IP',
    ]);
    expect(rowsOf(table)).toEqual([
      expect.objectContaining({ Agent: 'agent@bank.test', Action: 'SUSPEND_TOKEN', Result: 'SUCCEEDED' }),
      expect.objectContaining({ Agent: 'viewer@bank.test', Action: 'SUSPEND_TOKEN', Result: 'REFUSED' }),
    ]);

    expect(screen.getByLabelText('From')).toHaveValue(today);
    expect(screen.getByLabelText('To')).toHaveValue(today);
    await user.type(screen.getByLabelText('Agent e-mail'), 'viewer@bank.test');
    await user.click(screen.getByRole('button', { name: 'Show' }));
    await waitFor(() => expect(rowsOf(screen.getByRole('table', { name: 'Audit log' }))).toHaveLength(1));
    expect(platform.requestsTo('/admin-api/v1/audit').at(-1)!.url).toContain('actor=viewer%40bank.test');
  });

  it('is not offered to an agent', async () => {
    const user = start('/admin/audit');
    await signIn(user, 'agent@bank.test');
    expect(await screen.findByRole('heading', { level: 1, name: 'Not allowed' })).toBeInTheDocument();
    expect(platform.requestsTo('/admin-api/v1/audit')).toHaveLength(0);
  });
});

describe('profile', () => {
  it('sends the agent back to sign-in, able to try again, when /me fails', async () => {
    const user = start();
    await user.type(await screen.findByLabelText('Email'), 'agent@bank.test');
    await user.type(screen.getByLabelText('Password'), 'local-password');
    const realFetch = platform.fetch;
    let calls = 0;
    vi.stubGlobal('fetch', (input: RequestInfo | URL, init?: RequestInit) => {
      calls += 1;
      // sign-in answers, then /me (the second call) fails with 503
      if (calls === 2) platform.failNext.push(503);
      return realFetch(input, init);
    });
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('You are not signed in: Injected failure');
    expect(screen.getByRole('button', { name: 'Sign in' })).toBeEnabled();
  });
});
