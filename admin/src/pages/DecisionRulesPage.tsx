import { useEffect, useRef, useState } from 'react';
import type { ChangeEvent, FormEvent } from 'react';
import { ApiError, isAbortError } from '../api/client';
import { DECISION_THRESHOLDS } from '../api/types';
import type { DecisionRulesView, DecisionThreshold } from '../api/types';
import { useAuth } from '../auth/AuthContext';
import { DataTable } from '../components/DataTable';
import { ErrorAlert } from '../components/ErrorAlert';
import { PageHeading } from '../components/PageHeading';
import {
  DEFAULT_LABEL,
  REQUESTOR_THRESHOLDS,
  THRESHOLD_LABELS,
  THRESHOLD_MAX,
  checkDraft,
  checkNewRequestorId,
  draftOf,
  fieldKey,
  summariseChanges,
} from '../lib/decisionRules';
import type { RequestorThreshold, RulesDraft, RulesToSend } from '../lib/decisionRules';
import { formatDateTime } from '../lib/format';
import { tokenRequestorLabel } from '../lib/labels';

export const RULES_CONFLICT = 'The rules were changed by someone else meanwhile: reload them.';

const COLUMNS = ['Applies to', ...DECISION_THRESHOLDS.map((t) => THRESHOLD_LABELS[t])];
const NUMERIC = COLUMNS.slice(1);
const NEW_ID_INPUT = 'rules-new-requestor';

/** The id of a threshold's input (`owner`: "default" or the requestor's id). */
function inputId(owner: string, threshold: DecisionThreshold): string {
  return `rules-${owner}-${threshold}`;
}

function sourceText(view: DecisionRulesView): string {
  if (view.source === 'DEPLOYMENT' || !view.updatedBy) return 'Set by the deployment';
  return view.updatedAt ? `Set by ${view.updatedBy} on ${formatDateTime(view.updatedAt)}` : `Set by ${view.updatedBy}`;
}

type Mode = 'view' | 'edit' | 'review';

/**
 * The tokenization decision rules (admin, `rules.manage`): the default and each token
 * requestor's thresholds; Edit, check the changes, then Save rules (a PUT made from the
 * version read: 409 when someone changed them meanwhile).
 */
export function DecisionRulesPage() {
  const { api } = useAuth();
  const [view, setView] = useState<DecisionRulesView | null>(null);
  const [loading, setLoading] = useState(true);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [mode, setMode] = useState<Mode>('view');
  const [draft, setDraft] = useState<RulesDraft | null>(null);
  const [unreadable, setUnreadable] = useState<ReadonlySet<string>>(new Set());
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [newId, setNewId] = useState('');
  const [newIdError, setNewIdError] = useState<string | null>(null);
  const [pending, setPending] = useState<{ rules: RulesToSend; lines: string[] } | null>(null);
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<string | null>(null);
  const [conflict, setConflict] = useState(false);
  const [notice, setNotice] = useState('');
  const inFlight = useRef<AbortController | null>(null);
  const focusNext = useRef<string | null>(null);

  // Focus where the last step said, once it is on the page.
  useEffect(() => {
    if (!focusNext.current) return;
    document.getElementById(focusNext.current)?.focus();
    focusNext.current = null;
  });

  /** The rules in force; `again`: asked for by Reload (said, and the focus moves to them). */
  async function load(again = false) {
    inFlight.current?.abort();
    const controller = new AbortController();
    inFlight.current = controller;
    setLoading(true);
    setLoadError(null);
    try {
      const rules = await api.getDecisionRules(controller.signal);
      if (inFlight.current !== controller) return;
      setView(rules);
      setMode('view');
      setDraft(null);
      setPending(null);
      setConflict(false);
      setSaveError(null);
      setFormError(null);
      if (again) {
        setNotice(`Rules in force loaded again: version ${rules.version}.`);
        focusNext.current = 'rules-in-force-heading';
      }
    } catch (e) {
      if (isAbortError(e)) return;
      setLoadError(e instanceof ApiError ? e.detail : 'The decision rules could not be loaded.');
    } finally {
      if (inFlight.current === controller) {
        inFlight.current = null;
        setLoading(false);
      }
    }
  }

  useEffect(() => {
    void load();
    return () => inFlight.current?.abort();
    // Only when the page opens.
  }, []);

  function startEditing(current: DecisionRulesView) {
    setDraft(draftOf(current.rules));
    setUnreadable(new Set());
    setErrors({});
    setFormError(null);
    setNewId('');
    setNewIdError(null);
    setNotice('');
    setMode('edit');
    focusNext.current = 'rules-edit-heading';
  }

  function cancel() {
    setDraft(null);
    setPending(null);
    setFormError(null);
    setSaveError(null);
    setMode('view');
    focusNext.current = 'rules-edit-button';
  }

  function onThreshold(owner: string, threshold: DecisionThreshold, event: ChangeEvent<HTMLInputElement>) {
    const { value } = event.target;
    // A number input answers '' for text it cannot read ("1e", "--"): remember it, so that
    // it is refused rather than taken for an empty input (which a requestor inherits).
    const bad = event.target.validity?.badInput === true;
    const key = fieldKey(owner, threshold);
    setUnreadable((prev) => {
      if (prev.has(key) === bad) return prev;
      const next = new Set(prev);
      if (bad) next.add(key);
      else next.delete(key);
      return next;
    });
    setDraft((prev) => {
      if (!prev) return prev;
      if (owner === 'default') return { ...prev, default: { ...prev.default, [threshold]: value } };
      return {
        ...prev,
        requestors: prev.requestors.map((r) => (r.id === owner ? { ...r, values: { ...r.values, [threshold]: value } } : r)),
      };
    });
  }

  function addRequestor() {
    if (!draft) return;
    const checked = checkNewRequestorId(newId, draft.requestors.map((r) => r.id));
    if (!checked.ok) {
      setNewIdError(checked.error);
      focusNext.current = NEW_ID_INPUT;
      return;
    }
    const id = checked.value;
    const values = Object.fromEntries(REQUESTOR_THRESHOLDS.map((t) => [t, ''])) as Record<RequestorThreshold, string>;
    setDraft({ ...draft, requestors: [...draft.requestors, { id, values }] });
    setNewId('');
    setNewIdError(null);
    setNotice(`${tokenRequestorLabel(id)} added to the list.`);
    focusNext.current = inputId(id, REQUESTOR_THRESHOLDS[0]!);
  }

  function removeRequestor(id: string) {
    if (!draft) return;
    setDraft({ ...draft, requestors: draft.requestors.filter((r) => r.id !== id) });
    setErrors((prev) => Object.fromEntries(Object.entries(prev).filter(([key]) => !key.startsWith(`${id}.`))));
    setNotice(`${tokenRequestorLabel(id)} removed from the list.`);
    focusNext.current = NEW_ID_INPUT;
  }

  function review(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!draft || !view) return;
    const checked = checkDraft(draft, unreadable);
    if (!checked.ok) {
      setErrors(checked.errors);
      const count = Object.keys(checked.errors).length;
      setFormError(count === 1 ? 'One value is not valid: correct it below.' : `${count} values are not valid: correct them below.`);
      const [owner, threshold] = checked.first.split('.') as [string, DecisionThreshold];
      focusNext.current = inputId(owner, threshold);
      return;
    }
    setErrors({});
    const lines = summariseChanges(view.rules, checked.rules);
    if (lines.length === 0) {
      setFormError('Nothing to save: these are the rules in force.');
      return;
    }
    setFormError(null);
    setSaveError(null);
    setPending({ rules: checked.rules, lines });
    setMode('review');
    focusNext.current = 'rules-review-heading';
  }

  async function save() {
    if (!view || !pending) return;
    setSaving(true);
    setSaveError(null);
    setConflict(false);
    try {
      const saved = await api.putDecisionRules(view.version, pending.rules);
      setView(saved);
      setDraft(null);
      setPending(null);
      setMode('view');
      setNotice(`Rules saved: version ${saved.version}.`);
      focusNext.current = 'rules-notice';
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) {
        setConflict(true);
        focusNext.current = 'rules-save-error';
      } else if (e instanceof ApiError && e.status === 422) {
        // The rules themselves: back to the inputs, with what the service said.
        setFormError(e.detail);
        setMode('edit');
        focusNext.current = 'rules-form-error';
      } else {
        setSaveError(e instanceof ApiError ? e.detail : 'The rules could not be saved.');
        focusNext.current = 'rules-save-error';
      }
    } finally {
      setSaving(false);
    }
  }

  /** The edited default's value of a threshold, when it is a number (for the requestors' hints). */
  function defaultShown(threshold: DecisionThreshold): string {
    const raw = draft?.default[threshold].trim() ?? '';
    return /^[0-9]+$/.test(raw) ? raw : '—';
  }

  function thresholdInput(owner: string, threshold: DecisionThreshold, value: string) {
    const id = inputId(owner, threshold);
    const key = fieldKey(owner, threshold);
    const error = errors[key];
    const isDefault = owner === 'default';
    const bounds = THRESHOLD_MAX[threshold] === 255 ? '0 to 255' : '0 or more';
    const hint = isDefault ? `${bounds}.` : `${bounds}; empty: the default's (${defaultShown(threshold)}).`;
    return (
      <div className="field rules-field" key={id}>
        <label htmlFor={id}>{THRESHOLD_LABELS[threshold]}</label>
        <input
          id={id}
          type="number"
          className="input-short"
          inputMode="numeric"
          min={0}
          max={THRESHOLD_MAX[threshold]}
          step={1}
          required={isDefault}
          value={value}
          onChange={(e) => onThreshold(owner, threshold, e)}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${id}-error ${id}-hint` : `${id}-hint`}
        />
        <p id={`${id}-hint`} className="hint">
          {hint}
        </p>
        {error && (
          <p id={`${id}-error`} className="field-error">
            {error}
          </p>
        )}
      </div>
    );
  }

  return (
    <>
      <PageHeading title="Decision rules" />
      <p>
        The thresholds every tokenization request is decided with: the default, for every token requestor, and the token
        requestors that differ from it. Changes apply to the next tokenization request on both networks, Mastercard and
        Visa.
      </p>

      <ErrorAlert message={loadError} />
      {loading && !view && (
        <p className="loading" aria-live="polite">
          Loading the rules…
        </p>
      )}
      <p id="rules-notice" role="status" className="result-count" tabIndex={-1}>
        {notice}
      </p>

      {view && mode === 'view' && (
        <section aria-labelledby="rules-in-force-heading">
          <h2 id="rules-in-force-heading" tabIndex={-1}>
            Rules in force
          </h2>
          <dl className="details rules-source">
            <dt>Source</dt>
            <dd>{sourceText(view)}</dd>
            <dt>Version</dt>
            <dd>{view.version}</dd>
          </dl>
          <RulesTable view={view} />
          <div className="actions">
            <button id="rules-edit-button" type="button" className="primary" onClick={() => startEditing(view)}>
              Edit
            </button>
          </div>
        </section>
      )}

      {view && draft && mode === 'edit' && (
        <section aria-labelledby="rules-edit-heading">
          <h2 id="rules-edit-heading" tabIndex={-1}>
            Edit the decision rules
          </h2>
          <p>
            A token requestor's threshold left empty follows the default. “Attempts per card in 24 h (all wallets)” bounds
            every token requestor together, so it is set under the default only.
          </p>
          <ErrorAlert id="rules-form-error" message={formError} />
          <form className="form" onSubmit={review} noValidate aria-label="Edit the decision rules">
            <fieldset className="filters">
              <legend>{DEFAULT_LABEL}</legend>
              <div className="field-row">
                {DECISION_THRESHOLDS.map((t) => thresholdInput('default', t, draft.default[t]))}
              </div>
            </fieldset>

            {draft.requestors.map((requestor) => {
              const label = tokenRequestorLabel(requestor.id);
              const cardId = inputId(requestor.id, 'maxCardAttemptsPer24h');
              return (
                <fieldset className="filters" key={requestor.id}>
                  <legend>{label}</legend>
                  <div className="field-row">
                    {REQUESTOR_THRESHOLDS.map((t) => thresholdInput(requestor.id, t, requestor.values[t]))}
                    <div className="field rules-field">
                      <label htmlFor={cardId}>{THRESHOLD_LABELS.maxCardAttemptsPer24h}</label>
                      <input
                        id={cardId}
                        type="number"
                        className="input-short"
                        readOnly
                        value={defaultShown('maxCardAttemptsPer24h') === '—' ? '' : defaultShown('maxCardAttemptsPer24h')}
                        aria-describedby={`${cardId}-hint`}
                      />
                      <p id={`${cardId}-hint`} className="hint">
                        The default's, for every token requestor.
                      </p>
                    </div>
                  </div>
                  <div className="actions rules-remove">
                    <button type="button" aria-label={`Remove ${label}`} onClick={() => removeRequestor(requestor.id)}>
                      Remove
                    </button>
                  </div>
                </fieldset>
              );
            })}

            <div className="field-row">
              <div className="field">
                <label htmlFor={NEW_ID_INPUT}>Token requestor id</label>
                <input
                  id={NEW_ID_INPUT}
                  type="text"
                  className="input-medium"
                  inputMode="numeric"
                  autoComplete="off"
                  spellCheck={false}
                  maxLength={16}
                  value={newId}
                  onChange={(e) => setNewId(e.target.value)}
                  onKeyDown={(e) => {
                    // Enter here adds the requestor, rather than reviewing the whole form.
                    if (e.key === 'Enter') {
                      e.preventDefault();
                      addRequestor();
                    }
                  }}
                  aria-invalid={newIdError ? true : undefined}
                  aria-describedby={newIdError ? `${NEW_ID_INPUT}-error ${NEW_ID_INPUT}-hint` : `${NEW_ID_INPUT}-hint`}
                />
                <p id={`${NEW_ID_INPUT}-hint`} className="hint">
                  11 digits.
                </p>
                {newIdError && (
                  <p id={`${NEW_ID_INPUT}-error`} className="field-error">
                    {newIdError}
                  </p>
                )}
              </div>
              <div className="field field-button">
                <button type="button" onClick={addRequestor}>
                  Add token requestor
                </button>
              </div>
            </div>

            <div className="actions">
              <button type="submit" className="primary">
                Review changes
              </button>
              <button type="button" onClick={cancel}>
                Cancel
              </button>
            </div>
          </form>
        </section>
      )}

      {view && pending && mode === 'review' && (
        <section aria-labelledby="rules-review-heading">
          <h2 id="rules-review-heading" tabIndex={-1}>
            Check the changes
          </h2>
          <p>Saving replaces the rules in force (version {view.version}) with these changes:</p>
          <ul aria-label="Changes" className="rules-changes">
            {pending.lines.map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
          <p>They apply to the next tokenization request on both networks.</p>
          {conflict ? (
            <div id="rules-save-error" role="alert" className="alert alert-error" tabIndex={-1}>
              <p className="rules-conflict">{RULES_CONFLICT}</p>
              <div className="actions">
                <button type="button" onClick={() => void load(true)} disabled={loading}>
                  Reload
                </button>
              </div>
            </div>
          ) : (
            <ErrorAlert id="rules-save-error" message={saveError} />
          )}
          <div className="actions">
            <button type="button" className="primary" onClick={() => void save()} disabled={saving || conflict}>
              Save rules
            </button>
            <button
              type="button"
              disabled={saving}
              onClick={() => {
                setMode('edit');
                setSaveError(null);
                focusNext.current = 'rules-edit-heading';
              }}
            >
              Back to editing
            </button>
          </div>
          {saving && <p aria-live="polite">Saving…</p>}
        </section>
      )}
    </>
  );
}

function Value({ value, inherited }: { value: number; inherited: boolean }) {
  return (
    <>
      {value}
      {inherited && <span className="muted"> (default)</span>}
    </>
  );
}

/** The rules in force: the default, then one row per token requestor. */
function RulesTable({ view }: { view: DecisionRulesView }) {
  const base = view.rules.default;
  const requestors = Object.entries(view.rules.tokenRequestors);
  return (
    <>
      <DataTable caption="Decision rules in force" columns={COLUMNS} numeric={NUMERIC}>
        <tr>
          <th scope="row">{DEFAULT_LABEL}</th>
          {DECISION_THRESHOLDS.map((t) => (
            <td key={t} className="number">
              {base[t]}
            </td>
          ))}
        </tr>
        {requestors.map(([id, own]) => (
          <tr key={id}>
            <th scope="row">{tokenRequestorLabel(id)}</th>
            {DECISION_THRESHOLDS.map((t) => {
              const value = t === 'maxCardAttemptsPer24h' ? base[t] : (own[t] ?? base[t]);
              return (
                <td key={t} className="number">
                  <Value value={value} inherited={value === base[t]} />
                </td>
              );
            })}
          </tr>
        ))}
      </DataTable>
      {requestors.length === 0 ? (
        <p>No token requestor has thresholds of its own: the default applies to all.</p>
      ) : (
        <p className="muted">“(default)”: the token requestor takes the default's value, and follows it when it changes.</p>
      )}
    </>
  );
}
