import { screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { OWN_ROLE } from './pages/AgentsPage';
import { FakePlatform } from './test/fakePlatform';
import { headersOf, rowsOf, signIn, start } from './test/ui';
import type { User } from './test/ui';

const AGENTS = '/admin-api/v1/agents';
const ROLES = '/admin-api/v1/agent-roles';
const CREATED = '2026-03-01 08:00:00 UTC';
const EFFECT =
  'Their sessions are signed out: the new role applies at their next sign-in. A page they already have open may keep the old role for at most 15 minutes.';

let platform: FakePlatform;

beforeEach(() => {
  platform = new FakePlatform();
  vi.stubGlobal('fetch', platform.fetch);
  window.history.replaceState(null, '', '/admin/');
});

async function openAgents(user: User) {
  await signIn(user, 'admin@bank.test');
  await user.click(screen.getByRole('link', { name: 'Agents' }));
  await screen.findByRole('heading', { level: 1, name: 'Agents' });
  return screen.findByRole('table', { name: 'Agents' });
}

/** Opens the dialog of `username`'s row: the opener and the dialog. */
async function openDialog(user: User, username: string) {
  const opener = screen.getByRole('button', { name: `Change role for ${username}` });
  await user.click(opener);
  const dialog = screen.getByRole('dialog', { name: `Change role for ${username}` });
  return { opener, dialog };
}

function roleOf(username: string): string | undefined {
  return rowsOf(screen.getByRole('table', { name: 'Agents' })).find((r) => r.Agent === username)?.Role;
}

const puts = () => platform.requestsTo(ROLES).filter((r) => r.method === 'PUT');

describe('agents', () => {
  it('lists the agents and their roles for an admin; their own row has no change button', async () => {
    // GIVEN an admin on Agents (from the navigation)
    const user = start();
    const table = await openAgents(user);
    expect(screen.getByRole('link', { name: 'Agents' })).toHaveAttribute('aria-current', 'page');
    expect(screen.getByRole('heading', { level: 1, name: 'Agents' })).toHaveFocus();
    // THEN every agent is a row of a real table
    expect(table.tagName).toBe('TABLE');
    expect(headersOf(table)).toEqual(['Agent', 'Role', 'Status', 'Enabled', 'Created', 'Action']);
    expect(rowsOf(table)).toEqual([
      { Agent: 'admin@bank.test', Role: 'admin', Status: 'Confirmed', Enabled: 'Yes', Created: CREATED, Action: OWN_ROLE },
      { Agent: 'agent@bank.test', Role: 'agent', Status: 'Confirmed', Enabled: 'Yes', Created: CREATED, Action: 'Change role' },
      { Agent: 'supervisor@bank.test', Role: 'supervisor', Status: 'Confirmed', Enabled: 'Yes', Created: CREATED, Action: 'Change role' },
      { Agent: 'viewer@bank.test', Role: 'viewer', Status: 'Confirmed', Enabled: 'Yes', Created: CREATED, Action: 'Change role' },
    ]);
    // AND only the others' rows have a button (the service refuses an admin's own role)
    for (const other of ['agent@bank.test', 'supervisor@bank.test', 'viewer@bank.test']) {
      expect(screen.getByRole('button', { name: `Change role for ${other}` })).toBeInTheDocument();
    }
    expect(screen.queryByRole('button', { name: 'Change role for admin@bank.test' })).not.toBeInTheDocument();
    expect(screen.queryByText(/Only the first 1000 agents are listed/)).not.toBeInTheDocument();
    expect(platform.requestsTo(AGENTS).map((r) => r.method)).toEqual(['GET']);
    expect(platform.audit[0]).toMatchObject({ actor: 'admin@bank.test', action: 'LIST_AGENTS', result: 'SUCCEEDED' });
  });

  it('changes a role: the change shows before anything is sent, one PUT of {username, role}, then the status and the list again', async () => {
    // GIVEN an admin on Agents
    const user = start();
    await openAgents(user);
    // WHEN they open viewer@bank.test's dialog
    const { opener, dialog } = await openDialog(user, 'viewer@bank.test');
    const select = within(dialog).getByLabelText('New role');
    // THEN the choice has the focus, with every role and "No role"
    expect(select).toHaveFocus();
    expect(within(select).getAllByRole('option').map((o) => o.textContent)).toEqual([
      'Choose the new role',
      'viewer',
      'agent',
      'supervisor',
      'admin',
      'No role (no access)',
    ]);
    expect(dialog).toHaveTextContent('Current role: viewer.');
    expect(dialog).toHaveAccessibleDescription(EFFECT);
    // WHEN they choose agent
    await user.selectOptions(select, 'agent');
    // THEN the change is shown, and nothing is sent yet
    expect(within(dialog).getByText('Change: viewer → agent.')).toBeInTheDocument();
    expect(select).toHaveAccessibleDescription(expect.stringMatching(/^Change: viewer → agent\. viewer: search and read tokens/));
    expect(puts()).toHaveLength(0);

    // WHEN they confirm
    await user.click(within(dialog).getByRole('button', { name: 'Confirm role change' }));

    // THEN the dialog closes and the status says what changed
    await waitFor(() =>
      expect(screen.getByRole('status')).toHaveTextContent('viewer@bank.test: viewer → agent. Their sessions were signed out.'),
    );
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    // AND exactly one PUT went, with {username, role} and no Idempotency-Key (a PUT is idempotent)
    expect(puts()).toHaveLength(1);
    expect(puts()[0]!.url).toBe(ROLES);
    expect(puts()[0]!.body).toEqual({ username: 'viewer@bank.test', role: 'agent' });
    expect(puts()[0]!.headers['content-type']).toBe('application/json');
    expect(puts()[0]!.headers['idempotency-key']).toBeUndefined();
    expect(platform.audit.find((e) => e.action === 'SET_AGENT_ROLE')).toMatchObject({ actor: 'admin@bank.test', result: 'SUCCEEDED' });
    // AND the list is read again, and the row reads the new role
    await waitFor(() => expect(platform.requestsTo(AGENTS).map((r) => r.method)).toEqual(['GET', 'GET']));
    await waitFor(() => expect(roleOf('viewer@bank.test')).toBe('agent'));
    expect(opener).toHaveFocus();
  });

  it('takes every role away with "No role (no access)" (role: null), and says when nothing changed', async () => {
    // GIVEN an admin on Agents
    const user = start();
    await openAgents(user);
    // WHEN they take every role away from supervisor@bank.test
    const first = await openDialog(user, 'supervisor@bank.test');
    await user.selectOptions(within(first.dialog).getByLabelText('New role'), 'No role (no access)');
    expect(within(first.dialog).getByText('Change: supervisor → No role.')).toBeInTheDocument();
    await user.click(within(first.dialog).getByRole('button', { name: 'Confirm role change' }));
    // THEN the PUT says role: null, and the row reads "No role"
    await waitFor(() =>
      expect(screen.getByRole('status')).toHaveTextContent('supervisor@bank.test: supervisor → No role. Their sessions were signed out.'),
    );
    expect(puts()[0]!.body).toEqual({ username: 'supervisor@bank.test', role: null });
    await waitFor(() => expect(roleOf('supervisor@bank.test')).toBe('No role'));

    // WHEN they give agent@bank.test the role they have
    const second = await openDialog(user, 'agent@bank.test');
    await user.selectOptions(within(second.dialog).getByLabelText('New role'), 'agent');
    expect(second.dialog).toHaveTextContent('Change: agent → agent. That is their role already: nothing will change.');
    await user.click(within(second.dialog).getByRole('button', { name: 'Confirm role change' }));
    // THEN the service changed nothing, and the status says so
    await waitFor(() => expect(screen.getByRole('status')).toHaveTextContent('agent@bank.test already had that role; nothing changed.'));
    expect(puts().map((r) => r.body)).toEqual([
      { username: 'supervisor@bank.test', role: null },
      { username: 'agent@bank.test', role: 'agent' },
    ]);
    expect(roleOf('agent@bank.test')).toBe('agent');
  });

  it('wants a choice, shows the problem detail of a refusal (409), and Cancel or Escape sends nothing more', async () => {
    // GIVEN an admin in viewer@bank.test's dialog
    const user = start();
    await openAgents(user);
    const { opener, dialog } = await openDialog(user, 'viewer@bank.test');
    const select = within(dialog).getByLabelText('New role');
    // WHEN they confirm without a choice
    await user.click(within(dialog).getByRole('button', { name: 'Confirm role change' }));
    // THEN they are asked for one, and nothing is sent
    expect(within(dialog).getByRole('alert')).toHaveTextContent('Choose the new role.');
    expect(select).toHaveAttribute('aria-invalid', 'true');
    expect(select).toHaveFocus();
    expect(puts()).toHaveLength(0);

    // WHEN the service refuses the change (as it does an administrator's own role)
    await user.selectOptions(select, 'supervisor');
    platform.failNext.push({ status: 409, detail: 'You cannot change your own role; another administrator can' });
    await user.click(within(dialog).getByRole('button', { name: 'Confirm role change' }));
    // THEN its detail shows in the dialog, which keeps the choice
    expect(await within(dialog).findByRole('alert')).toHaveTextContent('You cannot change your own role; another administrator can');
    expect(select).toHaveValue('supervisor');
    expect(screen.getByRole('status')).toBeEmptyDOMElement();
    expect(roleOf('viewer@bank.test')).toBe('viewer');

    // WHEN they cancel
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    // THEN the dialog closes, the focus is back on the button, nothing more was sent
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(opener).toHaveFocus();
    // AND Escape closes it the same way
    const again = await openDialog(user, 'viewer@bank.test');
    again.dialog.dispatchEvent(new Event('cancel', { cancelable: true }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(again.opener).toHaveFocus();
    expect(puts()).toHaveLength(1);
    expect(platform.requestsTo(AGENTS)).toHaveLength(1);
  });

  it('says when only the first 1000 agents are listed, and when the list cannot be loaded', async () => {
    // GIVEN a pool with more agents than listed
    platform.agentsTruncated = true;
    const user = start();
    await openAgents(user);
    // THEN the page says so
    expect(screen.getByText('Only the first 1000 agents are listed: the user pool has more.')).toBeInTheDocument();

    // WHEN the list cannot be read (the page opened again)
    await user.click(screen.getByRole('link', { name: 'Search' }));
    await screen.findByRole('heading', { level: 1, name: 'Search tokens' });
    platform.failNext.push(503);
    await user.click(screen.getByRole('link', { name: 'Agents' }));
    // THEN the problem's detail shows, and no table
    expect(await screen.findByRole('alert')).toHaveTextContent('Injected failure');
    expect(screen.queryByRole('table')).not.toBeInTheDocument();
  });

  it('has no link for a supervisor, and the page says it is not allowed', async () => {
    // GIVEN a supervisor
    const user = start();
    await signIn(user, 'supervisor@bank.test');
    // THEN the navigation has no Agents
    const nav = screen.getByRole('navigation', { name: 'Main' });
    expect(within(nav).getByRole('link', { name: 'Audit log' })).toBeInTheDocument();
    expect(within(nav).queryByRole('link', { name: 'Agents' })).not.toBeInTheDocument();
    // WHEN they open the page's address
    window.history.pushState(null, '', '/admin/agents');
    window.dispatchEvent(new PopStateEvent('popstate'));
    // THEN it is not allowed, and the agents were never asked for
    expect(await screen.findByRole('heading', { level: 1, name: 'Not allowed' })).toBeInTheDocument();
    expect(screen.getByText('Your role does not allow this page.')).toBeInTheDocument();
    expect(screen.queryByRole('table')).not.toBeInTheDocument();
    expect(platform.requestsTo(AGENTS)).toHaveLength(0);
  });

  it('gives the agent the new role at their next sign-in', async () => {
    // GIVEN an admin who makes viewer@bank.test an agent
    const user = start();
    await openAgents(user);
    const { dialog } = await openDialog(user, 'viewer@bank.test');
    await user.selectOptions(within(dialog).getByLabelText('New role'), 'agent');
    await user.click(within(dialog).getByRole('button', { name: 'Confirm role change' }));
    await waitFor(() => expect(screen.getByRole('status')).toHaveTextContent('viewer@bank.test: viewer → agent.'));
    await user.click(screen.getByRole('button', { name: 'Sign out' }));
    // WHEN viewer@bank.test signs in
    await signIn(user, 'viewer@bank.test');
    // THEN the panel treats them as an agent: their role, and Suspend on a token
    expect(screen.getByRole('banner')).toHaveTextContent('Roles: agent');
    expect(screen.queryByRole('link', { name: 'Agents' })).not.toBeInTheDocument();
    window.history.pushState(null, '', '/admin/tokens/tok_00000001');
    window.dispatchEvent(new PopStateEvent('popstate'));
    expect(await screen.findByRole('button', { name: 'Suspend' })).toBeInTheDocument();
  });
});
