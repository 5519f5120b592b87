// How the library writes numbers for the player: sizes, durations, dates, counts, steering,
// who drove a clip and whether it is usable. Pure, so the wording is tested in Node.

import type { ClipMeta, Driver } from '../../data/index.ts';
import { DRIVERS } from '../../data/index.ts';

/** Decimal units (1 MB = 10^6 bytes), as browsers and operating systems report storage. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '?';
  if (bytes < 1000) return `${Math.round(bytes)} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = bytes / 1000;
  let u = 0;
  while (v >= 999.5 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  // Three significant digits: 1.23 MB, 12.3 MB, 123 MB.
  const text = v >= 99.95 ? v.toFixed(0) : v >= 9.995 ? v.toFixed(1) : v.toFixed(2);
  return `${text} ${units[u]}`;
}

/** Seconds as "4.5 s" (under 10 s), "45 s", "1:05", "1:02:03". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  if (seconds < 9.95) return `${seconds.toFixed(1)} s`;
  if (seconds < 59.5) return `${Math.round(seconds)} s`;
  const total = Math.round(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** A playback position: "0:03.25" (minutes, seconds, hundredths). */
export function formatClock(seconds: number): string {
  const s = Math.max(0, seconds);
  const m = Math.floor(s / 60);
  return `${m}:${(s - m * 60).toFixed(2).padStart(5, '0')}`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * A recording date in local time, as short as stays unambiguous against `nowMs`:
 * "today 14:02", "yesterday 09:10", "3 Jan 14:02" (this year), "3 Jan 2025" (other years).
 */
export function formatDate(ms: number, nowMs: number): string {
  if (!Number.isFinite(ms)) return '?';
  const d = new Date(ms);
  const now = new Date(nowMs);
  const hm = `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
  const dayStart = (x: Date): number => new Date(x.getFullYear(), x.getMonth(), x.getDate()).getTime();
  const today = dayStart(now);
  const day = dayStart(d);
  if (day === today) return `today ${hm}`;
  const yesterday = dayStart(new Date(now.getFullYear(), now.getMonth(), now.getDate() - 1));
  if (day === yesterday) return `yesterday ${hm}`;
  const dm = `${d.getDate()} ${MONTHS[d.getMonth()]}`;
  return d.getFullYear() === now.getFullYear() ? `${dm} ${hm}` : `${dm} ${d.getFullYear()}`;
}

/** An integer with thousands separated by commas (locale-free, so tests and e2e read the same). */
export function formatCount(n: number): string {
  const s = String(Math.round(Math.abs(n)));
  const grouped = s.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return n < 0 ? `-${grouped}` : grouped;
}

/** A steer value (-1..1, + = left) as the player reads it: "0.12 L", "0.30 R", "0.00". */
export function formatSteer(steer: number): string {
  const a = Math.abs(steer);
  if (a < 0.005) return '0.00';
  return `${a.toFixed(2)} ${steer > 0 ? 'L' : 'R'}`;
}

export function clipDurationS(meta: Pick<ClipMeta, 'frameCount' | 'rateHz'>): number {
  return meta.frameCount / meta.rateHz;
}

/**
 * Who drove a clip, from its per-step driver codes: the drivers by share, largest first;
 * a driver under 100% gets its share ("expert 80% · takeover 20%"); shares under 1% are
 * shown as "<1%" so a short takeover is not hidden.
 */
export function driverSummary(codes: Uint8Array): string {
  if (codes.length === 0) return '';
  const counts = new Map<Driver | 'unknown', number>();
  for (const c of codes) {
    const d = DRIVERS[c] ?? 'unknown';
    counts.set(d, (counts.get(d) ?? 0) + 1);
  }
  const parts = [...counts].sort((a, b) => b[1] - a[1]);
  if (parts.length === 1) return parts[0][0];
  return parts
    .map(([d, n]) => {
      const pct = (100 * n) / codes.length;
      return `${d} ${pct < 1 ? '<1' : Math.round(pct)}%`;
    })
    .join(' · ');
}

export type ClipStatus = 'complete' | 'recording' | 'incomplete';

/**
 * "incomplete": the meta says recording never finished and no writer of this store is on it,
 * so a tab closed mid-recording; the player may recover it.
 */
export function clipStatus(meta: Pick<ClipMeta, 'complete'>, recording: boolean): ClipStatus {
  if (recording) return 'recording';
  return meta.complete ? 'complete' : 'incomplete';
}

/** A track id as a name: presets by their title, seeds as "seed 12345". */
export function trackLabel(trackId: string, presetNames: ReadonlyMap<string, string>): string {
  const name = presetNames.get(trackId);
  if (name) return name;
  return /^\d+$/.test(trackId) ? `seed ${trackId}` : trackId;
}

/** A file name for an export: "deepsteer-clips-2026-01-03-1402.zip", from local time. */
export function exportFileName(kind: 'clips' | 'udacity', ms: number): string {
  const d = new Date(ms);
  const p = (n: number): string => String(n).padStart(2, '0');
  const stamp = `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}`;
  return `deepsteer-${kind}-${stamp}.zip`;
}

/** The clip name an imported file suggests: its name without folders and extension. */
export function nameFromFileName(fileName: string): string {
  const base = fileName.split(/[\\/]/).pop() ?? fileName;
  const stem = base.replace(/\.zip$/i, '').trim();
  return (stem || 'Imported clip').slice(0, 200);
}
