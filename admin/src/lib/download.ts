/**
 * Saves a file the service made (a CSV) under `fileName`: a Blob URL and a
 * temporary <a download>, since the call needed the bearer token and so could not
 * be a plain link. The URL is let go once the browser has taken the file.
 */
export function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.rel = 'noopener';
  link.hidden = true;
  document.body.appendChild(link);
  try {
    link.click();
  } finally {
    link.remove();
    window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
}

/** "funnel-2026-03-01-2026-03-07.csv": letters, digits and dashes only, always ending in .csv. */
export function csvFileName(...parts: string[]): string {
  const stem = parts
    .map((p) => p.replace(/[^A-Za-z0-9-]+/g, '-').replace(/^-+|-+$/g, ''))
    .filter(Boolean)
    .join('-');
  return `${stem || 'export'}.csv`;
}
