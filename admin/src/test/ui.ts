/** What the page tests share: start the panel at a path, sign in, read a table. */
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { createElement } from 'react';
import { App } from '../App';

export type User = ReturnType<typeof userEvent.setup>;

export function start(path = '/admin/'): User {
  window.history.replaceState(null, '', path);
  const user = userEvent.setup();
  render(createElement(App, { config: { mode: 'local' } }));
  return user;
}

export async function signIn(user: User, email: string): Promise<void> {
  await user.type(await screen.findByLabelText('Email'), email);
  await user.type(screen.getByLabelText('Password'), 'local-password');
  await user.click(screen.getByRole('button', { name: 'Sign in' }));
  await screen.findByRole('button', { name: 'Sign out' });
}

export function headersOf(table: HTMLElement): string[] {
  return within(table)
    .getAllByRole('columnheader')
    .map((th) => th.textContent ?? '');
}

/** The body rows as { header: cell text }. */
export function rowsOf(table: HTMLElement): Record<string, string>[] {
  const headers = headersOf(table);
  return within(table)
    .getAllByRole('row')
    .slice(1)
    .map((row) => {
      const cells = within(row).getAllByRole('cell').map((td) => td.textContent ?? '');
      return Object.fromEntries(headers.map((h, i) => [h, cells[i] ?? '']));
    });
}
