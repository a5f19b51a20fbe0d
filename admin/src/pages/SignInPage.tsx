import { useState } from 'react';
import type { FormEvent } from 'react';
import { Navigate, useLocation } from 'react-router-dom';
import { useAuth } from '../auth/AuthContext';
import { safeReturnPath } from '../auth/cognito';
import { SignInError } from '../auth/localSignIn';
import { ErrorAlert } from '../components/ErrorAlert';
import { PageHeading } from '../components/PageHeading';
import { Loading } from '../components/RequireAuth';

export const SIGN_IN_FAILED = 'Sign-in failed: check your e-mail and password.';
const SIGN_IN_UNAVAILABLE = 'Sign-in failed: the service could not be reached. Try again.';

export function SignInPage() {
  const auth = useAuth();
  const location = useLocation();
  const from = safeReturnPath((location.state as { from?: unknown } | null)?.from);

  if (auth.status === 'signed-in') return <Navigate to={from} replace />;
  if (auth.status === 'restoring') return <Loading />;

  return (
    <main id="main" className="sign-in" tabIndex={-1}>
      <PageHeading title="Sign in">Sign in to Token admin</PageHeading>
      <p>For the issuer’s customer-service agents.</p>
      {auth.notice &&
        (auth.notice.kind === 'error' ? (
          <ErrorAlert message={auth.notice.text} />
        ) : (
          <p role="status" className="alert alert-info">
            {auth.notice.text}
          </p>
        ))}
      {auth.config.mode === 'local' ? <LocalSignInForm /> : <CognitoSignIn returnTo={from} />}
    </main>
  );
}

function LocalSignInForm() {
  const { signInLocal, status } = useAuth();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      // On success the page is left for the one the agent came for.
      await signInLocal(email.trim(), password);
    } catch (e) {
      setError(e instanceof SignInError && e.kind === 'unavailable' ? SIGN_IN_UNAVAILABLE : SIGN_IN_FAILED);
    } finally {
      setBusy(false);
    }
  }

  const working = busy || status === 'loading-profile';
  return (
    <form className="form sign-in-form" onSubmit={onSubmit} noValidate aria-describedby={error ? 'sign-in-error' : undefined}>
      <ErrorAlert id="sign-in-error" message={error} />
      <div className="field">
        <label htmlFor="sign-in-email">Email</label>
        <input
          id="sign-in-email"
          name="email"
          type="email"
          autoComplete="username"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor="sign-in-password">Password</label>
        <input
          id="sign-in-password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
      </div>
      <button type="submit" className="primary" disabled={working} aria-busy={working}>
        Sign in
      </button>
    </form>
  );
}

function CognitoSignIn({ returnTo }: { returnTo: string }) {
  const { startCognitoSignIn } = useAuth();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function onClick() {
    setBusy(true);
    setError(null);
    try {
      await startCognitoSignIn(returnTo); // leaves the page for the hosted UI
    } catch {
      setError('Sign-in could not start: the sign-in service could not be reached. Try again.');
      setBusy(false);
    }
  }

  return (
    <div className="form">
      <ErrorAlert message={error} />
      <p>You will sign in on the bank’s sign-in page, with your second factor.</p>
      <button type="button" className="primary" onClick={onClick} disabled={busy}>
        Sign in
      </button>
    </div>
  );
}
