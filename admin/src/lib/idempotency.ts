/** A fresh Idempotency-Key (a UUID: 36 characters of [0-9a-f-], as the contract's pattern allows). */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  // crypto.randomUUID exists only in secure contexts; getRandomValues everywhere.
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * One key per intended change: the same change confirmed again (a retry after a
 * network error, or Back then Confirm without changing anything) reuses its key,
 * so the server answers the replay with its first answer instead of acting twice;
 * a different change gets a new key.
 */
export class IdempotencyKeys {
  private current: { change: string; key: string } | null = null;
  private readonly make: () => string;

  constructor(make: () => string = newIdempotencyKey) {
    this.make = make;
  }

  keyFor(change: unknown): string {
    const fingerprint = JSON.stringify(change);
    if (this.current?.change !== fingerprint) {
      this.current = { change: fingerprint, key: this.make() };
    }
    return this.current.key;
  }
}
