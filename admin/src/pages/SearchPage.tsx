import { useState } from 'react';
import type { FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { ApiError } from '../api/client';
import { NETWORKS, TOKEN_STATUSES, WALLETS } from '../api/types';
import type { Network, SearchRequest, TokenStatus, Wallet } from '../api/types';
import { useAuth } from '../auth/AuthContext';
import { DataTable } from '../components/DataTable';
import { DateTime } from '../components/DateTime';
import { ErrorAlert } from '../components/ErrorAlert';
import { PageHeading } from '../components/PageHeading';
import { Pager } from '../components/Pager';
import { maskedCard, orDash } from '../lib/format';
import { WALLET_LABELS, tokenWallet } from '../lib/labels';
import { SEARCH_FIELD_IDS, SEARCH_MODES, SEARCH_MODE_LABELS, searchRequestFrom } from '../lib/search';
import type { SearchField, SearchMode } from '../lib/search';
import { MAX_SEARCH_SPAN_DAYS } from '../lib/validate';
import { useSearchMemory } from './searchMemory';
import type { SearchForm, SearchResults } from './searchMemory';

const COLUMNS = ['Token reference', 'Network', 'Status', 'Wallet', 'Device', 'Card ID', 'Card', 'Created'];

/** The attributes every search input shares: nothing the browser may remember or correct. */
const PLAIN_INPUT = { type: 'text', autoComplete: 'off', spellCheck: false, autoCapitalize: 'off' } as const;

export function SearchPage() {
  const { api } = useAuth();
  const [memory, setMemory] = useSearchMemory();
  const { form, results } = memory;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [invalid, setInvalid] = useState<SearchField | null>(null);

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
    const checked = searchRequestFrom(form);
    if (!checked.ok) {
      setInvalid(checked.field);
      setError(checked.error);
      document.getElementById(SEARCH_FIELD_IDS[checked.field])?.focus();
      return;
    }
    setInvalid(null);
    // The values travel in the POST body only (a PAN, a last 4 and expiry, a phone
    // number never go into a URL).
    setMemory((m) => ({ ...m, results: null }));
    void fetchPage(checked.request, [undefined]);
  }

  function onByChange(by: SearchMode) {
    // Do not carry a card number into another field, nor another value into PAN.
    const clear = by === 'pan' || form.by === 'pan';
    setForm(clear ? { by, value: '' } : { by });
    setInvalid(null);
    setError(null);
  }

  /** aria-invalid and aria-describedby of a field, with its hint if it has one. */
  function described(field: SearchField, hint?: string) {
    const ids = [hint, invalid === field ? 'search-error' : undefined].filter(Boolean).join(' ');
    return {
      id: SEARCH_FIELD_IDS[field],
      'aria-invalid': invalid === field || undefined,
      ...(ids ? { 'aria-describedby': ids } : {}),
    };
  }

  const count = results?.tokens.length ?? 0;
  const page = results?.cursors.length ?? 1;
  const byCreation = form.by === 'created';

  return (
    <>
      <PageHeading title="Search tokens" />
      <form className="form search-form" onSubmit={onSubmit} noValidate role="search" aria-label="Search tokens">
        <div className="field-row">
          <div className="field">
            <label htmlFor="search-by">Search by</label>
            <select id="search-by" value={form.by} onChange={(e) => onByChange(e.target.value as SearchMode)}>
              {SEARCH_MODES.map((mode) => (
                <option key={mode} value={mode}>
                  {SEARCH_MODE_LABELS[mode]}
                </option>
              ))}
            </select>
          </div>
          {form.by === 'last4' ? (
            <>
              <div className="field">
                <label htmlFor={SEARCH_FIELD_IDS.last4}>Last 4</label>
                <input
                  {...PLAIN_INPUT}
                  {...described('last4')}
                  className="input-short"
                  inputMode="numeric"
                  maxLength={23}
                  required
                  value={form.last4}
                  onChange={(e) => setForm({ last4: e.target.value })}
                />
              </div>
              <div className="field">
                <label htmlFor={SEARCH_FIELD_IDS.expiry}>Expiry (MM/YY)</label>
                <input
                  {...PLAIN_INPUT}
                  {...described('expiry')}
                  className="input-short"
                  maxLength={7}
                  required
                  value={form.expiry}
                  onChange={(e) => setForm({ expiry: e.target.value })}
                />
              </div>
            </>
          ) : form.by === 'phoneNumber' ? (
            <div className="field field-grow">
              <label htmlFor={SEARCH_FIELD_IDS.phoneNumber}>Phone number</label>
              <input
                {...PLAIN_INPUT}
                {...described('phoneNumber', 'search-phone-hint')}
                type="tel"
                maxLength={32}
                required
                value={form.phoneNumber}
                onChange={(e) => setForm({ phoneNumber: e.target.value })}
              />
              <p className="hint" id="search-phone-hint">
                With the country code, for example +44 7700 900123.
              </p>
            </div>
          ) : byCreation ? (
            <p className="hint field-note" id="search-created-hint">
              Lists the tokens created from “Created from” to “Created to” (at most {MAX_SEARCH_SPAN_DAYS} days), newest day
              first.
            </p>
          ) : (
            <div className="field field-grow">
              <label htmlFor={SEARCH_FIELD_IDS.value}>Value</label>
              <input
                {...PLAIN_INPUT}
                {...described('value')}
                inputMode={form.by === 'pan' ? 'numeric' : 'text'}
                maxLength={form.by === 'pan' ? 23 : 64}
                required
                value={form.value}
                onChange={(e) => setForm({ value: e.target.value })}
              />
            </div>
          )}
        </div>
        <fieldset className="filters">
          <legend>{byCreation ? 'Days and filters' : 'Filters (optional)'}</legend>
          <div className="field-row">
            <div className="field">
              <label htmlFor={SEARCH_FIELD_IDS.from}>Created from</label>
              <input
                {...described('from', byCreation ? 'search-created-hint' : undefined)}
                type="date"
                required={byCreation}
                value={form.from}
                onChange={(e) => setForm({ from: e.target.value })}
              />
            </div>
            <div className="field">
              <label htmlFor={SEARCH_FIELD_IDS.to}>Created to</label>
              <input {...described('to')} type="date" value={form.to} onChange={(e) => setForm({ to: e.target.value })} />
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
            <div className="field">
              <label htmlFor="search-wallet">Wallet</label>
              <select
                id="search-wallet"
                value={form.wallet}
                onChange={(e) => setForm({ wallet: e.target.value as Wallet | '' })}
              >
                <option value="">Any</option>
                {WALLETS.map((w) => (
                  <option key={w} value={w}>
                    {WALLET_LABELS[w]}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor={SEARCH_FIELD_IDS.tokenRequestorId}>Token requestor id</label>
              <input
                {...PLAIN_INPUT}
                {...described('tokenRequestorId', 'search-token-requestor-hint')}
                className="input-medium"
                inputMode="numeric"
                maxLength={16}
                value={form.tokenRequestorId}
                onChange={(e) => setForm({ tokenRequestorId: e.target.value })}
              />
              <p className="hint" id="search-token-requestor-hint">
                11 digits
              </p>
            </div>
          </div>
        </fieldset>
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            Search
          </button>
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
                <td>{tokenWallet(t)}</td>
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
