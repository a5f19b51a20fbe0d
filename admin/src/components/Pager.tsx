/** Previous / next page of a cursor-paged list. */
export function Pager({
  page,
  hasNext,
  busy,
  onPrevious,
  onNext,
}: {
  page: number;
  hasNext: boolean;
  busy: boolean;
  onPrevious: () => void;
  onNext: () => void;
}) {
  if (page <= 1 && !hasNext) return null;
  return (
    <nav className="pager" aria-label="Pages">
      {page > 1 && (
        <button type="button" onClick={onPrevious} disabled={busy}>
          Previous page
        </button>
      )}
      <span>Page {page}</span>
      {hasNext && (
        <button type="button" onClick={onNext} disabled={busy}>
          Next page
        </button>
      )}
    </nav>
  );
}
