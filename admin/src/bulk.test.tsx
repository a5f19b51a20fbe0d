import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { App } from './App';
import { FakePlatform, sampleToken } from './test/fakePlatform';

let platform: FakePlatform;

const DEVICE = 'dev-pixel-0001';
const REF1 = sampleToken().tokenReference;
const REF2 = 'DWSPMC0000000002aaaa';
const REF3 = 'DWSPMC0000000003bbbb';

beforeEach(() => {
  platform = new FakePlatform();
  // Three tokens on one device (and one card): active, suspended, deleted.
  platform.tokens = [
    sampleToken({ bulkActions: ['suspend', 'unsuspend', 'delete'] }),
    sampleToken({ tokenId: 'tok_00000002', tokenReference: REF2, network: 'VISA', status: 'SUSPENDED', suspendedBy: ['ISSUER'], bulkActions: ['suspend', 'unsuspend', 'delete'] }),
    sampleToken({ tokenId: 'tok_00000003', tokenReference: REF3, status: 'DEACTIVATED', bulkActions: ['suspend', 'unsuspend', 'delete'] }),
  ];
  vi.stubGlobal('fetch', platform.fetch);
  window.history.replaceState(null, '', '/admin/');
});

async function openToken(email: string, tokenId = 'tok_00000001') {
  window.history.replaceState(null, '', `/admin/tokens/${tokenId}`);
  const user = userEvent.setup();
  render(<App config={{ mode: 'local' }} />);
  await user.type(await screen.findByLabelText('Email'), email);
  await user.type(screen.getByLabelText('Password'), 'local-password');
  await user.click(screen.getByRole('button', { name: 'Sign in' }));
  await screen.findByRole('heading', { level: 2, name: 'Actions' });
  return user;
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

function detail(term: string): string {
  const dt = screen.getAllByRole('term').find((el) => el.textContent === term);
  return dt?.nextElementSibling?.textContent ?? '';
}

async function openBulk(user: ReturnType<typeof userEvent.setup>, button: string, dialogName: string) {
  await user.click(screen.getByRole('button', { name: button }));
  const dialog = screen.getByRole('dialog', { name: dialogName });
  await within(dialog).findByText(/of \d+ tokens will change\./);
  return dialog;
}

describe('bulk actions: the buttons', () => {
  it('offers one per bulkAction, for the device and for the card', async () => {
    platform.tokens[0]!.bulkActions = ['suspend', 'delete'];
    await openToken('supervisor@bank.test');
    expect(detail('Device ID')).toBe(DEVICE);
    const device = screen.getByRole('region', { name: 'Every token of this device' });
    expect(within(device).getAllByRole('button').map((b) => b.textContent)).toEqual([
      'Suspend all tokens of this device',
      'Delete all tokens of this device',
    ]);
    const card = screen.getByRole('region', { name: 'Every token of this card' });
    expect(within(card).getAllByRole('button').map((b) => b.textContent)).toEqual([
      'Suspend all tokens of this card',
      'Delete all tokens of this card',
    ]);
    expect(screen.queryByRole('button', { name: /^Unsuspend all/ })).toBeNull();
  });

  it('shows no device section without a deviceId, and nothing without bulkActions', async () => {
    delete platform.tokens[0]!.deviceId;
    platform.tokens[1]!.bulkActions = [];
    await openToken('supervisor@bank.test');
    expect(screen.queryByRole('region', { name: 'Every token of this device' })).toBeNull();
    expect(screen.getByRole('region', { name: 'Every token of this card' })).toBeInTheDocument();
    expect(detail('Device ID')).toBe('—');

    window.history.pushState(null, '', '/admin/tokens/tok_00000002');
    window.dispatchEvent(new PopStateEvent('popstate'));
    await screen.findByRole('heading', { level: 1, name: `Token ${REF2}` });
    expect(screen.queryByRole('region', { name: 'Every token of this card' })).toBeNull();
    expect(screen.queryByRole('region', { name: 'Every token of this device' })).toBeNull();
    expect(screen.queryByRole('button', { name: /all tokens of this/ })).toBeNull();
  });

  it('offers nothing to an agent (no tokens.bulk)', async () => {
    await openToken('agent@bank.test');
    expect(screen.getByRole('button', { name: 'Suspend' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /all tokens of this/ })).toBeNull();
  });
});

describe('bulk actions: the preview', () => {
  it('lists what will change and what will not, and the reasons the action allows', async () => {
    const user = await openToken('supervisor@bank.test');
    const dialog = await openBulk(user, 'Suspend all tokens of this device', `Suspend all tokens of device ${DEVICE}`);
    const preview = platform.requestsTo(`/admin-api/v1/devices/${DEVICE}/tokens/suspend/preview`);
    expect(preview).toHaveLength(1);
    expect(preview[0]!.method).toBe('GET');
    expect(dialog).toHaveTextContent('1 of 2 tokens will change.');
    const changing = within(dialog).getByRole('table', { name: 'Tokens that will change' });
    expect(within(changing).getAllByRole('columnheader').map((th) => th.textContent)).toEqual(['Token reference', 'Network', 'Status']);
    expect(rowsOf(changing)).toEqual([{ 'Token reference': REF1, Network: 'MASTERCARD', Status: 'ACTIVE' }]);
    const left = within(dialog).getByRole('table', { name: 'Tokens left as they are' });
    expect(rowsOf(left)).toEqual([{ 'Token reference': REF2, Network: 'VISA', Status: 'SUSPENDED' }]);
    // the deleted token is no longer live: not listed
    expect(dialog).not.toHaveTextContent(REF3);

    const reason = within(dialog).getByLabelText('Reason');
    expect(reason).toHaveFocus();
    expect(within(reason).getAllByRole('option').map((o) => o.textContent)).toEqual([
      'Choose a reason', 'Suspected fraud', 'Device lost', 'Device stolen', 'Cardholder request', 'Issuer decision', 'Other',
    ]);
    expect(within(dialog).getByLabelText('Comment').tagName).toBe('TEXTAREA');
    expect(within(dialog).getByRole('button', { name: 'Start' })).toBeEnabled();

    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(screen.getByRole('button', { name: 'Suspend all tokens of this device' })).toHaveFocus();
    expect(platform.requestsTo(`/admin-api/v1/devices/${DEVICE}/tokens/suspend`)).toHaveLength(0);
  });

  it('lists only a table of changes when every token changes, with the delete reasons', async () => {
    const user = await openToken('supervisor@bank.test');
    const dialog = await openBulk(user, 'Delete all tokens of this card', 'Delete all tokens of card card-0001');
    expect(platform.requestsTo('/admin-api/v1/cards/card-0001/tokens/delete/preview')).toHaveLength(1);
    expect(dialog).toHaveTextContent('2 of 2 tokens will change.');
    expect(rowsOf(within(dialog).getByRole('table', { name: 'Tokens that will change' })).map((r) => r['Token reference'])).toEqual([REF1, REF2]);
    expect(within(dialog).queryByRole('table', { name: 'Tokens left as they are' })).toBeNull();
    expect(within(within(dialog).getByLabelText('Reason')).getAllByRole('option').map((o) => o.textContent)).toEqual([
      'Choose a reason', 'Confirmed fraud', 'Device lost', 'Device stolen', 'Account closed', 'Cardholder request', 'Issuer decision', 'Other',
    ]);
  });

  it('cannot start when no token would change', async () => {
    platform.tokens[1]!.status = 'DEACTIVATED';
    const user = await openToken('supervisor@bank.test');
    const dialog = await openBulk(user, 'Unsuspend all tokens of this device', `Unsuspend all tokens of device ${DEVICE}`);
    expect(dialog).toHaveTextContent('0 of 1 tokens will change.');
    expect(within(dialog).queryByRole('table', { name: 'Tokens that will change' })).toBeNull();
    expect(rowsOf(within(dialog).getByRole('table', { name: 'Tokens left as they are' }))).toEqual([
      { 'Token reference': REF1, Network: 'MASTERCARD', Status: 'ACTIVE' },
    ]);
    expect(within(within(dialog).getByLabelText('Reason')).getAllByRole('option').map((o) => o.textContent)).toEqual([
      'Choose a reason', 'Fraud cleared', 'Device found', 'Cardholder request', 'Issuer decision', 'Other',
    ]);
    const start = within(dialog).getByRole('button', { name: 'Start' });
    expect(start).toBeDisabled();
    await user.selectOptions(within(dialog).getByLabelText('Reason'), 'Device found');
    expect(start).toBeDisabled();
  });

  it('shows a refusal (403) of the preview as an alert', async () => {
    const user = await openToken('supervisor@bank.test');
    platform.failNext.push(403);
    await user.click(screen.getByRole('button', { name: 'Delete all tokens of this device' }));
    const dialog = screen.getByRole('dialog', { name: `Delete all tokens of device ${DEVICE}` });
    expect(await within(dialog).findByRole('alert')).toHaveTextContent('Injected failure');
    expect(within(dialog).getByRole('button', { name: 'Start' })).toBeDisabled();
  });
});

describe('bulk actions: the job', () => {
  it('starts with the reason and one idempotency key, and follows the job to DONE', async () => {
    const user = await openToken('supervisor@bank.test');
    const dialog = await openBulk(user, 'Delete all tokens of this device', `Delete all tokens of device ${DEVICE}`);
    const start = within(dialog).getByRole('button', { name: 'Start' });

    // a reason first; Other needs a comment
    await user.click(start);
    expect(within(dialog).getByRole('alert')).toHaveTextContent('Choose a reason.');
    await user.selectOptions(within(dialog).getByLabelText('Reason'), 'Other');
    await user.click(start);
    expect(within(dialog).getByRole('alert')).toHaveTextContent('comment');
    expect(platform.requestsTo(`/admin-api/v1/devices/${DEVICE}/tokens/delete`)).toHaveLength(0);

    await user.selectOptions(within(dialog).getByLabelText('Reason'), 'Device stolen');
    await user.type(within(dialog).getByLabelText('Comment'), 'Phone stolen: every token deleted');

    // the first start is lost on the way; the retry carries the same key
    platform.failNext.push('network');
    await user.click(start);
    expect(await within(dialog).findByRole('alert')).toHaveTextContent('could not be reached');
    await user.click(within(dialog).getByRole('button', { name: 'Start' }));

    const status = await within(dialog).findByRole('status');
    const posts = platform.requestsTo(`/admin-api/v1/devices/${DEVICE}/tokens/delete`);
    expect(posts).toHaveLength(2);
    expect(posts.map((p) => p.method)).toEqual(['POST', 'POST']);
    const key = posts[0]!.headers['idempotency-key'];
    expect(key).toMatch(/^[0-9a-f-]{36}$/);
    expect(posts[1]!.headers['idempotency-key']).toBe(key);
    expect(posts[1]!.body).toEqual({ reasonCode: 'DEVICE_STOLEN', comment: 'Phone stolen: every token deleted' });

    const jobId = [...platform.jobs.keys()][0]!;
    await waitFor(() => expect(status).toHaveTextContent(`Job ${jobId}: 1 succeeded, 0 failed of 2.`));
    expect(status).not.toHaveTextContent('Done.');
    expect(status).toHaveFocus();
    await waitFor(() => expect(status).toHaveTextContent(`Job ${jobId}: 2 succeeded, 0 failed of 2. Done.`), { timeout: 3000 });

    const polls = platform.requestsTo(`/admin-api/v1/jobs/${jobId}`);
    expect(polls).toHaveLength(2);
    expect(rowsOf(within(dialog).getByRole('table', { name: 'Job items' }))).toEqual([
      { Token: REF1, Outcome: 'Succeeded', Network: 'Confirmed' },
      { Token: REF2, Outcome: 'Succeeded', Network: 'Confirmed' },
    ]);
    // no more polling once it is done
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(platform.requestsTo(`/admin-api/v1/jobs/${jobId}`)).toHaveLength(2);

    const gets = platform.requestsTo('/admin-api/v1/tokens/tok_00000001').length;
    await user.click(within(dialog).getByRole('button', { name: 'Close' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    await waitFor(() => expect(detail('Status')).toBe('DEACTIVATED'));
    expect(platform.requestsTo('/admin-api/v1/tokens/tok_00000001').length).toBe(gets + 1);
    expect(screen.getByRole('status')).toHaveTextContent(`Job ${jobId}: 2 succeeded, 0 failed of 2. Done.`);
    const last = rowsOf(screen.getByRole('table', { name: 'History' })).at(-1)!;
    expect(last).toMatchObject({ Status: 'DEACTIVATED', Initiator: 'JOB', Reason: 'Device stolen', Operator: 'supervisor@bank.test' });
  }, 10_000);

  it('says when a job finished with failures', async () => {
    platform.jobStepsPerPoll = 10;
    platform.failingTokens.add('tok_00000002');
    const user = await openToken('supervisor@bank.test');
    const dialog = await openBulk(user, 'Suspend all tokens of this card', 'Suspend all tokens of card card-0001');
    // only the active token changes: it succeeds
    await user.selectOptions(within(dialog).getByLabelText('Reason'), 'Suspected fraud');
    await user.click(within(dialog).getByRole('button', { name: 'Start' }));
    const status = await within(dialog).findByRole('status');
    await waitFor(() => expect(status).toHaveTextContent(/: 1 succeeded, 0 failed of 1\. Done\./));
    expect(platform.requestsTo('/admin-api/v1/cards/card-0001/tokens/suspend')[0]!.body).toEqual({ reasonCode: 'SUSPECTED_FRAUD' });

    // again, now with two tokens that change, one of which fails
    await user.click(within(dialog).getByRole('button', { name: 'Close' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    platform.tokens[0]!.status = 'ACTIVE';
    platform.tokens[1]!.status = 'ACTIVE';
    const again = await openBulk(user, 'Suspend all tokens of this card', 'Suspend all tokens of card card-0001');
    expect(again).toHaveTextContent('2 of 2 tokens will change.');
    await user.selectOptions(within(again).getByLabelText('Reason'), 'Suspected fraud');
    await user.click(within(again).getByRole('button', { name: 'Start' }));
    const second = await within(again).findByRole('status');
    await waitFor(() => expect(second).toHaveTextContent(/: 1 succeeded, 1 failed of 2\. Finished with failures\./));
    const posts = platform.requestsTo('/admin-api/v1/cards/card-0001/tokens/suspend');
    expect(posts[1]!.headers['idempotency-key']).not.toBe(posts[0]!.headers['idempotency-key']);
    expect(rowsOf(within(again).getByRole('table', { name: 'Job items' }))).toEqual([
      { Token: REF1, Outcome: 'Succeeded', Network: 'Confirmed' },
      { Token: REF2, Outcome: 'Failed The network refused the change', Network: '—' },
    ]);
  });

  it('shows a refusal (403) of the start as an alert, and starts no job', async () => {
    const user = await openToken('supervisor@bank.test');
    const dialog = await openBulk(user, 'Delete all tokens of this device', `Delete all tokens of device ${DEVICE}`);
    await user.selectOptions(within(dialog).getByLabelText('Reason'), 'Confirmed fraud');
    platform.failNext.push(403);
    await user.click(within(dialog).getByRole('button', { name: 'Start' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent('Injected failure');
    expect(within(dialog).queryByRole('status')).toBeNull();
    expect(within(dialog).getByRole('button', { name: 'Start' })).toBeEnabled();
    expect(platform.requests.some((r) => r.url.includes('/jobs/'))).toBe(false);
  });
});
