import { useEffect, useRef, useState } from 'react';
import { useAuth } from '../auth/AuthContext';
import { ApiError } from '../api/client';
import { REASON_CODES } from '../api/types';
import type { Action, ActionRequest, ActionResult, TokenPage } from '../api/types';
import { ErrorAlert } from '../components/ErrorAlert';
import { Modal } from '../components/Modal';
import { ReasonFields } from '../components/ReasonFields';
import { IdempotencyKeys } from '../lib/idempotency';
import { ACTION_TEXT, reasonLabel } from '../lib/labels';
import { checkComment } from '../lib/validate';

type Step = 'form' | 'confirm';

/**
 * Choose a reason (and a comment), read what will happen, confirm. One
 * Idempotency-Key per intended change: confirming the same change again after
 * an error reuses it, so the change is never applied twice.
 */
export function ActionDialog({
  action,
  token,
  onCancel,
  onDone,
}: {
  action: Action;
  token: TokenPage;
  onCancel: () => void;
  onDone: (result: ActionResult) => void;
}) {
  const { api } = useAuth();
  const text = ACTION_TEXT[action];
  const reasons = REASON_CODES[action];
  const [step, setStep] = useState<Step>('form');
  const [reasonCode, setReasonCode] = useState('');
  const [comment, setComment] = useState('');
  const [invalid, setInvalid] = useState<'reason' | 'comment' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [request, setRequest] = useState<ActionRequest | null>(null);
  const keys = useRef(new IdempotencyKeys());
  const reasonRef = useRef<HTMLSelectElement>(null);
  const commentRef = useRef<HTMLTextAreaElement>(null);
  const summaryRef = useRef<HTMLParagraphElement>(null);

  const headingId = `action-${action}-heading`;

  // On the summary, focus goes to it (read it first, Confirm is one Tab away);
  // back on the form, to the reason.
  const shown = useRef(false);
  useEffect(() => {
    if (!shown.current) {
      shown.current = true; // the Modal focuses the first field on opening
      return;
    }
    if (step === 'confirm') summaryRef.current?.focus();
    else reasonRef.current?.focus();
  }, [step]);

  function onContinue() {
    setError(null);
    if (!reasonCode) {
      setInvalid('reason');
      setError('Choose a reason.');
      reasonRef.current?.focus();
      return;
    }
    const checked = checkComment(comment, reasonCode === 'OTHER');
    if (!checked.ok) {
      setInvalid('comment');
      setError(checked.error);
      commentRef.current?.focus();
      return;
    }
    setInvalid(null);
    setRequest(checked.value ? { reasonCode, comment: checked.value } : { reasonCode });
    setStep('confirm');
  }

  function onBack() {
    setError(null);
    setStep('form');
  }

  async function onConfirm() {
    if (!request || busy) return;
    const key = keys.current.keyFor({ tokenId: token.tokenId, action, request });
    setBusy(true);
    setError(null);
    try {
      const result = await api.act(token.tokenId, action, request, key);
      onDone(result);
    } catch (e) {
      setBusy(false);
      setError(
        e instanceof ApiError
          ? e.isNetworkError
            ? `${e.detail} Confirm again to retry: the change will not be applied twice.`
            : e.detail
          : 'The request failed.',
      );
    }
  }

  return (
    <Modal labelledBy={headingId} closable={!busy} onClose={onCancel}>
      <h2 id={headingId}>{text.heading}</h2>
      {step === 'form' ? (
        <form
          className="form"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            onContinue();
          }}
        >
          <ReasonFields
            idPrefix="action"
            errorId="action-error"
            reasons={reasons}
            reasonCode={reasonCode}
            onReasonCode={setReasonCode}
            comment={comment}
            onComment={setComment}
            invalid={invalid}
            reasonRef={reasonRef}
            commentRef={commentRef}
          />
          <ErrorAlert id="action-error" message={error} />
          <div className="actions">
            <button type="submit" className="primary">
              Continue
            </button>
            <button type="button" onClick={onCancel}>
              Cancel
            </button>
          </div>
        </form>
      ) : (
        <div className="confirm">
          <p ref={summaryRef} tabIndex={-1} className="confirm-summary">
            You are about to {text.verb} token {token.tokenReference} (reason: {reasonLabel(request?.reasonCode)}). The
            network will be asked to apply it.
            {action === 'delete' && ' A deleted token cannot be used again.'}
          </p>
          {request?.comment && <p className="muted">Comment: {request.comment}</p>}
          <ErrorAlert message={error} />
          <div className="actions">
            <button type="button" className={action === 'delete' ? 'danger' : 'primary'} onClick={onConfirm} disabled={busy}>
              Confirm
            </button>
            <button type="button" onClick={onBack} disabled={busy}>
              Back
            </button>
          </div>
          {busy && <p aria-live="polite">Sending…</p>}
        </div>
      )}
    </Modal>
  );
}
