import { useEffect, useRef, useState } from 'react';
import type { MouseEvent } from 'react';

/**
 * Where focus goes when a page's dialog closes: back to the button that opened it, or,
 * when that button is gone or disabled (the page changed under it), to the page's
 * status message. `opened(event)` when a button opens a dialog; `closed()` when it closes.
 */
export function useDialogFocus() {
  const openerRef = useRef<HTMLButtonElement | null>(null);
  const statusRef = useRef<HTMLDivElement>(null);
  const [closes, setCloses] = useState(0);

  useEffect(() => {
    if (!closes) return;
    const opener = openerRef.current;
    if (opener && opener.isConnected && !opener.disabled) opener.focus();
    else statusRef.current?.focus();
  }, [closes]);

  return {
    statusRef,
    opened: (event: MouseEvent<HTMLButtonElement>) => {
      openerRef.current = event.currentTarget;
    },
    closed: () => setCloses((n) => n + 1),
  };
}
