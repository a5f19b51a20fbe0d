import { useEffect, useRef, useState } from 'react';
import { useAuth } from '../auth/AuthContext';
import { ApiError } from '../api/client';
import { CARD_EVENTS } from '../api/types';
import type { CardEventRequest, CardEventType, JobResponse } from '../api/types';
import { ErrorAlert } from '../components/ErrorAlert';
import { Modal } from '../components/Modal';
import { CommentField } from '../components/ReasonFields';
import { IdempotencyKeys } from '../lib/idempotency';
import { CARD_EVENT_TEXT, cardEventConfirmLabel } from '../lib/labels';
import { checkComment } from '../lib/validate';
import { JobProgress, useJob } from './JobProgress';

type Step = 'form' | 'confirm';

function isCardEvent(value: string): value is CardEventType {
  return (CARD_EVENTS as readonly string[]).includes(value);
}

/**
 * What happened to a card (lost, stolen, blocked, …): choose it, read what it
 * does to every token of the card, confirm; then the job's progress until it
 * has finished. One Idempotency-Key per intended report: reporting the same
 * again after an error reuses it, so the server never starts it twice.
 */
export function CardEventDialog({
  cardId,
  events,
  references,
  onClose,
}: {
  cardId: string;
  /** The events this agent may report (TokenPage.cardEvents). */
  events: readonly CardEventType[];
  /** Tokens the panel knows by reference (tokenId → token reference), for the job's items. */
  references?: ReadonlyMap<string, string>;
  /** `job` is null when no job was started; `last` is the job as last seen. */
  onClose: (job: { jobId: string; last: JobResponse | null } | null) => void;
}) {
  const { api } = useAuth();
  const offered = CARD_EVENTS.filter((e) => events.includes(e));
  const [step, setStep] = useState<Step>('form');
  const [type, setType] = useState<CardEventType | ''>('');
  const [comment, setComment] = useState('');
  const [invalid, setInvalid] = useState<'type' | 'comment' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [request, setRequest] = useState<CardEventRequest | null>(null);
  const [jobId, setJobId] = useState<string | null>(null);
  const { job, pollError } = useJob(jobId);
  const keys = useRef(new IdempotencyKeys());
  const typeRef = useRef<HTMLSelectElement>(null);
  const commentRef = useRef<HTMLTextAreaElement>(null);
  const summaryRef = useRef<HTMLParagraphElement>(null);

  const headingId = 'card-event-heading';
  const effectId = 'card-event-effect';
  const errorId = 'card-event-error';

  // On the summary, focus goes to it (Confirm is one Tab away); back on the
  // form, to "What happened". Once the job has started, JobProgress takes it.
  const shown = useRef(false);
  useEffect(() => {
    if (!shown.current) {
      shown.current = true; // the Modal focuses the first field on opening
      return;
    }
    if (step === 'confirm') summaryRef.current?.focus();
    else typeRef.current?.focus();
  }, [step]);

  function onContinue() {
    setError(null);
    if (!type) {
      setInvalid('type');
      setError('Choose what happened to the card.');
      typeRef.current?.focus();
      return;
    }
    const checked = checkComment(comment, false);
    if (!checked.ok) {
      setInvalid('comment');
      setError(checked.error);
      commentRef.current?.focus();
      return;
    }
    setInvalid(null);
    setRequest(checked.value ? { type, comment: checked.value } : { type });
    setStep('confirm');
  }

  function onBack() {
    setError(null);
    setStep('form');
  }

  async function onConfirm() {
    if (!request || busy || jobId) return;
    const key = keys.current.keyFor({ cardId, request });
    setBusy(true);
    setError(null);
    try {
      const accepted = await api.postCardEvent(cardId, request, key);
      setBusy(false);
      setJobId(accepted.jobId);
    } catch (e) {
      setBusy(false);
      setError(
        e instanceof ApiError
          ? e.isNetworkError
            ? `${e.detail} Report it again to retry: the tokens will not be changed twice.`
            : e.detail
          : 'The request failed.',
      );
    }
  }

  function close() {
    onClose(jobId ? { jobId, last: job } : null);
  }

  const danger = (t: CardEventType | '' | undefined) => t === 'LOST' || t === 'STOLEN' || t === 'CLOSED';

  return (
    <Modal labelledBy={headingId} closable={!busy} onClose={close}>
      <h2 id={headingId}>Report card {cardId}</h2>
      {jobId ? (
        <JobProgress jobId={jobId} job={job} pollError={pollError} references={references} onClose={close} />
      ) : step === 'form' ? (
        <form
          className="form"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            onContinue();
          }}
        >
          <div className="field">
            <label htmlFor="card-event-type">What happened</label>
            <select
              id="card-event-type"
              ref={typeRef}
              data-autofocus
              required
              value={type}
              aria-invalid={invalid === 'type' || undefined}
              aria-describedby={invalid === 'type' ? `${errorId} ${effectId}` : effectId}
              onChange={(e) => setType(isCardEvent(e.target.value) ? e.target.value : '')}
            >
              <option value="">Choose what happened</option>
              {offered.map((event) => (
                <option key={event} value={event}>
                  {CARD_EVENT_TEXT[event].label}
                </option>
              ))}
            </select>
            <p id={effectId} className="hint" aria-live="polite">
              {type
                ? CARD_EVENT_TEXT[type].effect
                : 'Choose what happened to the card: every token of the card follows.'}
            </p>
          </div>
          <CommentField
            id="card-event-comment"
            errorId={errorId}
            comment={comment}
            onComment={setComment}
            invalid={invalid === 'comment'}
            commentRef={commentRef}
          />
          <ErrorAlert id={errorId} message={error} />
          <div className="actions">
            <button type="submit" className="primary">
              Continue
            </button>
            <button type="button" onClick={close}>
              Cancel
            </button>
          </div>
        </form>
      ) : (
        <div className="confirm">
          <p ref={summaryRef} tabIndex={-1} className="confirm-summary">
            You are about to report card {cardId} {request ? CARD_EVENT_TEXT[request.type].word : ''}.{' '}
            {request && CARD_EVENT_TEXT[request.type].effect} The networks will be asked to apply it, as a job.
          </p>
          {request?.comment && <p className="muted">Comment: {request.comment}</p>}
          <ErrorAlert message={error} />
          <div className="actions">
            <button
              type="button"
              className={danger(request?.type) ? 'danger' : 'primary'}
              onClick={() => void onConfirm()}
              disabled={busy}
            >
              {request ? cardEventConfirmLabel(cardId, request.type) : 'Confirm'}
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
