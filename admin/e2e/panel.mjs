#!/usr/bin/env node
// The admin panel, end to end, in headless Chromium against a running platform
// (`make run` or a test's own), in this order:
//   (a) an agent finds a card's token (by its last 4 and expiry when given, else
//       by card id) and suspends it;
//   (b) a viewer cannot (no action in the panel, 403 from the API);
//   (c) a supervisor finds both in the audit log and exports it as CSV;
//   (d) the supervisor deletes every token of that token's device (preview, job, result);
//   (e) the supervisor shows the reports (the funnel of the last 7 days, downloaded
//       as CSV, and the active tokens);
//   (f) last, since it changes a seeded agent for good: an admin lists the agents
//       ("Agents": the four seeded ones and their roles, no button on their own
//       row), makes the viewer an agent through the dialog ("viewer → agent"), and
//       at the viewer's next sign-in the panel says "Roles: agent".
//
//   node e2e/panel.mjs --base http://127.0.0.1:PORT --card card-0001 --screenshots DIR
//       [--password local-password] [--pan 5555555555554444]
//       [--last4 4444 --expiry 12/29] [--downloads DIR]
//
// --last4 and --expiry (together) are the card's: the agent's first search is by
// them, and a search by card id must then find the same tokens. --downloads is
// where the CSV files are saved (funnel.csv, audit.csv); without it they are still
// downloaded and checked (a .csv name, a text/csv answer), not kept.
//
// Prints one line per step ("ok N - …" or "not ok N - …: reason") and exits 1 on
// the first failure (2 on bad usage). Chromium is the machine's own
// (CHROMIUM, default /usr/bin/chromium): nothing is downloaded.
//
// Elements are found by role and label only, as an agent with a screen reader
// would find them; search values never appear in any URL.

import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';

const USAGE =
  'usage: node e2e/panel.mjs --base http://127.0.0.1:PORT --card CARD_ID --screenshots DIR [--password PW] [--pan PAN]' +
  ' [--last4 DDDD --expiry MM/YY] [--downloads DIR]';

let args;
try {
  ({ values: args } = parseArgs({
    options: {
      base: { type: 'string' },
      card: { type: 'string' },
      screenshots: { type: 'string' },
      password: { type: 'string', default: 'local-password' },
      pan: { type: 'string' },
      last4: { type: 'string' },
      expiry: { type: 'string' },
      downloads: { type: 'string' },
      timeout: { type: 'string', default: '20000' },
    },
    strict: true,
    allowPositionals: false,
  }));
} catch (error) {
  console.error(`${error.message}\n${USAGE}`);
  process.exit(2);
}
if (!args.base || !args.card || !args.screenshots) {
  console.error(USAGE);
  process.exit(2);
}
if ((args.last4 === undefined) !== (args.expiry === undefined)) {
  console.error(`--last4 and --expiry go together\n${USAGE}`);
  process.exit(2);
}
if (args.last4 !== undefined && (!/^[0-9]{4}$/.test(args.last4) || !/^(0[1-9]|1[0-2])\/[0-9]{2}$/.test(args.expiry))) {
  console.error(`--last4 is 4 digits and --expiry MM/YY\n${USAGE}`);
  process.exit(2);
}

const BASE = args.base.replace(/\/+$/, '');
const CARD = args.card;
const PASSWORD = args.password;
const PAN = args.pan?.replace(/[\s-]/g, '');
const LAST4 = args.last4;
const EXPIRY = args.expiry;
const SHOTS = resolve(args.screenshots);
const DOWNLOADS = args.downloads ? resolve(args.downloads) : null;
const TIMEOUT = Number(args.timeout) || 20000;

const AGENT = 'agent@bank.test';
const VIEWER = 'viewer@bank.test';
const SUPERVISOR = 'supervisor@bank.test';
const ADMIN = 'admin@bank.test';
const ACTION_BUTTONS = ['Activate', 'Suspend', 'Unsuspend', 'Delete'];
const RESULT_TEXT = /Suspended: confirmed by the network\.|Sent: the network has not confirmed yet\./;

class StepFailure extends Error {}
const fail = (reason) => {
  throw new StepFailure(reason);
};

// ---------------------------------------------------------------- browser --

mkdirSync(SHOTS, { recursive: true });
if (DOWNLOADS) mkdirSync(DOWNLOADS, { recursive: true });
const userDataDir = mkdtempSync(join(tmpdir(), 'tmp-admin-e2e-'));
let context;
let page;
const pageErrors = [];
const consoleErrors = [];

// Every URL the page went to or asked for, checked after each step.
const seenUrls = [];
// Token ids the API returned: their own digits are not card data.
const tokenIds = new Set();
// Likewise device ids (as the token page shows them) and job ids the API returned.
const deviceIds = new Set();
const jobIds = new Set();
const pendingBodies = [];

async function launch() {
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
    viewport: { width: 1280, height: 900 },
    // The CSV files are saved through <a download>: Playwright reports each as a `download`.
    acceptDownloads: true,
    timeout: 60_000,
  });
  context.setDefaultTimeout(TIMEOUT);
  page = context.pages()[0] ?? (await context.newPage());
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) seenUrls.push(frame.url());
  });
  page.on('request', (request) => seenUrls.push(request.url()));
  page.on('response', (response) => {
    if (apiPath(response.url()) === '/admin-api/v1/tokens/search' && response.ok()) {
      pendingBodies.push(
        response
          .json()
          .then((body) => {
            for (const token of body.tokens ?? []) tokenIds.add(token.tokenId);
          })
          .catch(() => undefined),
      );
    }
  });
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
}

async function close() {
  try {
    await context?.close();
  } catch {
    // already gone
  }
  rmSync(userDataDir, { recursive: true, force: true });
}

function apiPath(url) {
  try {
    return new URL(url).pathname;
  } catch {
    return '';
  }
}

/**
 * No URL may carry a run of 12 or more digits (a PAN could hide in it), other
 * than inside a token id the API itself returned (an MDES token reference such
 * as DWSPMC000000000132… has such runs) or a server-issued page cursor.
 */
async function checkUrls() {
  await Promise.allSettled(pendingBodies.splice(0));
  for (const url of seenUrls.splice(0)) {
    let parsed;
    try {
      parsed = new URL(url);
    } catch {
      continue;
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') continue;
    // A page cursor is the server's own opaque value, not card data.
    if (parsed.searchParams.has('cursor')) parsed.searchParams.set('cursor', 'x');
    let rest = `${parsed.pathname}${parsed.search}${parsed.hash}`;
    try {
      rest = decodeURIComponent(rest);
    } catch {
      // keep it encoded
    }
    if (PAN && rest.includes(PAN)) fail(`the PAN appears in a URL: ${parsed.pathname}…`);
    if (EXPIRY && rest.includes(EXPIRY)) fail(`the card's expiry appears in a URL: ${parsed.pathname}…`);
    for (const id of tokenIds) rest = rest.split(`/tokens/${id}`).join('/tokens/{tokenId}');
    for (const id of deviceIds) rest = rest.split(`/devices/${id}/`).join('/devices/{deviceId}/');
    for (const id of jobIds) rest = rest.split(`/jobs/${id}`).join('/jobs/{jobId}');
    const digits = /\d{12,}/.exec(rest);
    if (digits) fail(`a URL carries a run of ${digits[0].length} digits: ${url.replace(/\d{12,}/g, '<digits>')}`);
  }
}

// ---------------------------------------------------------------- steps --

let stepNo = 0;

/** A Playwright error's first line, and what it was waiting for. */
function briefly(error) {
  const lines = String(error?.message ?? error).split('\n');
  const waiting = lines.find((line) => /waiting for/.test(line));
  return waiting ? `${lines[0]} (${waiting.trim().replace(/^- /, '')})` : lines[0];
}

async function step(name, fn) {
  stepNo += 1;
  const started = Date.now();
  try {
    await fn();
    await checkUrls();
    if (pageErrors.length) fail(`uncaught error in the page: ${pageErrors[0]}`);
    console.log(`ok ${stepNo} - ${name} (${Date.now() - started} ms)`);
  } catch (error) {
    const reason = error instanceof StepFailure ? error.message : briefly(error);
    console.log(`not ok ${stepNo} - ${name}: ${reason}`);
    if (page) {
      console.log(`# at ${page.url()}`);
      for (const line of consoleErrors.slice(-5)) console.log(`# console: ${line}`);
      await page.screenshot({ path: join(SHOTS, 'failure.png'), fullPage: true }).catch(() => undefined);
    }
    await close();
    process.exit(1);
  }
}

async function screenshot(name) {
  await page.screenshot({ path: join(SHOTS, name), fullPage: true });
}

/** A table's body rows as { header: cell text }, found by its caption. */
async function tableRows(table) {
  await table.waitFor();
  const headers = (await table.getByRole('columnheader').allInnerTexts()).map((h) => h.trim());
  const rows = table.getByRole('row');
  const count = await rows.count();
  const out = [];
  for (let i = 0; i < count; i += 1) {
    const cells = await rows.nth(i).getByRole('cell').allInnerTexts();
    if (cells.length === 0) continue; // the header row
    out.push({ row: rows.nth(i), cells: Object.fromEntries(headers.map((h, j) => [h, (cells[j] ?? '').trim()])) });
  }
  return out;
}

function isResponse(pathname, method) {
  return (response) => apiPath(response.url()) === pathname && response.request().method() === method;
}

async function problemDetail(response) {
  try {
    const body = await response.json();
    return body?.detail ? `: ${body.detail}` : '';
  } catch {
    return '';
  }
}

async function signIn(email) {
  const emailField = page.getByLabel('Email', { exact: true });
  await emailField.waitFor();
  await emailField.fill(email);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  const [response] = await Promise.all([
    page.waitForResponse(isResponse('/_local/admin/sign-in', 'POST')),
    page.getByRole('button', { name: 'Sign in', exact: true }).click(),
  ]);
  if (response.status() !== 200) fail(`sign-in of ${email} answered ${response.status()}`);
  await page.getByRole('button', { name: 'Sign out', exact: true }).waitFor();
  const banner = page.getByRole('banner');
  const text = await banner.innerText();
  if (!text.includes(email)) fail(`the header does not show ${email}`);
  if (!/Roles:/.test(text)) fail('the header does not show the roles');
  if ((await page.getByRole('link', { name: 'Search', exact: true }).count()) !== 1) fail('no Search link');
  if ((await page.evaluate(() => window.localStorage.length)) !== 0) fail('the panel wrote to localStorage');
}

async function signOut() {
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await page.getByLabel('Email', { exact: true }).waitFor();
  const left = await page.evaluate(() => Object.keys(window.sessionStorage).length);
  if (left !== 0) fail(`sessionStorage still holds ${left} item(s) after sign-out`);
}

/**
 * Clicks Search, and returns the rows of the first page found. `check` gets the
 * body sent and answers what is wrong with it, if anything.
 */
async function submitSearch(what, check) {
  const [response] = await Promise.all([
    page.waitForResponse(isResponse('/admin-api/v1/tokens/search', 'POST')),
    page.getByRole('button', { name: 'Search', exact: true }).click(),
  ]);
  if (response.status() !== 200) fail(`search answered ${response.status()}${await problemDetail(response)}`);
  const wrong = check(response.request().postDataJSON());
  if (wrong) fail(wrong);
  await page
    .getByRole('status')
    .filter({ hasText: /tokens? on page \d+\.|No tokens found\./ })
    .waitFor();
  const table = page.getByRole('table', { name: 'Tokens', exact: true });
  if ((await table.count()) === 0) fail(`no token found by ${what}`);
  const rows = await tableRows(table);
  if (rows.length === 0) fail(`no token found by ${what}`);
  return rows;
}

async function search(by, value) {
  await page.getByRole('heading', { level: 1, name: 'Search tokens', exact: true }).waitFor();
  await page.getByLabel('Search by', { exact: true }).selectOption({ label: by });
  await page.getByLabel('Value', { exact: true }).fill(value);
  const key = { 'Card ID': 'cardId', 'Token reference': 'tokenReference', PAN: 'pan', 'Device ID': 'deviceId' }[by];
  return submitSearch(by, (sent) => (!sent || typeof sent[key] !== 'string' ? `the search body has no ${key}` : ''));
}

/** By the card's last 4 digits and expiry: the body has exactly those two fields. */
async function searchByLast4(last4, expiry) {
  await page.getByRole('heading', { level: 1, name: 'Search tokens', exact: true }).waitFor();
  await page.getByLabel('Search by', { exact: true }).selectOption({ label: 'Last 4 and expiry' });
  await page.getByLabel('Last 4', { exact: true }).fill(last4);
  await page.getByLabel('Expiry (MM/YY)', { exact: true }).fill(expiry);
  return submitSearch('last 4 and expiry', (sent) => {
    const fields = Object.keys(sent ?? {}).sort().join(', ');
    if (fields !== 'expiry, last4') return `the search body has ${fields || 'no field'}, not exactly expiry and last4`;
    if (sent.last4 !== last4 || sent.expiry !== expiry) return 'the search body does not carry the last 4 and expiry typed';
    return '';
  });
}

/**
 * Clicks a button that downloads a CSV of `path` (GET …&format=csv with the
 * bearer token, saved by the page through <a download>), and checks the answer
 * and the file's name. Saves it as DOWNLOADS/saveAs when --downloads was given.
 */
async function downloadCsv(button, path, saveAs, fileName) {
  const downloaded = page.waitForEvent('download');
  downloaded.catch(() => undefined); // awaited below, unless the answer already failed the step
  const [response] = await Promise.all([
    page.waitForResponse((r) => isResponse(path, 'GET')(r) && new URL(r.url()).searchParams.get('format') === 'csv'),
    button.click(),
  ]);
  if (response.status() !== 200) fail(`the CSV answered ${response.status()}${await problemDetail(response)}`);
  const type = (await response.allHeaders())['content-type'] ?? '';
  if (!type.startsWith('text/csv')) fail(`the CSV came as "${type}", not text/csv`);
  const authorization = (await response.request().allHeaders()).authorization ?? '';
  if (!/^Bearer \S+$/.test(authorization)) fail('the CSV was asked for without the bearer token');
  const download = await downloaded;
  const suggested = download.suggestedFilename();
  if (!suggested.endsWith('.csv')) fail(`the file is named "${suggested}", which does not end in .csv`);
  if (suggested !== fileName) fail(`the file is named "${suggested}", not "${fileName}"`);
  const failure = await download.failure();
  if (failure) fail(`the download failed: ${failure}`);
  await page.getByText(`Saved ${fileName}.`, { exact: true }).waitFor();
  if (DOWNLOADS) {
    const target = join(DOWNLOADS, saveAs);
    await download.saveAs(target);
    const header = readFileSync(target, 'utf8').split(/\r?\n/)[0] ?? '';
    if (!header.includes(',')) fail(`${saveAs} has no CSV header line`);
  }
}

async function openToken(row) {
  const link = row.getByRole('link').first();
  const reference = (await link.innerText()).trim();
  const href = (await link.getAttribute('href')) ?? '';
  const match = /\/admin\/tokens\/([^/?#]+)$/.exec(href);
  if (!match) fail(`the token link goes to ${href}, not /admin/tokens/<tokenId>`);
  const tokenId = decodeURIComponent(match[1]);
  await link.click();
  const heading = page.getByRole('heading', { level: 1, name: `Token ${reference}`, exact: true });
  await heading.waitFor();
  await page.getByRole('heading', { level: 2, name: 'Actions', exact: true }).waitFor();
  if (!(await heading.evaluate((el) => el === document.activeElement))) fail('the page heading did not take focus');
  return { reference, tokenId };
}

async function lastHistoryRow() {
  const rows = await tableRows(page.getByRole('table', { name: 'History', exact: true }));
  return rows.at(-1)?.cells;
}

/** The text next to a term of the token page's Details ("Status" → "DEACTIVATED"). */
async function detailValue(term) {
  const details = page.getByRole('region', { name: 'Details', exact: true });
  await details.waitFor();
  return details.evaluate((el, wanted) => {
    const dt = Array.from(el.querySelectorAll('dt')).find((d) => d.textContent.trim() === wanted);
    return dt?.nextElementSibling?.textContent.trim() ?? '';
  }, term);
}

function daysAgoUtc(days) {
  return new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);
}

function yesterdayUtc() {
  return daysAgoUtc(1);
}

function todayUtc() {
  return new Date().toISOString().slice(0, 10);
}

async function showAudit(actor) {
  await page.getByLabel('From', { exact: true }).fill(yesterdayUtc());
  await page.getByLabel('To', { exact: true }).fill(todayUtc());
  await page.getByLabel('Agent e-mail', { exact: true }).fill(actor);
  const [response] = await Promise.all([
    page.waitForResponse(
      (r) => isResponse('/admin-api/v1/audit', 'GET')(r) && new URL(r.url()).searchParams.get('actor') === actor,
    ),
    page.getByRole('button', { name: 'Show', exact: true }).click(),
  ]);
  if (response.status() !== 200) fail(`the audit log answered ${response.status()}${await problemDetail(response)}`);
  await page
    .getByRole('status')
    .filter({ hasText: /entr(y|ies) on page 1\.|No entries for these days\./ })
    .waitFor();
}

/** Looks for the entry on this page and the following ones (at most 20 pages). */
async function findAuditEntry(actor, action, result) {
  await showAudit(actor);
  for (let pageNo = 1; pageNo <= 20; pageNo += 1) {
    const table = page.getByRole('table', { name: 'Audit log', exact: true });
    if ((await table.count()) === 0) break;
    const rows = await tableRows(table);
    if (rows.some(({ cells }) => cells.Agent === actor && cells.Action === action && cells.Result === result)) return;
    const next = page.getByRole('button', { name: 'Next page', exact: true });
    if ((await next.count()) === 0) break;
    await Promise.all([page.waitForResponse(isResponse('/admin-api/v1/audit', 'GET')), next.click()]);
    await page
      .getByRole('status')
      .filter({ hasText: new RegExp(`on page ${pageNo + 1}\\.`) })
      .waitFor();
  }
  fail(`no audit entry with Agent ${actor}, Action ${action}, Result ${result}`);
}

// ---------------------------------------------------------------- scenarios --

const suspended = { reference: '', tokenId: '' };

await step('start Chromium', launch);

// (a) An agent suspends an active token of the card.
await step('agent: the sign-in page', async () => {
  await page.goto(`${BASE}/admin/`);
  await page.getByLabel('Email', { exact: true }).waitFor();
  await page.getByLabel('Password', { exact: true }).waitFor();
  await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
  await screenshot('sign-in.png');
});

await step(`agent: sign in as ${AGENT}`, async () => {
  await signIn(AGENT);
  if ((await page.getByRole('link', { name: 'Audit log', exact: true }).count()) !== 0) {
    fail('an agent is offered the audit log');
  }
});

if (PAN) {
  await step('agent: search by PAN (in the body, never in a URL)', async () => {
    await search('PAN', PAN);
  });
}

let agentRows = [];
if (LAST4) {
  // The issue's flow: the cardholder gives the last 4 digits and the expiry of their card.
  await step('agent: search by last 4 and expiry (in the body, never in a URL)', async () => {
    const rows = await searchByLast4(LAST4, EXPIRY);
    // Another card may share the last 4 and expiry: only this card's tokens are acted on.
    const ofCard = rows.filter(({ cells }) => cells['Card ID'] === CARD);
    agentRows = ofCard.length > 0 || rows.some(({ cells }) => cells['Card ID'] !== '—') ? ofCard : rows;
    if (agentRows.length === 0) fail(`none of the ${rows.length} token(s) found by last 4 and expiry is of ${CARD}`);
    await screenshot('search.png');
  });
} else {
  await step(`agent: search Card ID ${CARD}`, async () => {
    agentRows = await search('Card ID', CARD);
    await screenshot('search.png');
  });
}

await step('agent: open the first ACTIVE token', async () => {
  const active = agentRows.find(({ cells }) => cells.Status === 'ACTIVE');
  if (!active) fail(`no ACTIVE token among ${agentRows.length} of ${CARD}`);
  Object.assign(suspended, await openToken(active.row));
  await page.getByRole('table', { name: 'History', exact: true }).waitFor();
  await page.getByRole('heading', { level: 2, name: 'Why it was decided', exact: true }).waitFor();
  await screenshot('token-page.png');
});

await step('agent: the dialog keeps focus, closes on Escape and gives focus back', async () => {
  const opener = page.getByRole('button', { name: 'Suspend', exact: true });
  await opener.click();
  const dialog = page.getByRole('dialog', { name: 'Suspend token', exact: true });
  await dialog.waitFor();
  for (let i = 0; i < 8; i += 1) {
    await page.keyboard.press(i % 3 === 2 ? 'Shift+Tab' : 'Tab');
    const inside = await dialog.evaluate((el) => el.contains(document.activeElement));
    if (!inside) fail('Tab left the dialog');
  }
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });
  if (!(await opener.evaluate((el) => el === document.activeElement))) fail('focus did not return to "Suspend"');
});

let networkStatus = '';
await step('agent: suspend it (Device lost), confirmed', async () => {
  await page.getByRole('button', { name: 'Suspend', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Suspend token', exact: true });
  await dialog.waitFor();
  await dialog.getByLabel('Reason', { exact: true }).selectOption({ label: 'Device lost' });
  await dialog.getByLabel('Comment', { exact: true }).fill('Cardholder called: phone lost');
  await dialog.getByRole('button', { name: 'Continue', exact: true }).click();
  const confirm = dialog.getByRole('button', { name: 'Confirm', exact: true });
  await confirm.waitFor();
  await dialog.getByRole('button', { name: 'Back', exact: true }).waitFor();
  const summary = `You are about to suspend token ${suspended.reference} (reason: Device lost). The network will be asked to apply it.`;
  if (!(await dialog.innerText()).replace(/\s+/g, ' ').includes(summary)) fail(`the confirmation does not say "${summary}"`);

  const path = `/admin-api/v1/tokens/${encodeURIComponent(suspended.tokenId)}/suspend`;
  const [response] = await Promise.all([
    page.waitForResponse(isResponse(path, 'POST'), { timeout: Math.max(TIMEOUT, 30_000) }),
    confirm.click(),
  ]);
  if (response.status() !== 200) fail(`suspend answered ${response.status()}${await problemDetail(response)}`);
  const key = (await response.request().allHeaders())['idempotency-key'] ?? '';
  if (!/^[A-Za-z0-9_-]{8,64}$/.test(key)) fail(`the Idempotency-Key "${key}" is missing or malformed`);
  const body = response.request().postDataJSON();
  if (body?.reasonCode !== 'DEVICE_LOST' || body?.comment !== 'Cardholder called: phone lost') {
    fail(`the suspend body was ${JSON.stringify(body)}`);
  }
  networkStatus = (await response.json()).networkStatus;

  await page.getByRole('status').filter({ hasText: RESULT_TEXT }).waitFor();
  await dialog.waitFor({ state: 'hidden' });
});

await step('agent: the history ends with SUSPENDED by agent@bank.test', async () => {
  // A change the network has not confirmed yet may reach the history a little later.
  const deadline = Date.now() + (networkStatus === 'PENDING' ? 15_000 : 0);
  for (;;) {
    const last = await lastHistoryRow();
    if (last && /^SUSPENDED\b/.test(last.Status) && last.Operator === AGENT) return;
    if (Date.now() >= deadline) fail(`the last history row is ${JSON.stringify(last)}`);
    await page.waitForTimeout(1000);
    await page.reload();
    await page.getByRole('heading', { level: 1, name: `Token ${suspended.reference}`, exact: true }).waitFor();
  }
});

if (LAST4) {
  await step(`agent: search Card ID ${CARD} finds the same tokens as last 4 and expiry`, async () => {
    await page.getByRole('link', { name: 'Search', exact: true }).click();
    const rows = await search('Card ID', CARD);
    const byCard = new Set(rows.map(({ cells }) => cells['Token reference']));
    const byLast4 = new Set(agentRows.map(({ cells }) => cells['Token reference']));
    const onlyByCard = [...byCard].filter((ref) => !byLast4.has(ref));
    const onlyByLast4 = [...byLast4].filter((ref) => !byCard.has(ref));
    if (onlyByCard.length || onlyByLast4.length) {
      fail(
        `card id found ${byCard.size} token(s), last 4 and expiry ${byLast4.size} of the card; ` +
          `only by card id: ${onlyByCard.join(', ') || 'none'}; only by last 4: ${onlyByLast4.join(', ') || 'none'}`,
      );
    }
    if (!byCard.has(suspended.reference)) fail(`token ${suspended.reference} is not among the card's tokens`);
  });
}

await step('agent: sign out', signOut);

// (b) A viewer sees the token but may not act on it, in the panel or past it.
await step(`viewer: sign in as ${VIEWER}`, async () => {
  await signIn(VIEWER);
  if ((await page.getByRole('link', { name: 'Audit log', exact: true }).count()) !== 0) {
    fail('a viewer is offered the audit log');
  }
});

await step(`viewer: open token ${suspended.reference}`, async () => {
  const rows = await search('Card ID', CARD);
  const row = rows.find(({ cells }) => cells['Token reference'] === suspended.reference);
  if (!row) fail(`token ${suspended.reference} is not among the card's tokens`);
  const opened = await openToken(row.row);
  if (opened.tokenId !== suspended.tokenId) fail(`opened ${opened.tokenId}, not ${suspended.tokenId}`);
});

await step('viewer: no action buttons', async () => {
  for (const name of ACTION_BUTTONS) {
    if ((await page.getByRole('button', { name, exact: true }).count()) !== 0) fail(`a viewer sees "${name}"`);
  }
});

await step('viewer: the API refuses a suspend (403)', async () => {
  const answer = await page.evaluate(
    async ({ tokenId, email, password, key }) => {
      const signIn = await fetch('/_local/admin/sign-in', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ email, password }),
      });
      if (!signIn.ok) return { error: `sign-in answered ${signIn.status}` };
      const { access_token: token } = await signIn.json();
      const res = await fetch(`/admin-api/v1/tokens/${encodeURIComponent(tokenId)}/suspend`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Idempotency-Key': key, 'Content-Type': 'application/json' },
        body: JSON.stringify({ reasonCode: 'DEVICE_LOST' }),
      });
      return { status: res.status, contentType: res.headers.get('content-type') ?? '' };
    },
    { tokenId: suspended.tokenId, email: VIEWER, password: PASSWORD, key: randomUUID() },
  );
  if (answer.error) fail(answer.error);
  if (answer.status !== 403) fail(`a viewer's suspend answered ${answer.status}, not 403`);
  if (!answer.contentType.includes('application/problem+json')) fail(`the refusal is ${answer.contentType}, not problem+json`);
});

await step('viewer: sign out', signOut);

// (c) A supervisor finds both in the audit log.
await step(`supervisor: sign in as ${SUPERVISOR}`, async () => {
  await signIn(SUPERVISOR);
  if ((await page.getByRole('link', { name: 'Agents', exact: true }).count()) !== 0) {
    fail('a supervisor is offered the agents');
  }
});

await step('supervisor: open the audit log', async () => {
  await page.getByRole('link', { name: 'Audit log', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Audit log', exact: true }).waitFor();
  await page.getByLabel('From', { exact: true }).waitFor();
  // It shows today's entries at once.
  await page
    .getByRole('status')
    .filter({ hasText: /entr(y|ies) on page 1\.|No entries for these days\./ })
    .waitFor();
  for (const label of ['From', 'To']) {
    const value = await page.getByLabel(label, { exact: true }).inputValue();
    if (value !== todayUtc()) fail(`"${label}" starts at ${value}, not today (UTC)`);
  }
});

await step(`supervisor: ${AGENT} SUSPEND_TOKEN SUCCEEDED`, () => findAuditEntry(AGENT, 'SUSPEND_TOKEN', 'SUCCEEDED'));

await step(`supervisor: ${VIEWER} SUSPEND_TOKEN REFUSED`, async () => {
  await findAuditEntry(VIEWER, 'SUSPEND_TOKEN', 'REFUSED');
  await screenshot('audit-log.png');
});

await step('supervisor: "Export CSV" downloads the audit log shown as a .csv file', async () => {
  // The filter is still the one of the last step: yesterday and today (UTC), the viewer.
  const from = await page.getByLabel('From', { exact: true }).inputValue();
  const to = await page.getByLabel('To', { exact: true }).inputValue();
  await downloadCsv(
    page.getByRole('button', { name: 'Export CSV', exact: true }),
    '/admin-api/v1/audit',
    'audit.csv',
    `audit-${from}-${to}.csv`,
  );
});

// (d) The supervisor deletes every token of the device of the token suspended in (a).
const bulk = { deviceId: '', jobId: '', pending: false };
const bulkDialog = () =>
  page.getByRole('dialog', { name: `Delete all tokens of device ${bulk.deviceId}`, exact: true });

await step(`supervisor: open token ${suspended.reference}, which shows its device`, async () => {
  await page.getByRole('link', { name: 'Search', exact: true }).click();
  const rows = await search('Card ID', CARD);
  const row = rows.find(({ cells }) => cells['Token reference'] === suspended.reference);
  if (!row) fail(`token ${suspended.reference} is not among the card's tokens`);
  const opened = await openToken(row.row);
  if (opened.tokenId !== suspended.tokenId) fail(`opened ${opened.tokenId}, not ${suspended.tokenId}`);
  const deviceId = await detailValue('Device ID');
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(deviceId)) fail(`the token page shows no device ID ("${deviceId}")`);
  bulk.deviceId = deviceId;
  deviceIds.add(deviceId);
  await page.getByRole('region', { name: 'Every token of this device', exact: true }).waitFor();
});

await step('supervisor: "Delete all tokens of this device" lists what will change', async () => {
  const path = `/admin-api/v1/devices/${encodeURIComponent(bulk.deviceId)}/tokens/delete/preview`;
  const [response] = await Promise.all([
    page.waitForResponse(isResponse(path, 'GET')),
    page.getByRole('button', { name: 'Delete all tokens of this device', exact: true }).click(),
  ]);
  if (response.status() !== 200) fail(`the preview answered ${response.status()}${await problemDetail(response)}`);
  const dialog = bulkDialog();
  await dialog.waitFor();
  const sentence = dialog.getByText(/^\d+ of \d+ tokens will change\./);
  await sentence.waitFor();
  const [, changing, total] = /^(\d+) of (\d+) tokens will change\./.exec((await sentence.innerText()).trim()) ?? [];
  if (!(Number(changing) >= 2)) fail(`the preview says ${changing} of ${total} tokens will change, not at least 2`);
  const rows = await tableRows(dialog.getByRole('table', { name: 'Tokens that will change', exact: true }));
  if (rows.length < 2) fail(`"Tokens that will change" lists ${rows.length} token(s), not at least 2`);
  if (!rows.some(({ cells }) => cells['Token reference'] === suspended.reference)) {
    fail(`"Tokens that will change" does not list ${suspended.reference}`);
  }
  if (!(await dialog.getByRole('button', { name: 'Start', exact: true }).isEnabled())) fail('"Start" is disabled');
});

await step('supervisor: start it (Device stolen) and follow the job to "Done."', async () => {
  const dialog = bulkDialog();
  await dialog.getByLabel('Reason', { exact: true }).selectOption({ label: 'Device stolen' });
  await dialog.getByLabel('Comment', { exact: true }).fill('Phone stolen: every token deleted');
  const path = `/admin-api/v1/devices/${encodeURIComponent(bulk.deviceId)}/tokens/delete`;
  const [response] = await Promise.all([
    page.waitForResponse(isResponse(path, 'POST'), { timeout: Math.max(TIMEOUT, 30_000) }),
    dialog.getByRole('button', { name: 'Start', exact: true }).click(),
  ]);
  if (response.status() !== 202) fail(`the start answered ${response.status()}${await problemDetail(response)}`);
  const key = (await response.request().allHeaders())['idempotency-key'] ?? '';
  if (!/^[A-Za-z0-9_-]{8,64}$/.test(key)) fail(`the Idempotency-Key "${key}" is missing or malformed`);
  const body = response.request().postDataJSON();
  if (body?.reasonCode !== 'DEVICE_STOLEN' || body?.comment !== 'Phone stolen: every token deleted') {
    fail(`the start body was ${JSON.stringify(body)}`);
  }
  const jobId = (await response.json())?.jobId ?? '';
  if (!/^[A-Za-z0-9_-]{8,64}$/.test(jobId)) fail(`the start answered no jobId ("${jobId}")`);
  bulk.jobId = jobId;
  jobIds.add(jobId);

  const finished = dialog.getByRole('status').filter({ hasText: /Done\.|Finished with failures\./ });
  await finished.waitFor({ timeout: 60_000 });
  const text = (await finished.innerText()).replace(/\s+/g, ' ').trim();
  if (!text.startsWith(`Job ${jobId}: `)) fail(`the job's progress reads "${text}"`);
  if (!text.endsWith('Done.')) fail(`the job did not finish as "Done.": "${text}"`);
  const items = await tableRows(dialog.getByRole('table', { name: 'Job items', exact: true }));
  const item = items.find(({ cells }) => cells.Token === suspended.reference || cells.Token === suspended.tokenId);
  if (!item) fail(`"Job items" does not list ${suspended.reference}`);
  bulk.pending = items.some(({ cells }) => cells.Network !== 'Confirmed');
  await screenshot('bulk-job.png');
});

await step(`supervisor: close; token ${suspended.reference} reads DEACTIVATED`, async () => {
  const dialog = bulkDialog();
  const path = `/admin-api/v1/tokens/${encodeURIComponent(suspended.tokenId)}`;
  const [response] = await Promise.all([
    page.waitForResponse(isResponse(path, 'GET')),
    dialog.getByRole('button', { name: 'Close', exact: true }).click(),
  ]);
  await dialog.waitFor({ state: 'hidden' });
  if (response.status() !== 200) fail(`the token answered ${response.status()}${await problemDetail(response)}`);
  // A change the network has not confirmed yet may reach the token a little later.
  const deadline = Date.now() + (bulk.pending ? 15_000 : 5_000);
  for (let i = 1; ; i += 1) {
    const status = await detailValue('Status');
    if (status === 'DEACTIVATED') return;
    if (Date.now() >= deadline) fail(`the token's Status reads ${status}, not DEACTIVATED`);
    await page.waitForTimeout(250);
    if (bulk.pending && i % 8 === 0) {
      await page.reload();
      await page.getByRole('heading', { level: 1, name: `Token ${suspended.reference}`, exact: true }).waitFor();
    }
  }
});

// (e) The supervisor reads the reports (every role may).
const reportDays = { from: '', to: '' };

await step('supervisor: Reports shows the funnel of the last 7 days, as a table and a chart', async () => {
  await page.getByRole('link', { name: 'Reports', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Reports', exact: true }).waitFor();
  reportDays.from = await page.getByLabel('From', { exact: true }).inputValue();
  reportDays.to = await page.getByLabel('To', { exact: true }).inputValue();
  if (reportDays.to !== todayUtc() || reportDays.from !== daysAgoUtc(6)) {
    fail(`the days start as ${reportDays.from} to ${reportDays.to}, not the last 7 (UTC)`);
  }
  await page.getByLabel('Report', { exact: true }).selectOption({ label: 'Tokenization funnel' });
  const [response] = await Promise.all([
    page.waitForResponse(isResponse('/admin-api/v1/reports/funnel', 'GET')),
    page.getByRole('button', { name: 'Show report', exact: true }).click(),
  ]);
  if (response.status() !== 200) fail(`the funnel answered ${response.status()}${await problemDetail(response)}`);
  const asked = new URL(response.url()).searchParams;
  if (asked.get('from') !== reportDays.from || asked.get('to') !== reportDays.to) {
    fail(`the funnel was asked for ${asked.get('from')} to ${asked.get('to')}`);
  }
  const rows = await tableRows(page.getByRole('table', { name: 'Tokenization funnel', exact: true }));
  if (rows.length < 1) fail('the funnel of the last 7 days has no row');
  // The chart is a named picture (the table is its text); it must have been drawn.
  const chart = page.getByRole('img', { name: /^Chart: tokenization funnel per day/ });
  await chart.waitFor();
  const deadline = Date.now() + 10_000;
  for (;;) {
    const drawn = await chart.evaluate((canvas) => {
      const context = canvas.getContext('2d');
      if (!context || !canvas.width || !canvas.height) return false;
      const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
      for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) return true;
      return false;
    });
    if (drawn) break;
    if (Date.now() >= deadline) fail('the funnel chart was not drawn');
    await page.waitForTimeout(250);
  }
  await screenshot('reports.png');
});

await step('supervisor: "Download CSV" downloads the funnel as a .csv file', async () => {
  await downloadCsv(
    page.getByRole('button', { name: 'Download CSV', exact: true }),
    '/admin-api/v1/reports/funnel',
    'funnel.csv',
    `funnel-${reportDays.from}-${reportDays.to}.csv`,
  );
});

await step('supervisor: the Active tokens report shows its table', async () => {
  await page.getByLabel('Report', { exact: true }).selectOption({ label: 'Active tokens' });
  const [response] = await Promise.all([
    page.waitForResponse(isResponse('/admin-api/v1/reports/active-tokens', 'GET')),
    page.getByRole('button', { name: 'Show report', exact: true }).click(),
  ]);
  if (response.status() !== 200) fail(`the active tokens answered ${response.status()}${await problemDetail(response)}`);
  // Every token of the device may have been deleted in (d): the table may have no row.
  await tableRows(page.getByRole('table', { name: 'Active tokens', exact: true }));
});

await step('supervisor: sign out', signOut);

// (f) An admin makes the viewer an agent; the viewer's next sign-in has the new role.
// Last: the viewer stays an agent on this platform.
const SEEDED_ROLES = { [VIEWER]: 'viewer', [AGENT]: 'agent', [SUPERVISOR]: 'supervisor', [ADMIN]: 'admin' };
const agentsTable = () => page.getByRole('table', { name: 'Agents', exact: true });
const roleDialog = () => page.getByRole('dialog', { name: `Change role for ${VIEWER}`, exact: true });

await step(`admin: sign in as ${ADMIN}`, async () => {
  await signIn(ADMIN);
});

await step('admin: "Agents" lists the four seeded agents with their roles', async () => {
  const [response] = await Promise.all([
    page.waitForResponse(isResponse('/admin-api/v1/agents', 'GET')),
    page.getByRole('link', { name: 'Agents', exact: true }).click(),
  ]);
  if (response.status() !== 200) fail(`the agents answered ${response.status()}${await problemDetail(response)}`);
  await page.getByRole('heading', { level: 1, name: 'Agents', exact: true }).waitFor();
  const rows = await tableRows(agentsTable());
  for (const [email, role] of Object.entries(SEEDED_ROLES)) {
    const row = rows.find(({ cells }) => cells.Agent === email);
    if (!row) fail(`"Agents" does not list ${email}`);
    if (row.cells.Role !== role) fail(`${email}'s role reads "${row.cells.Role}", not ${role}`);
  }
});

await step(`admin: no "Change role for ${ADMIN}" on their own row, one on the others'`, async () => {
  if ((await page.getByRole('button', { name: `Change role for ${ADMIN}`, exact: true }).count()) !== 0) {
    fail(`the admin is offered "Change role for ${ADMIN}"`);
  }
  const own = (await tableRows(agentsTable())).find(({ cells }) => cells.Agent === ADMIN);
  if (!own) fail(`"Agents" does not list ${ADMIN}`);
  if ((await own.row.getByRole('button').count()) !== 0) fail(`${ADMIN}'s own row has a button`);
  for (const email of [VIEWER, AGENT, SUPERVISOR]) {
    if ((await page.getByRole('button', { name: `Change role for ${email}`, exact: true }).count()) !== 1) {
      fail(`no "Change role for ${email}"`);
    }
  }
  await screenshot('agents.png');
});

await step(`admin: change ${VIEWER} to agent, confirming "viewer → agent"`, async () => {
  await page.getByRole('button', { name: `Change role for ${VIEWER}`, exact: true }).click();
  const dialog = roleDialog();
  await dialog.waitFor();
  const select = dialog.getByLabel('New role', { exact: true });
  if (!(await select.evaluate((el) => el === document.activeElement))) fail('"New role" did not take focus');
  await select.selectOption({ label: 'agent' });
  // The change is shown before anything is sent.
  await dialog.getByText('Change: viewer → agent.', { exact: true }).waitFor();
  const text = (await dialog.innerText()).replace(/\s+/g, ' ');
  if (!text.includes('sessions are signed out') || !text.includes('next sign-in')) {
    fail('the dialog does not say that the sessions are signed out and the role applies at the next sign-in');
  }

  // The list is read again after the change: wait for that answer too.
  const reloaded = page.waitForResponse(isResponse('/admin-api/v1/agents', 'GET'));
  reloaded.catch(() => undefined); // awaited below, unless the change already failed the step
  const [response] = await Promise.all([
    page.waitForResponse(isResponse('/admin-api/v1/agent-roles', 'PUT')),
    dialog.getByRole('button', { name: 'Confirm role change', exact: true }).click(),
  ]);
  if (response.status() !== 200) fail(`the role change answered ${response.status()}${await problemDetail(response)}`);
  const body = response.request().postDataJSON();
  if (Object.keys(body ?? {}).length !== 2 || body.username !== VIEWER || body.role !== 'agent') {
    fail(`the role change body was ${JSON.stringify(body)}`);
  }
  if ((await response.request().allHeaders())['idempotency-key'] !== undefined) fail('the PUT carries an Idempotency-Key');
  const change = await response.json();
  if (change?.signedOut !== true) fail(`the change answered ${JSON.stringify(change)}: nothing changed`);
  await dialog.waitFor({ state: 'hidden' });
  const again = await reloaded;
  if (again.status() !== 200) fail(`the agents answered ${again.status()} after the change${await problemDetail(again)}`);
});

await step(`admin: the status says so, and ${VIEWER}'s row reads agent`, async () => {
  await page
    .getByRole('status')
    .filter({ hasText: `${VIEWER}: viewer → agent. Their sessions were signed out.` })
    .waitFor();
  const row = (await tableRows(agentsTable())).find(({ cells }) => cells.Agent === VIEWER);
  if (!row) fail(`"Agents" no longer lists ${VIEWER}`);
  if (row.cells.Role !== 'agent') fail(`${VIEWER}'s role reads "${row.cells.Role}", not agent`);
});

await step('admin: sign out', signOut);

await step(`viewer: sign in again as ${VIEWER}: the panel now treats them as an agent ("Roles: agent")`, async () => {
  const profile = page.waitForResponse(isResponse('/admin-api/v1/me', 'GET'));
  profile.catch(() => undefined); // awaited below, unless the sign-in already failed the step
  await signIn(VIEWER);
  const me = await (await profile).json();
  if (JSON.stringify(me?.roles) !== '["agent"]') fail(`the profile's roles are ${JSON.stringify(me?.roles)}, not ["agent"]`);
  if (!me.permissions?.includes('tokens.suspend')) fail(`the profile's permissions ${JSON.stringify(me.permissions)} lack tokens.suspend`);
  const header = (await page.getByRole('banner').innerText()).replace(/\s+/g, ' ');
  const roles = /Roles: (\S+(?:, \S+)*)/.exec(header)?.[1];
  if (roles !== 'agent') fail(`the header reads "${header}", not "Roles: agent"`);
  if ((await page.getByRole('link', { name: 'Agents', exact: true }).count()) !== 0) fail('an agent is offered the agents');
});

await step('viewer: sign out', signOut);

await close();
console.log(`# panel: all ${stepNo} steps ok; screenshots in ${SHOTS}${DOWNLOADS ? `; downloads in ${DOWNLOADS}` : ''}`);
