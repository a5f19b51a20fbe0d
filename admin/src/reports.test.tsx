import { screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { drawChart } from './lib/chart';
import { daysBefore } from './lib/validate';
import { FakePlatform } from './test/fakePlatform';
import { headersOf, rowsOf, signIn, start } from './test/ui';
import type { User } from './test/ui';

// jsdom has no canvas: the chart module is replaced, so what it is asked to draw can be read.
vi.mock('./lib/chart', () => ({ drawChart: vi.fn(() => ({ destroy: () => undefined })) }));

let platform: FakePlatform;
const today = new Date().toISOString().slice(0, 10);
const weekAgo = daysBefore(today, 6);

beforeEach(() => {
  platform = new FakePlatform();
  vi.stubGlobal('fetch', platform.fetch);
  vi.mocked(drawChart).mockClear();
  window.history.replaceState(null, '', '/admin/');
});

/** Every file the panel saved: what the temporary link was named, and the Blob behind it. */
function watchDownloads() {
  const saved: { fileName: string; href: string }[] = [];
  const created = vi.spyOn(URL, 'createObjectURL');
  vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function click(this: HTMLAnchorElement) {
    saved.push({ fileName: this.download, href: this.href });
  });
  const blob = (i = 0) => created.mock.calls[i]![0] as Blob;
  return { saved, blob };
}

async function openReports(user: User, email = 'viewer@bank.test') {
  await signIn(user, email);
  await user.click(screen.getByRole('link', { name: 'Reports' }));
  await screen.findByRole('heading', { level: 1, name: 'Reports' });
}

async function show(user: User, report: string) {
  await user.selectOptions(screen.getByLabelText('Report'), report);
  await user.click(screen.getByRole('button', { name: 'Show report' }));
  await waitFor(() => expect(screen.getByRole('status')).toHaveTextContent(/\d+ rows?\./));
}

describe('reports', () => {
  it('are offered to every role, with the last 7 days by default', async () => {
    // GIVEN a viewer
    const user = start();
    // WHEN they open Reports from the navigation
    await openReports(user);
    // THEN the days are the last 7 (UTC), and the three reports are offered
    expect(screen.getByLabelText('From')).toHaveValue(weekAgo);
    expect(screen.getByLabelText('To')).toHaveValue(today);
    expect(within(screen.getByLabelText('Report')).getAllByRole('option').map((o) => o.textContent)).toEqual([
      'Tokenization funnel', 'Apple Pay', 'Active tokens',
    ]);
    expect(screen.getByRole('link', { name: 'Reports' })).toHaveAttribute('aria-current', 'page');
  });

  it('shows the funnel as a table and a chart of the paths per day', async () => {
    // GIVEN a viewer on Reports
    const user = start();
    await openReports(user);
    // WHEN they show the funnel of the default days
    await show(user, 'Tokenization funnel');
    // THEN it was asked for those days
    expect(platform.requestsTo('/admin-api/v1/reports/funnel')[0]!.url).toBe(`/admin-api/v1/reports/funnel?from=${weekAgo}&to=${today}`);
    // AND its rows are a table
    const table = screen.getByRole('table', { name: 'Tokenization funnel' });
    expect(headersOf(table)).toEqual([
      'Day', 'Network', 'Token requestor', 'Wallet', 'Requests',
      'Approved (green)', 'Code (yellow)', 'Call centre (orange)', 'Declined (red)', 'Activations', 'Abandoned',
    ]);
    const rows = rowsOf(table);
    expect(rows).toHaveLength(3);
    expect(rows[0]).toEqual({
      Day: '2026-03-01', Network: 'MASTERCARD', 'Token requestor': '50110030273', Wallet: 'Google Pay', Requests: '5',
      'Approved (green)': '3', 'Code (yellow)': '1', 'Call centre (orange)': '0', 'Declined (red)': '1', Activations: '3', Abandoned: '0',
    });
    expect(rows[1]).toMatchObject({ Wallet: 'Apple Pay', Abandoned: 'Not settled yet' });
    expect(rows[2]).toMatchObject({ 'Token requestor': '—', Wallet: 'Other' });
    // AND the chart is a named picture: the four paths stacked per day, and the activations
    expect(screen.getByRole('img', { name: /^Chart: tokenization funnel per day/ })).toBeInTheDocument();
    await waitFor(() => expect(drawChart).toHaveBeenCalledOnce());
    const spec = vi.mocked(drawChart).mock.calls[0]![1];
    expect(spec.labels).toEqual(['2026-03-01', '2026-03-02']);
    expect(spec.stacked).toBe(true);
    expect(spec.series.map((s) => [s.label, s.data])).toEqual([
      ['Approved (green)', [4, 0]],
      ['Code (yellow)', [1, 0]],
      ['Call centre (orange)', [1, 0]],
      ['Declined (red)', [1, 1]],
      ['Activations', [4, 0]],
    ]);
  });

  it('narrows the funnel to one token requestor, and checks the days', async () => {
    // GIVEN a viewer on Reports
    const user = start();
    await openReports(user);
    // WHEN "To" is before "From"
    await user.clear(screen.getByLabelText('From'));
    await user.type(screen.getByLabelText('From'), '2026-03-05');
    await user.clear(screen.getByLabelText('To'));
    await user.type(screen.getByLabelText('To'), '2026-03-01');
    await user.click(screen.getByRole('button', { name: 'Show report' }));
    // THEN nothing is asked
    expect(await screen.findByRole('alert')).toHaveTextContent('“To” must not be before “From”.');
    expect(screen.getByLabelText('To')).toHaveFocus();
    // WHEN the days are more than 92 apart
    await user.clear(screen.getByLabelText('From'));
    await user.type(screen.getByLabelText('From'), '2025-11-01');
    await user.click(screen.getByRole('button', { name: 'Show report' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('at most 92 days');
    // WHEN the token requestor id is not 11 digits
    await user.clear(screen.getByLabelText('From'));
    await user.type(screen.getByLabelText('From'), '2026-02-24');
    await user.type(screen.getByLabelText('Token requestor id (optional)'), '123');
    await user.click(screen.getByRole('button', { name: 'Show report' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('11 digits');
    expect(platform.requestsTo('/admin-api/v1/reports/funnel')).toHaveLength(0);
    // WHEN it is
    await user.clear(screen.getByLabelText('Token requestor id (optional)'));
    await user.type(screen.getByLabelText('Token requestor id (optional)'), '50110030273');
    await user.click(screen.getByRole('button', { name: 'Show report' }));
    // THEN the funnel is asked for it, and shows its rows only
    await waitFor(() => expect(rowsOf(screen.getByRole('table', { name: 'Tokenization funnel' }))).toHaveLength(1));
    expect(platform.requestsTo('/admin-api/v1/reports/funnel')[0]!.url).toBe(
      '/admin-api/v1/reports/funnel?from=2026-02-24&to=2026-03-01&tokenRequestorId=50110030273',
    );
  });

  it('shows the Apple Pay report: its funnel and its tokens active now', async () => {
    // GIVEN a viewer on Reports
    const user = start();
    await openReports(user);
    // WHEN they show the Apple Pay report
    await show(user, 'Apple Pay');
    // THEN both of its tables are there, with Apple Pay's rows
    expect(platform.requestsTo('/admin-api/v1/reports/apple-pay')[0]!.url).toBe(`/admin-api/v1/reports/apple-pay?from=${weekAgo}&to=${today}`);
    expect(rowsOf(screen.getByRole('table', { name: 'Apple Pay funnel' }))).toEqual([
      expect.objectContaining({ Network: 'VISA', Wallet: 'Apple Pay', Requests: '2' }),
    ]);
    expect(rowsOf(screen.getByRole('table', { name: 'Apple Pay tokens active now' }))).toEqual([
      { Wallet: 'Apple Pay', Network: 'VISA', 'Token requestor': '40010030273', 'Active tokens': '7' },
    ]);
    expect(screen.getByRole('img', { name: /^Chart: apple pay funnel per day/ })).toBeInTheDocument();
  });

  it('shows the active tokens per wallet and network, without days', async () => {
    // GIVEN a viewer on Reports
    const user = start();
    await openReports(user);
    // WHEN they choose Active tokens
    await user.selectOptions(screen.getByLabelText('Report'), 'Active tokens');
    // THEN no days are asked for
    expect(screen.queryByLabelText('From')).toBeNull();
    // WHEN they show it
    await show(user, 'Active tokens');
    // THEN the table and the chart (one bar per wallet and network) are there
    expect(platform.requestsTo('/admin-api/v1/reports/active-tokens')[0]!.url).toBe('/admin-api/v1/reports/active-tokens');
    expect(rowsOf(screen.getByRole('table', { name: 'Active tokens' }))).toEqual([
      { Wallet: 'Google Pay', Network: 'MASTERCARD', 'Token requestor': '50110030273', 'Active tokens': '12' },
      { Wallet: 'Apple Pay', Network: 'VISA', 'Token requestor': '40010030273', 'Active tokens': '7' },
    ]);
    await waitFor(() => expect(drawChart).toHaveBeenCalledOnce());
    const spec = vi.mocked(drawChart).mock.calls[0]![1];
    expect(spec.labels).toEqual(['Apple Pay', 'Google Pay']);
    expect(spec.series.map((s) => [s.label, s.data])).toEqual([
      ['MASTERCARD', [0, 12]],
      ['VISA', [7, 0]],
    ]);
  });

  it('keeps the table when the chart cannot be drawn', async () => {
    // GIVEN a browser where the canvas cannot be drawn on
    vi.mocked(drawChart).mockReturnValueOnce(null);
    const user = start();
    await openReports(user);
    // WHEN the funnel is shown
    await show(user, 'Tokenization funnel');
    // THEN a sentence replaces the chart, and the table is there
    expect(await screen.findByText('The chart cannot be shown here: the table has the same figures.')).toBeInTheDocument();
    expect(screen.queryByRole('img')).toBeNull();
    expect(rowsOf(screen.getByRole('table', { name: 'Tokenization funnel' }))).toHaveLength(3);
  });

  it('downloads the CSV the service makes, with the bearer token', async () => {
    // GIVEN the funnel of the default days on the page
    const downloads = watchDownloads();
    const user = start();
    await openReports(user);
    await show(user, 'Tokenization funnel');
    // WHEN the viewer downloads it
    await user.click(screen.getByRole('button', { name: 'Download CSV' }));
    // THEN the same URL was asked with format=csv, with the bearer token
    await screen.findByText(`Saved funnel-${weekAgo}-${today}.csv.`);
    const request = platform.requestsTo('/admin-api/v1/reports/funnel').at(-1)!;
    expect(request.url).toBe(`/admin-api/v1/reports/funnel?from=${weekAgo}&to=${today}&format=csv`);
    expect(request.method).toBe('GET');
    expect(request.headers.authorization).toMatch(/^Bearer token-/);
    expect(request.headers.accept).toContain('text/csv');
    // AND the service's CSV was saved under funnel-<from>-<to>.csv, through a Blob URL
    expect(downloads.saved).toEqual([{ fileName: `funnel-${weekAgo}-${today}.csv`, href: expect.stringMatching(/^blob:/) }]);
    const blob = downloads.blob();
    expect(blob.type).toMatch(/^text\/csv/);
    expect((await blob.text()).split('\r\n')[0]).toBe('day,network,tokenRequestorId,wallet,requests,green,yellow,orange,red,activations,abandoned,settled');
    // AND the temporary link is gone
    expect(document.querySelector('a[download]')).toBeNull();
  });

  it('downloads the active tokens as active-tokens-<today>.csv', async () => {
    // GIVEN the active tokens on the page
    const downloads = watchDownloads();
    const user = start();
    await openReports(user);
    await show(user, 'Active tokens');
    // WHEN they are downloaded
    await user.click(screen.getByRole('button', { name: 'Download CSV' }));
    // THEN the CSV was asked and saved
    await screen.findByText(`Saved active-tokens-${today}.csv.`);
    expect(platform.requestsTo('/admin-api/v1/reports/active-tokens').at(-1)!.url).toBe('/admin-api/v1/reports/active-tokens?format=csv');
    expect(downloads.saved.map((s) => s.fileName)).toEqual([`active-tokens-${today}.csv`]);
  });

  it('shows the problem when the CSV is refused, and saves nothing', async () => {
    // GIVEN the funnel on the page, and a service that refuses the next call
    const downloads = watchDownloads();
    const user = start();
    await openReports(user);
    await show(user, 'Tokenization funnel');
    platform.failNext.push(422);
    // WHEN the CSV is asked for
    await user.click(screen.getByRole('button', { name: 'Download CSV' }));
    // THEN the problem's detail is shown
    expect(await screen.findByRole('alert')).toHaveTextContent('Injected failure');
    expect(downloads.saved).toEqual([]);
  });
});

describe('audit log: export', () => {
  it('saves the CSV of the chosen days and agent', async () => {
    // GIVEN a supervisor on the audit log
    const downloads = watchDownloads();
    const user = start();
    await signIn(user, 'supervisor@bank.test');
    await user.click(screen.getByRole('link', { name: 'Audit log' }));
    await screen.findByRole('status');
    await user.type(screen.getByLabelText('Agent e-mail'), 'agent@bank.test');
    // WHEN they export
    await user.click(screen.getByRole('button', { name: 'Export CSV' }));
    // THEN the service's CSV of those days and that agent was asked, with the bearer token
    await screen.findByText(`Saved audit-${today}-${today}.csv.`);
    const request = platform.requestsTo('/admin-api/v1/audit').at(-1)!;
    expect(request.url).toBe(`/admin-api/v1/audit?from=${today}&to=${today}&actor=agent%40bank.test&format=csv`);
    expect(request.headers.authorization).toMatch(/^Bearer token-/);
    // AND saved as audit-<from>-<to>.csv
    expect(downloads.saved.map((s) => s.fileName)).toEqual([`audit-${today}-${today}.csv`]);
    expect((await downloads.blob().text()).startsWith('auditId,at,actor,action')).toBe(true);
  });

  it('checks the days before exporting', async () => {
    // GIVEN a supervisor on the audit log, with "To" before "From"
    const user = start();
    await signIn(user, 'supervisor@bank.test');
    await user.click(screen.getByRole('link', { name: 'Audit log' }));
    await screen.findByRole('status');
    await user.clear(screen.getByLabelText('From'));
    await user.type(screen.getByLabelText('From'), '2026-03-05');
    await user.clear(screen.getByLabelText('To'));
    await user.type(screen.getByLabelText('To'), '2026-03-01');
    // WHEN they export
    await user.click(screen.getByRole('button', { name: 'Export CSV' }));
    // THEN nothing is asked
    expect(await screen.findByRole('alert')).toHaveTextContent('“To” must not be before “From”.');
    expect(platform.requestsTo('/admin-api/v1/audit').filter((r) => r.url.includes('format=csv'))).toHaveLength(0);
  });

  it('is not offered to an agent', async () => {
    // GIVEN an agent
    const user = start();
    await signIn(user, 'agent@bank.test');
    // THEN Reports is offered, the audit log (and so its export) is not
    expect(screen.getByRole('link', { name: 'Reports' })).toBeInTheDocument();
    expect(screen.queryByRole('link', { name: 'Audit log' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Export CSV' })).toBeNull();
  });
});
