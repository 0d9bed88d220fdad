/** File sizes, speeds and times left in plain words, for the app's cards and notifications. */

/** A size: "512 bytes", "1.5 MB", "4.3 GB" (decimal units, as file managers show them). */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '? bytes';
  if (n < 1000) return `${n} ${n === 1 ? 'byte' : 'bytes'}`;
  const units = ['kB', 'MB', 'GB', 'TB', 'PB'];
  let value = n / 1000;
  let i = 0;
  while (value >= 999.95 && i < units.length - 1) {
    value /= 1000;
    i += 1;
  }
  return `${value >= 100 ? Math.round(value) : value.toFixed(1)} ${units[i]}`;
}

/** A speed in bytes per second: "2.4 MB/s". */
export function formatSpeed(bytesPerSecond: number): string {
  return `${formatBytes(Math.round(bytesPerSecond))}/s`;
}

/** Time left: "a few seconds", "40 seconds", "3 minutes", "2 h 5 min"; null when unknown. */
export function formatTimeLeft(seconds: number | null): string | null {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return null;
  if (seconds < 5) return 'a few seconds';
  if (seconds < 60) return `${Math.round(seconds)} seconds`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return minutes === 1 ? '1 minute' : `${minutes} minutes`;
  const h = Math.floor(minutes / 60);
  return `${h} h ${minutes % 60} min`;
}
