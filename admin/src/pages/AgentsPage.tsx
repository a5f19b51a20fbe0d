import { useEffect, useRef, useState } from 'react';
import type { MouseEvent } from 'react';
import { ApiError, isAbortError } from '../api/client';
import type { AgentAccount, AgentList, AgentRoleChange } from '../api/types';
import { useAuth } from '../auth/AuthContext';
import { DataTable } from '../components/DataTable';
import { DateTime } from '../components/DateTime';
import { ErrorAlert } from '../components/ErrorAlert';
import { PageHeading } from '../components/PageHeading';
import { useDialogFocus } from '../lib/dialogFocus';
import { agentStatusLabel, rolesText } from '../lib/labels';
import { AgentRoleDialog, changeSentence } from './AgentRoleDialog';

const COLUMNS = ['Agent', 'Role', 'Status', 'Enabled', 'Created', 'Action'];
/** The most GET /agents lists (AgentList's maxItems). */
const LIST_LIMIT = 1000;
export const OWN_ROLE = 'Your own role (another administrator can change it)';

/** The signed-in administrator's own row: the service refuses to change it (409), so it has no button. */
function isOwn(agent: AgentAccount, email: string | undefined): boolean {
  return !!email && agent.username.toLowerCase() === email.toLowerCase();
}

/**
 * The agents of the admin user pool and their roles (admin, `agents.manage`). "Change
 * role for …" opens a dialog: the new role, the change shown, confirm (a PUT); the
 * agent's sessions are signed out and the new role applies at their next sign-in.
 */
export function AgentsPage() {
  const { api, me } = useAuth();
  const [list, setList] = useState<AgentList | null>(null);
  const [loading, setLoading] = useState(true);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [editing, setEditing] = useState<AgentAccount | null>(null);
  const [notice, setNotice] = useState('');
  const inFlight = useRef<AbortController | null>(null);
  const focus = useDialogFocus();

  async function load() {
    inFlight.current?.abort();
    const controller = new AbortController();
    inFlight.current = controller;
    setLoading(true);
    setLoadError(null);
    try {
      const answer = await api.listAgents(controller.signal);
      if (inFlight.current === controller) setList(answer);
    } catch (e) {
      if (isAbortError(e)) return;
      setLoadError(e instanceof ApiError ? e.detail : 'The agents could not be loaded.');
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

  function openDialog(agent: AgentAccount, event: MouseEvent<HTMLButtonElement>) {
    focus.opened(event);
    setNotice('');
    setEditing(agent);
  }

  function closeDialog() {
    setEditing(null);
    focus.closed();
  }

  function onChanged(change: AgentRoleChange) {
    setNotice(changeSentence(change));
    // The row says the new role at once; the list read again is the service's word.
    setList((prev) =>
      prev && {
        ...prev,
        agents: prev.agents.map((a) => (a.username === change.username ? { ...a, roles: change.after } : a)),
      },
    );
    closeDialog();
    void load();
  }

  return (
    <>
      <PageHeading title="Agents" />
      <p>
        The agents of the admin user pool and their roles. A new role applies at the agent's next sign-in: their sessions
        are signed out when it changes. Your own role can only be changed by another administrator.
      </p>

      <ErrorAlert message={loadError} />
      {loading && !list && (
        <p className="loading" aria-live="polite">
          Loading the agents…
        </p>
      )}
      <div ref={focus.statusRef} role="status" className={notice ? 'alert alert-success' : 'visually-empty'} tabIndex={-1}>
        {notice}
      </div>

      {list && (
        <section className="results" aria-label="Agents" aria-busy={loading}>
          {list.truncated && (
            <p className="notice">Only the first {LIST_LIMIT} agents are listed: the user pool has more.</p>
          )}
          {list.agents.length === 0 ? (
            <p>The user pool has no agent.</p>
          ) : (
            <AgentsTable agents={list.agents} email={me?.email} onChange={openDialog} />
          )}
        </section>
      )}

      {editing && <AgentRoleDialog agent={editing} onCancel={closeDialog} onDone={onChanged} />}
    </>
  );
}

function AgentsTable({
  agents,
  email,
  onChange,
}: {
  agents: AgentAccount[];
  email: string | undefined;
  onChange: (agent: AgentAccount, event: MouseEvent<HTMLButtonElement>) => void;
}) {
  return (
    <DataTable caption="Agents" columns={COLUMNS}>
      {agents.map((agent) => (
        <tr key={agent.username}>
          <td>{agent.username}</td>
          <td>{rolesText(agent.roles)}</td>
          <td>{agentStatusLabel(agent.status)}</td>
          <td>{agent.enabled ? 'Yes' : 'No'}</td>
          <td className="nowrap">
            <DateTime value={agent.createdAt} />
          </td>
          <td>
            {isOwn(agent, email) ? (
              <span className="muted">{OWN_ROLE}</span>
            ) : (
              <button type="button" aria-label={`Change role for ${agent.username}`} onClick={(e) => onChange(agent, e)}>
                Change role
              </button>
            )}
          </td>
        </tr>
      ))}
    </DataTable>
  );
}
