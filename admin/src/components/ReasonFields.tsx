import type { RefObject } from 'react';
import { reasonLabel } from '../lib/labels';

/**
 * The reason and comment of a change (one token's or a bulk action's): a
 * required reason among `reasons`, a comment required only with OTHER. The
 * field that is wrong is marked and described by the form's error `errorId`.
 */
export function ReasonFields({
  idPrefix,
  errorId,
  reasons,
  reasonCode,
  onReasonCode,
  comment,
  onComment,
  invalid,
  reasonRef,
  commentRef,
}: {
  idPrefix: string;
  errorId: string;
  reasons: readonly string[];
  reasonCode: string;
  onReasonCode: (code: string) => void;
  comment: string;
  onComment: (comment: string) => void;
  invalid: 'reason' | 'comment' | null;
  reasonRef: RefObject<HTMLSelectElement>;
  commentRef: RefObject<HTMLTextAreaElement>;
}) {
  const hintId = `${idPrefix}-comment-hint`;
  return (
    <>
      <div className="field">
        <label htmlFor={`${idPrefix}-reason`}>Reason</label>
        <select
          id={`${idPrefix}-reason`}
          ref={reasonRef}
          data-autofocus
          required
          value={reasonCode}
          aria-invalid={invalid === 'reason' || undefined}
          aria-describedby={invalid === 'reason' ? errorId : undefined}
          onChange={(e) => onReasonCode(e.target.value)}
        >
          <option value="">Choose a reason</option>
          {reasons.map((code) => (
            <option key={code} value={code}>
              {reasonLabel(code)}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${idPrefix}-comment`}>Comment</label>
        <textarea
          id={`${idPrefix}-comment`}
          ref={commentRef}
          rows={3}
          maxLength={256}
          required={reasonCode === 'OTHER'}
          aria-invalid={invalid === 'comment' || undefined}
          aria-describedby={invalid === 'comment' ? `${errorId} ${hintId}` : hintId}
          value={comment}
          onChange={(e) => onComment(e.target.value)}
        />
        <p id={hintId} className="hint">
          {reasonCode === 'OTHER' ? 'Required when the reason is Other.' : 'Optional.'} At most 256 characters.
        </p>
      </div>
    </>
  );
}
