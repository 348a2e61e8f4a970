/**
 * A moment as people read it: the time of day when it is today, else the date and the time.
 */
export function when(ms: number, now: number): string {
  const at = new Date(ms);
  return at.toDateString() === new Date(now).toDateString() ? at.toLocaleTimeString() : at.toLocaleString();
}
