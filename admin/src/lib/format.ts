const pad = (n: number) => String(n).padStart(2, '0');

/** "2026-05-01 14:03:22 UTC": one unambiguous form for every agent, whatever their time zone. */
export function formatDateTime(iso: string | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return (
    `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())} ` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} UTC`
  );
}

/** Today's date in UTC as YYYY-MM-DD (the audit log's days are UTC days). */
export function todayUtc(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}

export function maskedCard(last4: string | undefined): string {
  return last4 ? `•••• ${last4}` : '—';
}

/** "DEVICE_LOST" → "Device lost", "cardStatus" → "Card status". */
export function humanise(code: string): string {
  const words = code
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_\s-]+/g, ' ')
    .trim()
    .toLowerCase();
  return words ? words[0]!.toUpperCase() + words.slice(1) : code;
}

export function orDash(value: string | undefined | null): string {
  return value && value.trim() ? value : '—';
}
