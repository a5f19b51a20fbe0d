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
import { bulkHeading } from '../lib/labels';
import { checkComment } from '../lib/validate';
import { JobProgress, useJob } from './JobProgress';

type PreviewLoad = { kind: 'loading' } | { kind: 'error'; message: string } | { kind: 'ready'; preview: BulkPreview };

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
  const { job, pollError } = useJob(jobId);
  const keys = useRef(new IdempotencyKeys());
  const reasonRef = useRef<HTMLSelectElement>(null);
  const commentRef = useRef<HTMLTextAreaElement>(null);

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
        <JobProgress jobId={jobId} job={job} pollError={pollError} references={references} onClose={close} />
      )}
    </Modal>
  );
}
