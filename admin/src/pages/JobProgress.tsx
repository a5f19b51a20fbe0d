import { useEffect, useRef, useState } from 'react';
import { useAuth } from '../auth/AuthContext';
import { ApiError, isAbortError } from '../api/client';
import type { JobResponse } from '../api/types';
import { DataTable } from '../components/DataTable';
import { ErrorAlert } from '../components/ErrorAlert';
import { jobStatusText, networkStatusLabel, outcomeLabel } from '../lib/labels';

/** How often a running job is asked for its progress. */
export const JOB_POLL_MS = 1000;

/** "Job <jobId>: 2 succeeded, 0 failed of 3." and, once it has finished, "Done." or "Finished with failures." */
export function jobSentence(job: JobResponse): string {
  const progress = `Job ${job.jobId}: ${job.succeeded} succeeded, ${job.failed} failed of ${job.total}.`;
  const finished = jobStatusText(job.status);
  return finished ? `${progress} ${finished}` : progress;
}

/**
 * Follows a job (GET /jobs/{jobId}) once there is one: at once, then every
 * second until it is no longer RUNNING. A transient fault (no answer, 503, 429)
 * is said and the polling goes on; any other stops it.
 */
export function useJob(jobId: string | null): { job: JobResponse | null; pollError: string | null } {
  const { api } = useAuth();
  const [job, setJob] = useState<JobResponse | null>(null);
  const [pollError, setPollError] = useState<string | null>(null);

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
        const transient = !(e instanceof ApiError) || e.isNetworkError || e.status === 503 || e.status === 429;
        const detail = e instanceof ApiError ? e.detail : 'The job’s progress could not be loaded.';
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

  return { job, pollError };
}

/**
 * A started job's progress (as useJob follows it): a status sentence that gets
 * focus when it appears, the items, and Close. `references` names the tokens
 * it knows (tokenId → token reference); the others show as their id.
 */
export function JobProgress({
  jobId,
  job,
  pollError,
  references,
  onClose,
}: {
  jobId: string;
  job: JobResponse | null;
  pollError: string | null;
  references?: ReadonlyMap<string, string>;
  onClose: () => void;
}) {
  const statusRef = useRef<HTMLParagraphElement>(null);
  const finished = job !== null && job.status !== 'RUNNING';

  // Once the job has started, focus goes to its progress.
  useEffect(() => {
    statusRef.current?.focus();
  }, [jobId]);

  return (
    <section aria-label="Job">
      <p ref={statusRef} role="status" tabIndex={-1} className="confirm-summary">
        {job ? jobSentence(job) : `Job ${jobId}: started.`}
      </p>
      <ErrorAlert message={pollError} />
      {job && job.items.length > 0 && (
        <DataTable caption="Job items" columns={['Token', 'Outcome', 'Network']}>
          {job.items.map((item) => (
            <tr key={item.tokenId}>
              <td>{references?.get(item.tokenId) ?? item.tokenId}</td>
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
        <button type="button" className="primary" onClick={onClose}>
          Close
        </button>
      </div>
    </section>
  );
}
