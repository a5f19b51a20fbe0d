import { useEffect, useRef } from 'react';
import type { ReactNode } from 'react';

/**
 * The page's <h1>. It takes focus when the page opens, so that keyboard and
 * screen-reader users start at the top of the new page, and names the tab.
 */
export function PageHeading({ title, children }: { title: string; children?: ReactNode }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    ref.current?.focus();
  }, []);
  useEffect(() => {
    document.title = `${title} · Token admin`;
  }, [title]);
  return (
    <h1 ref={ref} tabIndex={-1}>
      {children ?? title}
    </h1>
  );
}
