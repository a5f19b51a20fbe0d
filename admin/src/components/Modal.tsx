import { useEffect, useRef } from 'react';
import type { KeyboardEvent, ReactNode } from 'react';

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/**
 * A modal <dialog>: the page behind is inert, Tab stays inside, Escape closes it
 * (unless `closable` is false, e.g. while a request is on its way). The opener
 * gets focus back from whoever closes it.
 */
export function Modal({
  labelledBy,
  describedBy,
  closable,
  onClose,
  wide,
  children,
}: {
  labelledBy: string;
  describedBy?: string;
  closable: boolean;
  /** Room for a table. */
  wide?: boolean;
  onClose: () => void;
  children: ReactNode;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const onCloseRef = useRef(onClose);
  onCloseRef.current = onClose;
  const closableRef = useRef(closable);
  closableRef.current = closable;
  const unmountingRef = useRef(false);

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    unmountingRef.current = false;
    if (!dialog.open) {
      if (typeof dialog.showModal === 'function') dialog.showModal();
      else dialog.setAttribute('open', '');
    }
    const first = dialog.querySelector<HTMLElement>('[data-autofocus]') ?? dialog.querySelector<HTMLElement>(FOCUSABLE);
    first?.focus();
    return () => {
      unmountingRef.current = true;
      if (dialog.open && typeof dialog.close === 'function') dialog.close();
    };
  }, []);

  function onKeyDown(event: KeyboardEvent<HTMLDialogElement>) {
    if (event.key !== 'Tab' || !ref.current) return;
    const items = Array.from(ref.current.querySelectorAll<HTMLElement>(FOCUSABLE)).filter(
      (el) => !el.hasAttribute('hidden') && el.getClientRects().length > 0,
    );
    if (items.length === 0) return;
    const first = items[0]!;
    const last = items[items.length - 1]!;
    const active = document.activeElement;
    if (event.shiftKey && (active === first || !ref.current.contains(active))) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (active === last || !ref.current.contains(active))) {
      event.preventDefault();
      first.focus();
    }
  }

  return (
    <dialog
      ref={ref}
      className={wide ? 'dialog dialog-wide' : 'dialog'}
      aria-modal="true"
      aria-labelledby={labelledBy}
      {...(describedBy ? { 'aria-describedby': describedBy } : {})}
      onKeyDown={onKeyDown}
      onCancel={(event) => {
        // Escape: we close it ourselves, so that React's state stays the truth.
        event.preventDefault();
        if (closableRef.current) onCloseRef.current();
      }}
      onClose={() => {
        // Closed by the browser anyway (a second Escape): keep React's state in step.
        if (!unmountingRef.current) onCloseRef.current();
      }}
    >
      {children}
    </dialog>
  );
}
