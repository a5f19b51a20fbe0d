import { useState } from 'react';
import type { FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { ApiError } from '../api/client';
import { NETWORKS, SEARCH_KEYS, TOKEN_STATUSES } from '../api/types';
import type { Network, SearchKey, SearchRequest, TokenStatus } from '../api/types';
import { useAuth } from '../auth/AuthContext';
import { DataTable } from '../components/DataTable';
import { DateTime } from '../components/DateTime';
import { ErrorAlert } from '../components/ErrorAlert';
import { PageHeading } from '../components/PageHeading';
import { Pager } from '../components/Pager';
import { maskedCard, orDash } from '../lib/format';
import { SEARCH_KEY_LABELS } from '../lib/labels';
import { checkSearchValue } from '../lib/validate';
import { useSearchMemory } from './searchMemory';
import type { SearchForm, SearchResults } from './searchMemory';

const COLUMNS = ['Token reference', 'Network', 'Status', 'Wallet', 'Device', 'Card ID', 'Card', 'Created'];

export function SearchPage() {
  const { api } = useAuth();
  const [memory, setMemory] = useSearchMemory();
  const { form, results } = memory;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [invalid, setInvalid] = useState(false);

  function setForm(change: Partial<SearchForm>) {
    setMemory((m) => ({ ...m, form: { ...m.form, ...change } }));
  }

  async function fetchPage(request: SearchRequest, cursors: (string | undefined)[]) {
    const cursor = cursors[cursors.length - 1];
    setBusy(true);
    setError(null);
    try {
      const page = await api.searchTokens(cursor ? { ...request, cursor } : request);
      const next: SearchResults = { request, tokens: page.tokens, nextCursor: page.nextCursor, cursors };
      setMemory((m) => ({ ...m, results: next }));
    } catch (e) {
      setError(e instanceof ApiError ? e.detail : 'The search failed.');
    } finally {
      setBusy(false);
    }
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (busy) return;
    const checked = checkSearchValue(form.by, form.value);
    if (!checked.ok) {
      setInvalid(true);
      setError(checked.error);
      document.getElementById('search-value')?.focus();
      return;
    }
    setInvalid(false);
    // The value travels in the POST body only (a PAN never goes into a URL).
    const request: SearchRequest = { [form.by]: checked.value };
    if (form.status) request.status = form.status;
    if (form.network) request.network = form.network;
    setMemory((m) => ({ ...m, results: null }));
    void fetchPage(request, [undefined]);
  }

  function onByChange(by: SearchKey) {
    // Do not carry a card number into another field, nor another value into PAN.
    const clear = by === 'pan' || form.by === 'pan';
    setForm(clear ? { by, value: '' } : { by });
    setInvalid(false);
  }

  const count = results?.tokens.length ?? 0;
  const page = results?.cursors.length ?? 1;

  return (
    <>
      <PageHeading title="Search tokens" />
      <form className="form search-form" onSubmit={onSubmit} noValidate role="search" aria-label="Search tokens">
        <div className="field-row">
          <div className="field">
            <label htmlFor="search-by">Search by</label>
            <select id="search-by" value={form.by} onChange={(e) => onByChange(e.target.value as SearchKey)}>
              {SEARCH_KEYS.map((key) => (
                <option key={key} value={key}>
                  {SEARCH_KEY_LABELS[key]}
                </option>
              ))}
            </select>
          </div>
          <div className="field field-grow">
            <label htmlFor="search-value">Value</label>
            <input
              id="search-value"
              type="text"
              autoComplete="off"
              spellCheck={false}
              autoCapitalize="off"
              inputMode={form.by === 'pan' ? 'numeric' : 'text'}
              maxLength={form.by === 'pan' ? 23 : 64}
              required
              aria-invalid={invalid || undefined}
              aria-describedby={invalid ? 'search-error' : undefined}
              value={form.value}
              onChange={(e) => setForm({ value: e.target.value })}
            />
          </div>
          <div className="field">
            <label htmlFor="search-status">Status</label>
            <select
              id="search-status"
              value={form.status}
              onChange={(e) => setForm({ status: e.target.value as TokenStatus | '' })}
            >
              <option value="">Any</option>
              {TOKEN_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="search-network">Network</label>
            <select
              id="search-network"
              value={form.network}
              onChange={(e) => setForm({ network: e.target.value as Network | '' })}
            >
              <option value="">Any</option>
              {NETWORKS.map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
          </div>
          <div className="field field-button">
            <button type="submit" className="primary" disabled={busy}>
              Search
            </button>
          </div>
        </div>
      </form>

      <ErrorAlert id="search-error" message={error} />

      <section className="results" aria-label="Results" aria-busy={busy}>
        <p role="status" className="result-count">
          {busy ? 'Searching…' : results ? (count === 0 ? 'No tokens found.' : `${count} ${count === 1 ? 'token' : 'tokens'} on page ${page}.`) : ''}
        </p>
        {results && count > 0 && (
          <DataTable caption="Tokens" columns={COLUMNS}>
            {results.tokens.map((t) => (
              <tr key={t.tokenId}>
                <td>
                  <Link to={`/tokens/${encodeURIComponent(t.tokenId)}`}>{t.tokenReference}</Link>
                </td>
                <td>{t.network}</td>
                <td>
                  <span className={`badge status-${t.status.toLowerCase()}`}>{t.status}</span>
                </td>
                <td>{orDash(t.walletId)}</td>
                <td>{orDash(t.device?.name ?? t.device?.type)}</td>
                <td>{orDash(t.cardId)}</td>
                <td className="nowrap">{maskedCard(t.panLast4)}</td>
                <td className="nowrap">
                  <DateTime value={t.createdAt} />
                </td>
              </tr>
            ))}
          </DataTable>
        )}
        {results && (
          <Pager
            page={page}
            hasNext={results.nextCursor !== null}
            busy={busy}
            onPrevious={() => void fetchPage(results.request, results.cursors.slice(0, -1))}
            onNext={() => results.nextCursor && void fetchPage(results.request, [...results.cursors, results.nextCursor])}
          />
        )}
      </section>
    </>
  );
}
