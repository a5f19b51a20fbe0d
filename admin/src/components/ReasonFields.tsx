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
      <CommentField
        id={`${idPrefix}-comment`}
        errorId={errorId}
        required={reasonCode === 'OTHER'}
        requiredHint="Required when the reason is Other."
        comment={comment}
        onComment={onComment}
        invalid={invalid === 'comment'}
        commentRef={commentRef}
      />
    </>
  );
}

/**
 * A change's comment (the contract's Comment: at most 256 characters), optional
 * unless `required`; when `invalid` it is described by the form's error `errorId`.
 */
export function CommentField({
  id,
  errorId,
  required = false,
  requiredHint = 'Required.',
  comment,
  onComment,
  invalid,
  commentRef,
}: {
  id: string;
  errorId: string;
  required?: boolean;
  requiredHint?: string;
  comment: string;
  onComment: (comment: string) => void;
  invalid: boolean;
  commentRef: RefObject<HTMLTextAreaElement>;
}) {
  const hintId = `${id}-hint`;
  return (
    <div className="field">
      <label htmlFor={id}>Comment</label>
      <textarea
        id={id}
        ref={commentRef}
        rows={3}
        maxLength={256}
        required={required}
        aria-invalid={invalid || undefined}
        aria-describedby={invalid ? `${errorId} ${hintId}` : hintId}
        value={comment}
        onChange={(e) => onComment(e.target.value)}
      />
      <p id={hintId} className="hint">
        {required ? requiredHint : 'Optional.'} At most 256 characters.
      </p>
    </div>
  );
}
