import { useRef, useState } from 'react';
import { useAuth } from '../auth/AuthContext';
import { ApiError } from '../api/client';
import { ROLES } from '../api/types';
import type { AgentAccount, AgentRoleChange, Role } from '../api/types';
import { ErrorAlert } from '../components/ErrorAlert';
import { Modal } from '../components/Modal';
import { ROLE_SUMMARY, rolesText } from '../lib/labels';

/** The select's value for "no role at all" (the PUT's `role: null`); '' is "not chosen yet". */
const NO_ROLE_VALUE = 'none';
type Choice = Role | typeof NO_ROLE_VALUE | '';

function isChoice(value: string): value is Choice {
  return value === '' || value === NO_ROLE_VALUE || (ROLES as readonly string[]).includes(value);
}

function roleOf(choice: Exclude<Choice, ''>): Role | null {
  return choice === NO_ROLE_VALUE ? null : choice;
}

/** The roles the agent will have: what the service answers as `after`. */
function rolesAfter(choice: Exclude<Choice, ''>): Role[] {
  const role = roleOf(choice);
  return role ? [role] : [];
}

function sameRoles(a: readonly Role[], b: readonly Role[]): boolean {
  return a.length === b.length && a.every((r) => b.includes(r));
}

/** "viewer@bank.test: viewer → agent. Their sessions were signed out.", for the page's status. */
export function changeSentence(change: AgentRoleChange): string {
  return change.signedOut
    ? `${change.username}: ${rolesText(change.before)} → ${rolesText(change.after)}. Their sessions were signed out.`
    : `${change.username} already had that role; nothing changed.`;
}

/**
 * One agent's new role: choose it, read the change ("viewer → agent") and what it does,
 * confirm. One step only: the change is shown next to the choice, before anything is sent.
 * A PUT, so confirming again after an error is safe (the same role again changes nothing).
 */
export function AgentRoleDialog({
  agent,
  onCancel,
  onDone,
}: {
  agent: AgentAccount;
  onCancel: () => void;
  onDone: (change: AgentRoleChange) => void;
}) {
  const { api } = useAuth();
  const [choice, setChoice] = useState<Choice>('');
  const [invalid, setInvalid] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const selectRef = useRef<HTMLSelectElement>(null);

  const headingId = 'agent-role-heading';
  const selectId = 'agent-role-select';
  const hintId = 'agent-role-hint';
  const changeId = 'agent-role-change';
  const effectId = 'agent-role-effect';
  const errorId = 'agent-role-error';
  const current = rolesText(agent.roles);

  async function onConfirm() {
    if (busy) return;
    if (!choice) {
      setInvalid(true);
      setError('Choose the new role.');
      selectRef.current?.focus();
      return;
    }
    setInvalid(false);
    setBusy(true);
    setError(null);
    try {
      onDone(await api.setAgentRole(agent.username, roleOf(choice)));
    } catch (e) {
      setBusy(false);
      setError(
        e instanceof ApiError
          ? e.isNetworkError
            ? `${e.detail} Confirm again to retry: setting the same role again is safe.`
            : e.detail
          : 'The role could not be changed.',
      );
    }
  }

  return (
    <Modal labelledBy={headingId} describedBy={effectId} closable={!busy} onClose={onCancel}>
      <h2 id={headingId}>Change role for {agent.username}</h2>
      <form
        className="form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void onConfirm();
        }}
      >
        <div className="field">
          <label htmlFor={selectId}>New role</label>
          <select
            id={selectId}
            ref={selectRef}
            data-autofocus
            required
            value={choice}
            disabled={busy}
            aria-invalid={invalid || undefined}
            aria-describedby={invalid ? `${errorId} ${changeId} ${hintId}` : `${changeId} ${hintId}`}
            onChange={(e) => {
              const value = e.target.value;
              setChoice(isChoice(value) ? value : '');
              setInvalid(false);
              setError(null);
            }}
          >
            <option value="">Choose the new role</option>
            {ROLES.map((role) => (
              <option key={role} value={role}>
                {role}
              </option>
            ))}
            <option value={NO_ROLE_VALUE}>No role (no access)</option>
          </select>
          <ul id={hintId} className="hint role-hint">
            {ROLES.map((role) => (
              <li key={role}>
                {role}: {ROLE_SUMMARY[role]}
              </li>
            ))}
          </ul>
        </div>
        {/* The change itself, said again whenever the choice changes. */}
        <p id={changeId} className="confirm-summary" aria-live="polite">
          {choice
            ? `Change: ${current} → ${rolesText(rolesAfter(choice))}.` +
              (sameRoles(agent.roles, rolesAfter(choice)) ? ' That is their role already: nothing will change.' : '')
            : `Current role: ${current}.`}
        </p>
        <p id={effectId}>
          Their sessions are signed out: the new role applies at their next sign-in. A page they already have open may
          keep the old role for at most 15 minutes.
        </p>
        <ErrorAlert id={errorId} message={error} />
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            Confirm role change
          </button>
          <button type="button" onClick={onCancel} disabled={busy}>
            Cancel
          </button>
        </div>
        {busy && <p aria-live="polite">Sending…</p>}
      </form>
    </Modal>
  );
}
