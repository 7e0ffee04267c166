// How numbers and times read in the dashboard.

const GB = 1024 ** 3;
const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

/** 786432000 → "750 MB"; 1073741824 → "1 GB" (1 GB = 1024³ bytes, as the limit form converts). */
export function bytes(count) {
  let value = Number(count);
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = value >= 100 || unit === 0 ? 0 : 1;
  return `${Number(value.toFixed(digits))} ${UNITS[unit]}`;
}

export function gigabytesToBytes(gb) {
  return Math.round(Number(gb) * GB);
}

/** 1073741824 → 1; 1610612736 → 1.5: a limit as the form shows it (at most three decimals). */
export function bytesToGigabytes(count) {
  return Number((Number(count) / GB).toFixed(3));
}

/** "just now", "40 s ago", "5 min ago", "3 h ago", "2 d ago"; "never" without a time. */
export function ago(iso, now = Date.now()) {
  if (!iso) {
    return 'never';
  }
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 5) return 'just now';
  if (seconds < 90) return `${seconds} s ago`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 36 * 3600) return `${Math.round(seconds / 3600)} h ago`;
  return `${Math.round(seconds / 86400)} d ago`;
}

export function dateTime(iso) {
  return iso ? new Date(iso).toLocaleString() : '';
}

/** 420 → "0.4 s"; 12_345 → "12 s"; 95_000 → "1 min 35 s": how long something took, to the precision that matters. */
export function duration(millis) {
  const seconds = Number(millis) / 1000;
  if (seconds < 10) return `${Number(seconds.toFixed(1))} s`;
  if (seconds < 90) return `${Math.round(seconds)} s`;
  const whole = Math.round(seconds);
  return `${Math.floor(whole / 60)} min ${whole % 60} s`;
}
