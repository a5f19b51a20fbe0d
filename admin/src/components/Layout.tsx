import { useState } from 'react';
import type { MouseEvent } from 'react';
import { Link, Outlet, useLocation, useNavigate } from 'react-router-dom';
import { useAuth } from '../auth/AuthContext';
import { SearchMemoryProvider } from '../pages/searchMemory';

function NavLink({ to, current, children }: { to: string; current: boolean; children: string }) {
  return (
    <Link to={to} {...(current ? { 'aria-current': 'page' as const } : {})}>
      {children}
    </Link>
  );
}

/** The signed-in frame: who is signed in, where they can go, and the page. */
export function Layout() {
  const { me, can, signOut } = useAuth();
  const { pathname } = useLocation();
  const navigate = useNavigate();
  const [signingOut, setSigningOut] = useState(false);

  function skipToMain(event: MouseEvent<HTMLAnchorElement>) {
    event.preventDefault();
    document.getElementById('main')?.focus();
  }

  return (
    <SearchMemoryProvider>
      <a className="skip-link" href="#main" onClick={skipToMain}>
        Skip to main content
      </a>
      <header className="site-header">
        <div className="brand">Token admin</div>
        <nav aria-label="Main">
          <ul>
            <li>
              <NavLink to="/search" current={pathname === '/' || pathname === '/search'}>
                Search
              </NavLink>
            </li>
            {can('reports.read') && (
              <li>
                <NavLink to="/reports" current={pathname === '/reports'}>
                  Reports
                </NavLink>
              </li>
            )}
            {can('audit.read') && (
              <li>
                <NavLink to="/audit" current={pathname === '/audit'}>
                  Audit log
                </NavLink>
              </li>
            )}
            {can('rules.manage') && (
              <li>
                <NavLink to="/decision-rules" current={pathname === '/decision-rules'}>
                  Decision rules
                </NavLink>
              </li>
            )}
            {can('agents.manage') && (
              <li>
                <NavLink to="/agents" current={pathname === '/agents'}>
                  Agents
                </NavLink>
              </li>
            )}
          </ul>
        </nav>
        <div className="who">
          <span>
            Signed in as <strong>{me?.email}</strong>
          </span>
          <span className="roles">Roles: {me?.roles.length ? me.roles.join(', ') : 'none'}</span>
          <button
            type="button"
            disabled={signingOut}
            onClick={() => {
              setSigningOut(true);
              // Leave the page first, so that no guard records it as where to come back to:
              // the next agent starts from the search page. Then the session is dropped.
              navigate('/sign-in', { replace: true, state: { from: '/search' } });
              void signOut();
            }}
          >
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </SearchMemoryProvider>
  );
}
