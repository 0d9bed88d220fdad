/** Dates and times for people, in the user's locale. */

const timeFmt = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dayFmt = new Intl.DateTimeFormat(undefined, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
const fullFmt = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const shortDayFmt = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short' });

/** "14:05": the time of day. */
export function formatTime(ms: number): string {
  return timeFmt.format(ms);
}

/** "Tuesday, 25 November 2026": the heading of a day in a conversation. */
export function formatDay(ms: number): string {
  return dayFmt.format(ms);
}

/** "25 Nov 2026, 14:05": a full date and time. */
export function formatDateTime(ms: number): string {
  return fullFmt.format(ms);
}

/** True when both instants fall on the same local calendar day. */
export function sameDay(a: number, b: number): boolean {
  const x = new Date(a);
  const y = new Date(b);
  return x.getFullYear() === y.getFullYear() && x.getMonth() === y.getMonth() && x.getDate() === y.getDate();
}

/** Time today, otherwise the day and month: what a contact list shows beside the last message. */
export function formatListTime(ms: number, now: number = Date.now()): string {
  return sameDay(ms, now) ? formatTime(ms) : shortDayFmt.format(ms);
}

/** "Reconnecting…" for an offline contact being rejoined, with when the next attempt starts if one is waiting. */
export function reconnectingWords(rejoining: { readonly next: number | null }): string {
  return rejoining.next === null ? 'Reconnecting…' : `Reconnecting… next try at ${formatTime(rejoining.next)}`;
}
