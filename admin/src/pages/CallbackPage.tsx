import { useEffect, useRef, useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { useAuth } from '../auth/AuthContext';
import { ErrorAlert } from '../components/ErrorAlert';
import { PageHeading } from '../components/PageHeading';

/** /admin/callback: the hosted UI's way back; completes code + PKCE. */
export function CallbackPage() {
  const { config, completeCognitoSignIn } = useAuth();
  const navigate = useNavigate();
  const [error, setError] = useState<string | null>(null);
  const started = useRef(false);

  useEffect(() => {
    if (started.current) return; // the code can be exchanged once only
    started.current = true;
    if (config.mode !== 'cognito') {
      setError('Sign-in failed: this panel does not use the hosted sign-in page.');
      return;
    }
    completeCognitoSignIn()
      .then((returnTo) => navigate(returnTo, { replace: true }))
      .catch(() => setError('Sign-in failed: the sign-in could not be completed. Try again.'));
  }, [config.mode, completeCognitoSignIn, navigate]);

  return (
    <main id="main" className="sign-in" tabIndex={-1}>
      <PageHeading title="Signing in" />
      {error ? (
        <>
          <ErrorAlert message={error} />
          <p>
            <Link to="/sign-in" replace>
              Back to sign-in
            </Link>
          </p>
        </>
      ) : (
        <p aria-live="polite">Completing sign-in…</p>
      )}
    </main>
  );
}
