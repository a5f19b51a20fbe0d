import type { ReactNode } from 'react';

/**
 * A real <table> with a caption and <th scope="col"> headers, in a box that
 * scrolls sideways on narrow screens (and can be scrolled from the keyboard).
 */
export function DataTable({ caption, columns, children }: { caption: string; columns: string[]; children: ReactNode }) {
  return (
    <div className="table-wrap" tabIndex={0} role="group" aria-label={`${caption} (scrollable)`}>
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            {columns.map((column) => (
              <th key={column} scope="col">
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
