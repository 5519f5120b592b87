// Time as racing clocks show it: m:ss.mmm, truncated (never rounded up) to the millisecond,
// so a lap shows the same digits on the HUD, the leaderboard and in `npm run verify`.

/** m:ss.mmm from whole milliseconds; '--' for anything not a finite, non-negative number. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '--';
  const whole = Math.floor(ms);
  const m = Math.floor(whole / 60000);
  const s = Math.floor((whole % 60000) / 1000);
  return `${m}:${String(s).padStart(2, '0')}.${String(whole % 1000).padStart(3, '0')}`;
}
