// How the Training panel writes numbers: rates, times left, parameter and multiply-add counts,
// RMSEs against the baseline, sizes, dates, file names. Pure.

const SI = [
  { at: 1e12, suffix: 'T' },
  { at: 1e9, suffix: 'G' },
  { at: 1e6, suffix: 'M' },
  { at: 1e3, suffix: 'k' },
] as const;

/** Three significant digits, no trailing zeros past the point: 1.23, 12.3, 123, 0.0123. */
export function sig3(n: number): string {
  if (!Number.isFinite(n)) return '–';
  if (n === 0) return '0';
  const a = Math.abs(n);
  if (a >= 100) return String(Math.round(n));
  const digits = a >= 10 ? 1 : a >= 1 ? 2 : Math.min(8, 2 - Math.floor(Math.log10(a)));
  return String(Number(n.toFixed(digits)));
}

/** A count with an SI suffix: 950, 27.4k, 1.23M, 4.5G. */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return '–';
  const a = Math.abs(n);
  for (const { at, suffix } of SI) {
    // Rounding may carry into the next unit (999.95k -> 1M).
    if (a >= at * 0.9995) return `${sig3(n / at)}${suffix}`;
  }
  return String(Math.round(n));
}

/** Training speed: "412 ex/s", "1.2k ex/s", "3.4 ex/s"; "–" before there is a measurement. */
export function formatRate(examplesPerSecond: number): string {
  if (!Number.isFinite(examplesPerSecond) || examplesPerSecond <= 0) return '– ex/s';
  if (examplesPerSecond >= 1000) return `${formatCount(examplesPerSecond)} ex/s`;
  if (examplesPerSecond >= 10) return `${Math.round(examplesPerSecond)} ex/s`;
  return `${examplesPerSecond.toFixed(1)} ex/s`;
}

/** Time left: "45 s", "3 min 05 s", "1 h 02 min"; "–" when unknown. */
export function formatEta(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '–';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  const m = Math.round(s / 60);
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

/** "66×200×24". */
export function formatShape(shape: readonly number[]): string {
  return shape.join('×');
}

/** "1.23 M" style with a space, for parameter and multiply-add totals in prose. */
export function formatBig(n: number): string {
  const s = formatCount(n);
  return /[a-zA-Z]$/.test(s) ? `${s.slice(0, -1)} ${s.slice(-1)}` : s;
}

/** An RMSE (3 significant digits). */
export function formatRmse(v: number | null | undefined): string {
  return typeof v === 'number' && Number.isFinite(v) ? sig3(v) : '–';
}

/** "0.061 vs 0.182 (34%)": a model's RMSE against the constant predictor's, as a share of it. */
export function formatVsBaseline(rmse: number | null | undefined, baseline: number | null | undefined): string {
  if (typeof rmse !== 'number' || !Number.isFinite(rmse)) return '–';
  if (typeof baseline !== 'number' || !Number.isFinite(baseline) || baseline <= 0) return formatRmse(rmse);
  return `${formatRmse(rmse)} vs ${formatRmse(baseline)} (${Math.round((rmse / baseline) * 100)}%)`;
}

/**
 * "1.52 m/s vs holding the present speed: 2.14 m/s": the speed head's RMSE against the
 * speedometer baseline (the window's last measured speed, for a model that reads it), the
 * fairer bar for that head than the constant predictor. "1.52 m/s" without the baseline.
 */
export function formatVsSpeedometer(rmse: number | null | undefined, speedometer: number | null | undefined): string {
  if (typeof rmse !== 'number' || !Number.isFinite(rmse)) return '–';
  const own = `${formatRmse(rmse)} m/s`;
  return typeof speedometer === 'number' && Number.isFinite(speedometer) ? `${own} vs holding the present speed: ${formatRmse(speedometer)} m/s` : own;
}

/** Bytes in decimal units: 812 B, 1.2 MB. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '–';
  if (bytes < 1000) return `${Math.round(bytes)} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let u = -1;
  while (v >= 999.5 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${sig3(v)} ${units[u]}`;
}

/** Local date and time "2025-05-01 14:03". */
export function formatDate(ms: number): string {
  const d = new Date(ms);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** The download's name: "<name>.deepsteer-model.zip", with characters file systems refuse replaced. */
export function modelFileName(name: string): string {
  const visible = [...name].map((ch) => (ch.charCodeAt(0) < 32 ? '_' : ch)).join('');
  const safe = visible.trim().replace(/[\\/:*?"<>|]+/g, '_').replace(/\s+/g, ' ').slice(0, 120) || 'model';
  return `${safe}.deepsteer-model.zip`;
}

/** "86%" of a fraction 0..1 (floored, so 100% means done). */
export function formatPercent(fraction: number): string {
  const f = Number.isFinite(fraction) ? Math.min(1, Math.max(0, fraction)) : 0;
  return `${Math.floor(f * 100 + 1e-9)}%`;
}

/** A learning rate: "0.001", "3e-5". */
export function formatLearningRate(lr: number): string {
  if (!Number.isFinite(lr)) return '–';
  if (lr !== 0 && Math.abs(lr) < 1e-3) return lr.toExponential(1).replace(/\.0e/, 'e');
  return sig3(lr);
}

export type Verdict = 'good' | 'meh' | 'worse';

/**
 * How a model's steering error compares with the constant predictor's (always steering the
 * mean, i.e. driving straight): 'worse' at or above it, 'meh' within 80% of it, else 'good'.
 * Null without both figures.
 */
export function steeringVerdict(rmse: number | null | undefined, baseline: number | null | undefined): Verdict | null {
  if (typeof rmse !== 'number' || !Number.isFinite(rmse) || typeof baseline !== 'number' || !Number.isFinite(baseline) || baseline <= 0) return null;
  return rmse >= baseline ? 'worse' : rmse < baseline * 0.8 ? 'good' : 'meh';
}

/** The sentence the player reads after training: does it beat driving straight, and what next. */
export function verdictSentence(v: Verdict | null, onValidation: boolean): string {
  const on = onValidation ? 'on the held-out clips' : 'on its own training clips (no validation set, so this flatters it)';
  switch (v) {
    case 'good':
      return `It steers clearly better than driving straight ${on}: hand it the wheel with Drive.`;
    case 'meh':
      return `It steers only a little better than driving straight ${on}: it may drive, but more curves, more epochs or auto-recorded laps (Library) should help.`;
    case 'worse':
      return `It steers worse than driving straight ${on}, so it is not ready to drive. Record more driving with curves (or auto-record expert laps in the Library), then train again with more epochs.`;
    default:
      return '';
  }
}

/** A steering RMSE as a share of driving straight's (the constant predictor's); null without both. */
export function steeringShare(rmse: number | null | undefined, baseline: number | null | undefined): number | null {
  return typeof rmse === 'number' && Number.isFinite(rmse) && typeof baseline === 'number' && Number.isFinite(baseline) && baseline > 0 ? rmse / baseline : null;
}

/** A fine-tune against its base, both shares of driving straight's error: 5% either way is 'same'. */
export function baseChange(baseShare: number, ownShare: number): 'better' | 'same' | 'worse' {
  return ownShare < baseShare * 0.95 ? 'better' : ownShare > baseShare * 1.05 ? 'worse' : 'same';
}

/** "73%" of a share (0.734). */
export function formatShare(share: number): string {
  return `${Math.round(share * 100)}%`;
}

/**
 * What a fine-tune added, measured on the same held-out clips: its base model alone against the
 * fine-tuned one, each as a share of driving straight's steering error. '' without both figures.
 */
export function baseComparisonSentence(
  base: { rmse: number | null | undefined; baseline: number | null | undefined },
  ours: { rmse: number | null | undefined; baseline: number | null | undefined },
  baseName: string,
): string {
  const b = steeringShare(base.rmse, base.baseline);
  const o = steeringShare(ours.rmse, ours.baseline);
  if (b === null || o === null) return '';
  const what = { better: 'your driving made it better', worse: `fine-tuning made it worse on these clips (${baseName} alone drives better for now)`, same: 'about the same as before' }[baseChange(b, o)];
  return `Steering error on the same held-out clips, as a share of driving straight's: ${baseName} alone ${formatShare(b)}, yours ${formatShare(o)}: ${what}.`;
}
