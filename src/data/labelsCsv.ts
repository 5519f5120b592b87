// A clip's labels as CSV (the labels file of a clip archive): one header row, then one row per
// step in step order. Numbers are written in their shortest exact form, so parsing gives the
// same doubles bit for bit. Columns and units: docs/formats.md.

import type { CameraSpec, ClipLabels, NumericLabelField } from './clipTypes.ts';
import { DRIVERS, DRIVER_COLUMN, NUMERIC_LABEL_FIELDS, labelRowWidth, labelValueProblem } from './clipTypes.ts';
import { csvField, formatNumber, parseCsv, parseDecimal } from './csv.ts';
import { DataError } from './dataErrors.ts';

/** Header of a clip's label CSV: the numeric fields, driver, then steer_<id> per side camera. */
export function labelCsvColumns(cameras: readonly CameraSpec[]): string[] {
  return [...NUMERIC_LABEL_FIELDS, 'driver', ...cameras.filter((c) => c.id !== 'center').map((c) => `steer_${c.id}`)];
}

/** The first `count` steps (default all) as CSV text. */
export function labelsToCsv(labels: ClipLabels, cameras: readonly CameraSpec[], count = labels.count): string {
  const side = cameras.filter((c) => c.id !== 'center').map((c) => labels.cameraSteer[c.id]!);
  const lines = [labelCsvColumns(cameras).map(csvField).join(',')];
  const cells: string[] = [];
  for (let i = 0; i < count; i++) {
    cells.length = 0;
    for (const f of NUMERIC_LABEL_FIELDS) cells.push(formatNumber(labels[f][i]));
    cells.push(DRIVERS[labels.driver[i]]);
    for (const col of side) cells.push(formatNumber(col[i]));
    lines.push(cells.join(','));
  }
  return lines.join('\n') + '\n';
}

/**
 * Parses and checks a label CSV into packed rows (labelRowWidth(cameras) float64 per step,
 * as stored). Columns may come in any order; extra columns are ignored. Every refusal names
 * the file, row and column.
 */
export function parseLabelsCsv(text: string, cameras: readonly CameraSpec[], file: string): { count: number; rows: Float64Array } {
  const table = parseCsv(text);
  if (table.length === 0) throw new DataError('bad-csv', `${file} is empty (it needs a header row)`);
  const header = table[0].fields;
  const need = labelCsvColumns(cameras);
  const missing = need.filter((c) => !header.includes(c));
  if (missing.length > 0) {
    throw new DataError('bad-csv', `${file} is missing column${missing.length > 1 ? 's' : ''} ${missing.map((c) => `'${c}'`).join(', ')}`);
  }
  const at = need.map((c) => header.indexOf(c));
  const width = labelRowWidth(cameras.length);
  const count = table.length - 1;
  const rows = new Float64Array(count * width);
  const sideCams = cameras.map((c, i) => ({ c, i })).filter(({ c }) => c.id !== 'center');
  for (let r = 0; r < count; r++) {
    const { fields, line } = table[r + 1];
    const where = (col: string): string => `${file} row ${r + 1} (line ${line}), column '${col}'`;
    if (fields.length < header.length) {
      throw new DataError('bad-csv', `${file} row ${r + 1} (line ${line}) has ${fields.length} fields; the header has ${header.length}`);
    }
    const o = r * width;
    const num = (col: string, k: number, field: NumericLabelField | 'cameraSteer'): number => {
      const s = fields[at[k]];
      const v = parseDecimal(s);
      if (v === null) throw new DataError('bad-csv', `${where(col)}: '${s}' is not a number`);
      const problem = labelValueProblem(field, v);
      if (problem) throw new DataError('bad-csv', `${where(col)}: ${problem}`);
      return v;
    };
    for (let f = 0; f < NUMERIC_LABEL_FIELDS.length; f++) rows[o + f] = num(need[f], f, NUMERIC_LABEL_FIELDS[f]);
    const driver = fields[at[DRIVER_COLUMN]];
    const code = DRIVERS.indexOf(driver as (typeof DRIVERS)[number]);
    if (code < 0) throw new DataError('bad-csv', `${where('driver')}: '${driver}' is not one of ${DRIVERS.join(', ')}`);
    rows[o + DRIVER_COLUMN] = code;
    rows[o + DRIVER_COLUMN + 1] = rows[o + 1]; // center camera: steer itself (center is first)
    sideCams.forEach(({ c, i }, k) => {
      rows[o + DRIVER_COLUMN + 1 + i] = num(`steer_${c.id}`, DRIVER_COLUMN + 1 + k, 'cameraSteer');
    });
  }
  return { count, rows };
}
