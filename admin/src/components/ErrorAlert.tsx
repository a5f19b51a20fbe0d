import { forwardRef } from 'react';

/** An error for the agent to read: announced at once (role="alert"). */
export const ErrorAlert = forwardRef<HTMLDivElement, { message: string | null | undefined; id?: string }>(
  function ErrorAlert({ message, id }, ref) {
    if (!message) return null;
    return (
      <div ref={ref} id={id} role="alert" className="alert alert-error" tabIndex={-1}>
        {message}
      </div>
    );
  },
);
