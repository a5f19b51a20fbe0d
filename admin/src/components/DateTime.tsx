import { formatDateTime } from '../lib/format';

export function DateTime({ value }: { value: string | undefined }) {
  if (!value) return <>—</>;
  return <time dateTime={value}>{formatDateTime(value)}</time>;
}
