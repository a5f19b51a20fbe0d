import { useEffect, useRef, useState } from 'react';
import { useAuth } from '../auth/AuthContext';
import { ApiError, isAbortError } from '../api/client';
import { REASON_CODES } from '../api/types';
import type { BulkAction, BulkActionRequest, BulkPreview, BulkPreviewItem, BulkTarget, JobResponse } from '../api/types';
import { DataTable } from '../components/DataTable';
import { ErrorAlert } from '../components/ErrorAlert';
import { Modal } from '../components/Modal';
import { ReasonFields } from '../components/ReasonFields';
import { IdempotencyKeys } from '../lib/idempotency';
import { bulkHeading, jobStatusText, networkStatusLabel, outcomeLabel } from '../lib/labels';
import { checkComment } from '../lib/validate';

/** How often a running job is asked for its progress. */
export const JOB_POLL_MS = 1000;

type PreviewLoad = { kind: 'loading' } | { kind: 'error'; message: string } | { kind: 'ready'; preview: BulkPreview };

/** "Job <jobId>: 2 succeeded, 0 failed of 3." and, once it has finished, "Done." or "Finished with failures." */
export function jobSentence(job: JobResponse): string {
  const progress = `Job ${job.jobId}: ${job.succeeded} succeeded, ${job.failed} failed of ${job.total}.`;
  const finished = jobStatusText(job.status);
  return finished ? `${progress} ${finished}` : progress;
}

function detailOf(error: unknown, fallback: string): string {
  return error instanceof ApiError ? error.detail : fallback;
}

function PreviewTable({ caption, items }: { caption: string; items: BulkPreviewItem[] }) {
  return (
    <DataTable caption={caption} columns={['Token reference', 'Network', 'Status']}>
      {items.map((t) => (
        <tr key={t.tokenId}>
          <td>{t.tokenReference}</td>
          <td>{t.network}</td>
          <td>
            <span className={`badge status-${t.status.toLowerCase()}`}>{t.status}</span>
          </td>
        </tr>
      ))}
    </DataTable>
  );
}

/**
 * An action on every token of a card or device: first what it would change
 * (nothing changes yet), then a reason and Start, then the job's progress until
 * it has finished. One Idempotency-Key per intended start: starting the same
 * job again after an error reuses it, so the server never starts it twice.
 */
export function BulkDialog({
  action,
  target,
  onClose,
}: {
  action: BulkAction;
  target: BulkTarget;
  /** `job` is null when no job was started; `last` is the job as last seen. */
  onClose: (job: { jobId: string; last: JobResponse | null } | null) => void;
}) {
  const { api } = useAuth();
  const reasons = REASON_CODES[action];
  const targetId = target.kind === 'card' ? target.cardId : target.deviceId;
  const targetRef = useRef(target);
  targetRef.current = target;
  const [preview, setPreview] = useState<PreviewLoad>({ kind: 'loading' });
  const [reasonCode, setReasonCode] = useState('');
  const [comment, setComment] = useState('');
  const [invalid, setInvalid] = useState<'reason' | 'comment' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [jobId, setJobId] = useState<string | null>(null);
  const [job, setJob] = useState<JobResponse | null>(null);
  const [pollError, setPollError] = useState<string | null>(null);
  const keys = useRef(new IdempotencyKeys());
  const reasonRef = useRef<HTMLSelectElement>(null);
  const commentRef = useRef<HTMLTextAreaElement>(null);
  const jobStatusRef = useRef<HTMLParagraphElement>(null);

  const headingId = `bulk-${action}-heading`;

  useEffect(() => {
    const controller = new AbortController();
    setPreview({ kind: 'loading' });
    api.previewBulk(targetRef.current, action, controller.signal).then(
      (result) => setPreview({ kind: 'ready', preview: result }),
      (e: unknown) => {
        if (isAbortError(e)) return;
        setPreview({ kind: 'error', message: detailOf(e, 'The tokens could not be loaded.') });
      },
    );
    return () => controller.abort();
    // `target` counts by what it names (kind and id), not by identity.
  }, [api, action, target.kind, targetId]);

  // Follow the job: at once, then every second until it is no longer RUNNING.
  useEffect(() => {
    if (!jobId) return;
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const poll = async () => {
      try {
        const next = await api.getJob(jobId, controller.signal);
        if (stopped) return;
        setJob(next);
        setPollError(null);
        if (next.status === 'RUNNING') timer = setTimeout(() => void poll(), JOB_POLL_MS);
      } catch (e) {
        if (stopped || isAbortError(e)) return;
        // A transient fault: say so and keep asking; anything else stops the polling.
        const transient = !(e instanceof ApiError) || e.isNetworkError || e.status === 503 || e.status === 429;
        const detail = detailOf(e, 'The job’s progress could not be loaded.');
        setPollError(transient ? `${detail} Trying again…` : detail);
        if (transient) timer = setTimeout(() => void poll(), JOB_POLL_MS);
      }
    };
    void poll();
    return () => {
      stopped = true;
      controller.abort();
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [api, jobId]);

  // Once the job has started, focus goes to its progress.
  useEffect(() => {
    if (jobId) jobStatusRef.current?.focus();
  }, [jobId]);

  async function onStart() {
    if (busy || jobId || preview.kind !== 'ready' || preview.preview.changing === 0) return;
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
    const request: BulkActionRequest = checked.value ? { reasonCode, comment: checked.value } : { reasonCode };
    const key = keys.current.keyFor({ target: target.kind, id: targetId, action, request });
    setBusy(true);
    try {
      const accepted = await api.startBulk(target, action, request, key);
      setBusy(false);
      setJobId(accepted.jobId);
    } catch (e) {
      setBusy(false);
      setError(
        e instanceof ApiError
          ? e.isNetworkError
            ? `${e.detail} Start again to retry: the tokens will not be changed twice.`
            : e.detail
          : 'The request failed.',
      );
    }
  }

  function close() {
    onClose(jobId ? { jobId, last: job } : null);
  }

  const ready = preview.kind === 'ready' ? preview.preview : null;
  const changing = ready ? ready.tokens.filter((t) => t.changes) : [];
  const unchanged = ready ? ready.tokens.filter((t) => !t.changes) : [];
  const references = new Map((ready?.tokens ?? []).map((t) => [t.tokenId, t.tokenReference]));
  const finished = job !== null && job.status !== 'RUNNING';

  return (
    <Modal labelledBy={headingId} closable={!busy} onClose={close} wide>
      <h2 id={headingId}>{bulkHeading(action, target)}</h2>

      <section aria-label="Preview" aria-busy={preview.kind === 'loading'}>
        {preview.kind === 'loading' && <p aria-live="polite">Loading the tokens…</p>}
        <ErrorAlert message={preview.kind === 'error' ? preview.message : null} />
        {ready && (
          <>
            <p className="confirm-summary">
              {ready.changing} of {ready.total} tokens will change.
              {ready.tokens.length < ready.total && ` The first ${ready.tokens.length} are listed.`}
            </p>
            {changing.length > 0 && <PreviewTable caption="Tokens that will change" items={changing} />}
            {unchanged.length > 0 && <PreviewTable caption="Tokens left as they are" items={unchanged} />}
          </>
        )}
      </section>

      {!jobId ? (
        <form
          className="form"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            void onStart();
          }}
        >
          <ReasonFields
            idPrefix="bulk"
            errorId="bulk-error"
            reasons={reasons}
            reasonCode={reasonCode}
            onReasonCode={setReasonCode}
            comment={comment}
            onComment={setComment}
            invalid={invalid}
            reasonRef={reasonRef}
            commentRef={commentRef}
          />
          <ErrorAlert id="bulk-error" message={error} />
          <div className="actions">
            <button
              type="submit"
              className={action === 'delete' ? 'danger' : 'primary'}
              disabled={busy || !ready || ready.changing === 0}
            >
              Start
            </button>
            <button type="button" onClick={close} disabled={busy}>
              Cancel
            </button>
          </div>
          {busy && <p aria-live="polite">Starting…</p>}
        </form>
      ) : (
        <section aria-label="Job">
          <p ref={jobStatusRef} role="status" tabIndex={-1} className="confirm-summary">
            {job ? jobSentence(job) : `Job ${jobId}: started.`}
          </p>
          <ErrorAlert message={pollError} />
          {job && job.items.length > 0 && (
            <DataTable caption="Job items" columns={['Token', 'Outcome', 'Network']}>
              {job.items.map((item) => (
                <tr key={item.tokenId}>
                  <td>{references.get(item.tokenId) ?? item.tokenId}</td>
                  <td>
                    <span className={`badge result-${item.outcome.toLowerCase()}`}>{outcomeLabel(item.outcome)}</span>
                    {item.problem?.detail && <span className="muted"> {item.problem.detail}</span>}
                  </td>
                  <td>{networkStatusLabel(item.networkStatus)}</td>
                </tr>
              ))}
            </DataTable>
          )}
          {!finished && <p className="muted">The job goes on if you close this window.</p>}
          <div className="actions">
            <button type="button" className="primary" onClick={close}>
              Close
            </button>
          </div>
        </section>
      )}
    </Modal>
  );
}
