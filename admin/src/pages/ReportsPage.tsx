import { useEffect, useMemo, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import { ApiError, isAbortError, reportPath } from '../api/client';
import { NETWORKS, REPORTS, WALLETS } from '../api/types';
import type {
  ActiveTokensReport,
  ActiveTokensRow,
  ApplePayReport,
  FunnelReport,
  FunnelRow,
  ReportKind,
  ReportQuery,
} from '../api/types';
import { useAuth } from '../auth/AuthContext';
import { Chart } from '../components/Chart';
import { DataTable } from '../components/DataTable';
import { ErrorAlert } from '../components/ErrorAlert';
import { PageHeading } from '../components/PageHeading';
import type { ChartSpec } from '../lib/chart';
import { csvFileName, saveBlob } from '../lib/download';
import { orDash, todayUtc } from '../lib/format';
import { walletLabel } from '../lib/labels';
import { MAX_REPORT_SPAN_DAYS, checkReportQuery, daysBefore } from '../lib/validate';

export const REPORT_LABELS: Record<ReportKind, string> = {
  funnel: 'Tokenization funnel',
  'apple-pay': 'Apple Pay',
  'active-tokens': 'Active tokens',
};

/** The funnel's paths, in the order they are stacked, with their colours. */
const PATHS = [
  { key: 'green', label: 'Approved (green)', color: '#2e7d32' },
  { key: 'yellow', label: 'Code (yellow)', color: '#f2c230' },
  { key: 'orange', label: 'Call centre (orange)', color: '#e8710a' },
  { key: 'red', label: 'Declined (red)', color: '#c62828' },
] as const;

const ACTIVATIONS_COLOR = '#0b4fa3';
const NETWORK_COLORS: Record<string, string> = { MASTERCARD: '#d9480f', VISA: '#1a3d8f' };

const FUNNEL_COLUMNS = [
  'Day',
  'Network',
  'Token requestor',
  'Wallet',
  'Requests',
  ...PATHS.map((p) => p.label),
  'Activations',
  'Abandoned',
];
const FUNNEL_NUMBERS = FUNNEL_COLUMNS.slice(4);
const ACTIVE_COLUMNS = ['Wallet', 'Network', 'Token requestor', 'Active tokens'];
const ACTIVE_NUMBERS = ['Active tokens'];

type Shown =
  | { kind: 'funnel'; query: ReportQuery; report: FunnelReport }
  | { kind: 'apple-pay'; query: ReportQuery; report: ApplePayReport }
  | { kind: 'active-tokens'; day: string; report: ActiveTokensReport };

type Field = 'from' | 'to' | 'tokenRequestorId';
const FIELD_IDS: Record<Field, string> = { from: 'report-from', to: 'report-to', tokenRequestorId: 'report-token-requestor' };

/** "funnel-<from>-<to>.csv", "apple-pay-<from>-<to>.csv", "active-tokens-<day>.csv". */
function fileNameOf(shown: Shown): string {
  return shown.kind === 'active-tokens'
    ? csvFileName(shown.kind, shown.day)
    : csvFileName(shown.kind, shown.query.from, shown.query.to);
}

function titleOf(shown: Shown): string {
  const name = REPORT_LABELS[shown.kind];
  return shown.kind === 'active-tokens'
    ? `${name} now`
    : `${name}, ${shown.query.from} to ${shown.query.to}`;
}

function countOf(shown: Shown): string {
  const rows = shown.report.rows.length;
  return `${rows} ${rows === 1 ? 'row' : 'rows'}`;
}

export function ReportsPage() {
  const { api } = useAuth();
  const [kind, setKind] = useState<ReportKind>('funnel');
  const [from, setFrom] = useState(() => daysBefore(todayUtc(), 6));
  const [to, setTo] = useState(todayUtc);
  const [requestor, setRequestor] = useState('');
  const [invalid, setInvalid] = useState<Field | null>(null);
  const [shown, setShown] = useState<Shown | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [downloading, setDownloading] = useState(false);
  const [saved, setSaved] = useState('');
  const inFlight = useRef<AbortController | null>(null);

  useEffect(() => () => inFlight.current?.abort(), []);

  async function load(next: ReportKind, query: ReportQuery | null) {
    inFlight.current?.abort();
    const controller = new AbortController();
    inFlight.current = controller;
    setBusy(true);
    setError(null);
    setSaved('');
    try {
      let result: Shown;
      if (next === 'active-tokens') {
        result = { kind: next, day: todayUtc(), report: await api.activeTokensReport(controller.signal) };
      } else if (next === 'apple-pay') {
        result = { kind: next, query: query!, report: await api.applePayReport(query!, controller.signal) };
      } else {
        result = { kind: next, query: query!, report: await api.funnelReport(query!, controller.signal) };
      }
      if (inFlight.current === controller) setShown(result);
    } catch (e) {
      if (isAbortError(e)) return;
      setError(e instanceof ApiError ? e.detail : 'The report could not be loaded.');
    } finally {
      if (inFlight.current === controller) {
        inFlight.current = null;
        setBusy(false);
      }
    }
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (kind === 'active-tokens') {
      setInvalid(null);
      void load(kind, null);
      return;
    }
    const checked = checkReportQuery(from, to, kind === 'funnel' ? requestor : '');
    if (!checked.ok) {
      setInvalid(checked.field);
      setError(checked.error);
      document.getElementById(FIELD_IDS[checked.field])?.focus();
      return;
    }
    setInvalid(null);
    void load(kind, checked.value);
  }

  async function download(report: Shown) {
    const fileName = fileNameOf(report);
    const path = reportPath(report.kind, report.kind === 'active-tokens' ? null : report.query, 'csv');
    setDownloading(true);
    setError(null);
    setSaved('');
    try {
      // The CSV is the service's own; the panel only saves it.
      const blob = await api.downloadCsv(path);
      saveBlob(blob, fileName);
      setSaved(`Saved ${fileName}.`);
    } catch (e) {
      setError(e instanceof ApiError ? e.detail : 'The CSV could not be downloaded.');
    } finally {
      setDownloading(false);
    }
  }

  function fieldProps(field: Field) {
    return {
      id: FIELD_IDS[field],
      'aria-invalid': invalid === field || undefined,
      ...(invalid === field ? { 'aria-describedby': 'report-error' } : {}),
    };
  }

  return (
    <>
      <PageHeading title="Reports" />
      <p>
        Days are UTC days, at most {MAX_REPORT_SPAN_DAYS} days after “From”. Active tokens are counted now, whatever the
        days.
      </p>
      <form className="form" onSubmit={onSubmit} noValidate aria-label="Choose a report">
        <div className="field-row">
          <div className="field">
            <label htmlFor="report-kind">Report</label>
            <select
              id="report-kind"
              value={kind}
              onChange={(e) => {
                setKind(e.target.value as ReportKind);
                setInvalid(null);
              }}
            >
              {REPORTS.map((r) => (
                <option key={r} value={r}>
                  {REPORT_LABELS[r]}
                </option>
              ))}
            </select>
          </div>
          {kind !== 'active-tokens' && (
            <>
              <div className="field">
                <label htmlFor={FIELD_IDS.from}>From</label>
                <input {...fieldProps('from')} type="date" required value={from} onChange={(e) => setFrom(e.target.value)} />
              </div>
              <div className="field">
                <label htmlFor={FIELD_IDS.to}>To</label>
                <input {...fieldProps('to')} type="date" required value={to} onChange={(e) => setTo(e.target.value)} />
              </div>
            </>
          )}
          {kind === 'funnel' && (
            <div className="field">
              <label htmlFor={FIELD_IDS.tokenRequestorId}>Token requestor id (optional)</label>
              <input
                {...fieldProps('tokenRequestorId')}
                type="text"
                className="input-medium"
                inputMode="numeric"
                autoComplete="off"
                spellCheck={false}
                maxLength={16}
                value={requestor}
                onChange={(e) => setRequestor(e.target.value)}
              />
            </div>
          )}
          <div className="field field-button">
            <button type="submit" className="primary" disabled={busy}>
              Show report
            </button>
          </div>
        </div>
      </form>

      <ErrorAlert id="report-error" message={error} />

      <section className="results" aria-label="Report shown" aria-busy={busy}>
        <p role="status" className="result-count">
          {busy ? 'Loading the report…' : shown ? `${titleOf(shown)}: ${countOf(shown)}.` : ''}
        </p>
        {shown && (
          <section aria-labelledby="report-heading" className="report">
            <h2 id="report-heading">{titleOf(shown)}</h2>
            <div className="actions">
              <button type="button" onClick={() => void download(shown)} disabled={downloading}>
                Download CSV
              </button>
              <span className="muted" aria-live="polite">
                {downloading ? 'Downloading…' : saved}
              </span>
            </div>
            {shown.kind === 'funnel' && <FunnelView caption="Tokenization funnel" rows={shown.report.rows} />}
            {shown.kind === 'apple-pay' && (
              <>
                <FunnelView caption="Apple Pay funnel" rows={shown.report.rows} />
                <ActiveTokensView caption="Apple Pay tokens active now" rows={shown.report.activeTokens} chart={false} />
              </>
            )}
            {shown.kind === 'active-tokens' && <ActiveTokensView caption="Active tokens" rows={shown.report.rows} chart />}
          </section>
        )}
      </section>
    </>
  );
}

/** Requests per day, by path, with the activations: what the funnel chart draws. */
export function funnelChart(rows: FunnelRow[]): ChartSpec {
  const days = [...new Set(rows.map((r) => r.day))].sort();
  const index = new Map(days.map((d, i) => [d, i]));
  const sums = {
    green: days.map(() => 0),
    yellow: days.map(() => 0),
    orange: days.map(() => 0),
    red: days.map(() => 0),
    activations: days.map(() => 0),
  };
  for (const row of rows) {
    const i = index.get(row.day)!;
    for (const key of ['green', 'yellow', 'orange', 'red', 'activations'] as const) sums[key][i]! += row[key] ?? 0;
  }
  return {
    labels: days,
    stacked: true,
    xTitle: 'Day (UTC)',
    yTitle: 'Requests',
    series: [
      ...PATHS.map((p) => ({ label: p.label, data: sums[p.key], color: p.color, stack: 'requests' })),
      { label: 'Activations', data: sums.activations, color: ACTIVATIONS_COLOR, kind: 'line' as const, stack: 'activations' },
    ],
  };
}

/** Active tokens per wallet, one bar per network. */
export function activeTokensChart(rows: ActiveTokensRow[]): ChartSpec {
  const known = WALLETS.filter((w) => rows.some((r) => r.wallet === w));
  const others = [...new Set(rows.map((r) => r.wallet as string))].filter((w) => !(WALLETS as readonly string[]).includes(w));
  const wallets: string[] = [...known, ...others];
  const networks: string[] = [
    ...NETWORKS.filter((n) => rows.some((r) => r.network === n)),
    ...[...new Set(rows.map((r) => r.network as string))].filter((n) => !(NETWORKS as readonly string[]).includes(n)),
  ];
  return {
    labels: wallets.map(walletLabel),
    xTitle: 'Wallet',
    yTitle: 'Active tokens',
    series: networks.map((network) => ({
      label: network,
      color: NETWORK_COLORS[network] ?? '#4a4a4a',
      data: wallets.map((w) =>
        rows.filter((r) => r.wallet === w && r.network === network).reduce((sum, r) => sum + (r.activeTokens ?? 0), 0),
      ),
    })),
  };
}

function abandonedText(row: FunnelRow): string {
  if (typeof row.abandoned === 'number') return String(row.abandoned);
  return row.settled ? '—' : 'Not settled yet';
}

function FunnelView({ caption, rows }: { caption: string; rows: FunnelRow[] }) {
  const spec = useMemo(() => funnelChart(rows), [rows]);
  return (
    <>
      <p className="muted">
        Each request is counted on the UTC day it was decided: approved (green), additional authentication with a code the
        cardholder can receive (yellow), through the call centre only (orange), declined (red). Activations are that
        day's requests that became active; abandoned, its approved tokens that did not, known once the day is seven days
        old.
      </p>
      {rows.length === 0 ? (
        <p>No request in these days.</p>
      ) : (
        <Chart
          label={`Chart: ${caption.toLowerCase()} per day, the requests of each path stacked, activations as a line. The table “${caption}” has the same figures.`}
          spec={spec}
        />
      )}
      <DataTable caption={caption} columns={FUNNEL_COLUMNS} numeric={FUNNEL_NUMBERS}>
        {rows.map((row, i) => (
          <tr key={`${row.day}-${row.network}-${row.tokenRequestorId ?? ''}-${i}`}>
            <td className="nowrap">{row.day}</td>
            <td>{row.network}</td>
            <td>{orDash(row.tokenRequestorId)}</td>
            <td className="nowrap">{walletLabel(row.wallet)}</td>
            <td className="number">{row.requests}</td>
            {PATHS.map((p) => (
              <td key={p.key} className="number">
                {row[p.key]}
              </td>
            ))}
            <td className="number">{row.activations}</td>
            <td className="number nowrap">{abandonedText(row)}</td>
          </tr>
        ))}
      </DataTable>
    </>
  );
}

function ActiveTokensView({ caption, rows, chart }: { caption: string; rows: ActiveTokensRow[]; chart: boolean }) {
  const spec = useMemo(() => activeTokensChart(rows), [rows]);
  return (
    <>
      {rows.length === 0 ? (
        <p>No token is active now.</p>
      ) : (
        chart && (
          <Chart
            label={`Chart: ${caption.toLowerCase()} per wallet, one bar per network. The table “${caption}” has the same figures.`}
            spec={spec}
          />
        )
      )}
      <DataTable caption={caption} columns={ACTIVE_COLUMNS} numeric={ACTIVE_NUMBERS}>
        {rows.map((row, i) => (
          <tr key={`${row.wallet}-${row.network}-${row.tokenRequestorId ?? ''}-${i}`}>
            <td className="nowrap">{walletLabel(row.wallet)}</td>
            <td>{row.network}</td>
            <td>{orDash(row.tokenRequestorId)}</td>
            <td className="number">{row.activeTokens}</td>
          </tr>
        ))}
      </DataTable>
    </>
  );
}
