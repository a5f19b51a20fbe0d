import { Navigate, useLocation } from 'react-router-dom';
import type { ReactNode } from 'react';
import type { Permission } from '../api/types';
import { SIGNED_OUT, useAuth } from '../auth/AuthContext';
import { PageHeading } from './PageHeading';

export function Loading() {
  return (
    <p className="loading" aria-live="polite">
      Loading…
    </p>
  );
}

/** Signed-in agents only; others go to the sign-in page (and come back here after). */
export function RequireAuth({ children }: { children: ReactNode }) {
  const { status, notice } = useAuth();
  const location = useLocation();
  if (status === 'restoring' || status === 'loading-profile') return <Loading />;
  if (status === 'signed-out') {
    // Only the path travels in history state: search values never do. After an agent's
    // own sign-out the next one starts from the search page, never the last agent's page.
    const from = notice?.text === SIGNED_OUT ? '/search' : location.pathname;
    return <Navigate to="/sign-in" replace state={{ from }} />;
  }
  return <>{children}</>;
}

export function RequirePermission({ permission, children }: { permission: Permission; children: ReactNode }) {
  const { can } = useAuth();
  if (!can(permission)) {
    return (
      <>
        <PageHeading title="Not allowed" />
        <p>Your role does not allow this page.</p>
      </>
    );
  }
  return <>{children}</>;
}
