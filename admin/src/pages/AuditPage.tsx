import { useEffect, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import { ApiError, auditPath, isAbortError } from '../api/client';
import type { AuditEntry, AuditQuery } from '../api/types';
import { useAuth } from '../auth/AuthContext';
import { DataTable } from '../components/DataTable';
import { DateTime } from '../components/DateTime';
import { ErrorAlert } from '../components/ErrorAlert';
import { PageHeading } from '../components/PageHeading';
import { Pager } from '../components/Pager';
import { csvFileName, saveBlob } from '../lib/download';
import { orDash, todayUtc } from '../lib/format';
import { checkAuditQuery } from '../lib/validate';

const COLUMNS = ['Time', 'Agent', 'Action', 'Target', 'Result', 'Source IP'];

interface Shown {
  query: AuditQuery;
  entries: AuditEntry[];
  nextCursor: string | null;
  /** cursors[i] fetched page i + 1 (undefined: the first page). */
  cursors: (string | undefined)[];
}

export function AuditPage() {
  const { api } = useAuth();
  const [from, setFrom] = useState(todayUtc);
  const [to, setTo] = useState(todayUtc);
  const [actor, setActor] = useState('');
  const [shown, setShown] = useState<Shown | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [exporting, setExporting] = useState(false);
  const [exported, setExported] = useState('');
  const inFlight = useRef<AbortController | null>(null);

  async function fetchPage(query: AuditQuery, cursors: (string | undefined)[]) {
    inFlight.current?.abort();
    const controller = new AbortController();
    inFlight.current = controller;
    const cursor = cursors[cursors.length - 1];
    setBusy(true);
    setError(null);
    try {
      const page = await api.audit(cursor ? { ...query, cursor } : query, controller.signal);
      setShown({ query, entries: page.entries, nextCursor: page.nextCursor, cursors });
    } catch (e) {
      if (isAbortError(e)) return;
      setError(e instanceof ApiError ? e.detail : 'The audit log could not be loaded.');
    } finally {
      if (inFlight.current === controller) {
        inFlight.current = null;
        setBusy(false);
      }
    }
  }

  // Today's entries as soon as the page opens.
  useEffect(() => {
    const today = todayUtc();
    void fetchPage({ from: today, to: today }, [undefined]);
    return () => inFlight.current?.abort();
    // Only when the page opens.
  }, []);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const checked = checkAuditQuery(from, to, actor);
    if (!checked.ok) {
      setError(checked.error);
      return;
    }
    setShown(null);
    setExported('');
    void fetchPage(checked.value, [undefined]);
  }

  /** Every entry of the days and agent in the form, as the service's CSV (itself audited as EXPORT_AUDIT). */
  async function onExport() {
    const checked = checkAuditQuery(from, to, actor);
    if (!checked.ok) {
      setError(checked.error);
      return;
    }
    const fileName = csvFileName('audit', checked.value.from, checked.value.to);
    setExporting(true);
    setError(null);
    setExported('');
    try {
      const blob = await api.downloadCsv(auditPath(checked.value, 'csv'));
      saveBlob(blob, fileName);
      setExported(`Saved ${fileName}.`);
    } catch (e) {
      setError(e instanceof ApiError ? e.detail : 'The audit log could not be exported.');
    } finally {
      setExporting(false);
    }
  }

  const count = shown?.entries.length ?? 0;
  const page = shown?.cursors.length ?? 1;

  return (
    <>
      <PageHeading title="Audit log" />
      <p>
        Every operation in the panel, allowed or refused, newest first. Days are UTC days. Export CSV saves every entry of
        the days and agent chosen (at most 10 000).
      </p>
      <form className="form" onSubmit={onSubmit} noValidate aria-label="Audit log filter">
        <div className="field-row">
          <div className="field">
            <label htmlFor="audit-from">From</label>
            <input id="audit-from" type="date" required value={from} onChange={(e) => setFrom(e.target.value)} />
          </div>
          <div className="field">
            <label htmlFor="audit-to">To</label>
            <input id="audit-to" type="date" required value={to} onChange={(e) => setTo(e.target.value)} />
          </div>
          <div className="field field-grow">
            <label htmlFor="audit-actor">Agent e-mail</label>
            <input
              id="audit-actor"
              type="email"
              autoComplete="off"
              spellCheck={false}
              maxLength={128}
              value={actor}
              onChange={(e) => setActor(e.target.value)}
            />
          </div>
          <div className="field field-button">
            <button type="submit" className="primary" disabled={busy}>
              Show
            </button>
          </div>
          <div className="field field-button">
            <button type="button" onClick={() => void onExport()} disabled={exporting}>
              Export CSV
            </button>
          </div>
        </div>
        <p className="muted export-status" aria-live="polite">
          {exporting ? 'Exporting…' : exported}
        </p>
      </form>

      <ErrorAlert message={error} />

      <section className="results" aria-label="Entries" aria-busy={busy}>
        <p role="status" className="result-count">
          {busy
            ? 'Loading…'
            : shown
              ? count === 0
                ? 'No entries for these days.'
                : `${count} ${count === 1 ? 'entry' : 'entries'} on page ${page}.`
              : ''}
        </p>
        {shown && count > 0 && (
          <DataTable caption="Audit log" columns={COLUMNS}>
            {shown.entries.map((entry) => (
              <tr key={entry.auditId}>
                <td className="nowrap">
                  <DateTime value={entry.at} />
                </td>
                <td>{entry.actor}</td>
                <td>{entry.action}</td>
                <td>{orDash(entry.target)}</td>
                <td>
                  <span className={`badge result-${entry.result.toLowerCase()}`}>{entry.result}</span>
                </td>
                <td>{orDash(entry.sourceIp)}</td>
              </tr>
            ))}
          </DataTable>
        )}
        {shown && (
          <Pager
            page={page}
            hasNext={shown.nextCursor !== null}
            busy={busy}
            onPrevious={() => void fetchPage(shown.query, shown.cursors.slice(0, -1))}
            onNext={() => shown.nextCursor && void fetchPage(shown.query, [...shown.cursors, shown.nextCursor])}
          />
        )}
      </section>
    </>
  );
}
