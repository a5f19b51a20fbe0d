import type { ReactNode } from 'react';

/**
 * A real <table> with a caption and <th scope="col"> headers, in a box that
 * scrolls sideways on narrow screens (and can be scrolled from the keyboard).
 */
export function DataTable({
  caption,
  columns,
  numeric = [],
  children,
}: {
  caption: string;
  columns: string[];
  /** Columns of numbers: right-aligned, header and cells (the cells carry className="number"). */
  numeric?: string[];
  children: ReactNode;
}) {
  return (
    <div className="table-wrap" tabIndex={0} role="group" aria-label={`${caption} (scrollable)`}>
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            {columns.map((column) => (
              <th key={column} scope="col" {...(numeric.includes(column) ? { className: 'number' } : {})}>
                {column}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
