// A clip's labels as CSV (the labels file of a clip archive): one header row, then one row per
// step in step order. Numbers are written in their shortest exact form, so parsing gives the
// same doubles bit for bit; a label not recorded (NaN speedTarget) is an empty cell. The
// columns depend on the clip's schema version (schema 1 has no speedTarget). Columns and
// units: docs/formats.md.

import type { ClipLabels, LabelLayout, NumericLabelField } from './clipTypes.ts';
import { CLIP_SCHEMA_VERSION, DRIVERS, DRIVER_COLUMN, NUMERIC_LABEL_FIELDS, labelFieldsOf, labelRowWidth, labelValueProblem } from './clipTypes.ts';
import { csvField, formatNumber, parseCsv, parseDecimal } from './csv.ts';
import { DataError } from './dataErrors.ts';

/** Header of a clip's label CSV: the schema's numeric fields, driver, then steer_<id> per side camera. */
export function labelCsvColumns(layout: LabelLayout): string[] {
  const side = layout.cameras.filter((c) => c.id !== 'center').map((c) => `steer_${c.id}`);
  return [...labelFieldsOf(layout.schemaVersion), 'driver', ...side];
}

/** A numeric cell: empty for a label not recorded (NaN), else the shortest exact decimal. */
function formatCell(v: number): string {
  return Number.isNaN(v) ? '' : formatNumber(v);
}

/** The first `count` steps (default all) as CSV text, in the columns of the layout's schema version. */
export function labelsToCsv(labels: ClipLabels, layout: LabelLayout, count = labels.count): string {
  const fields = labelFieldsOf(layout.schemaVersion);
  const side = layout.cameras.filter((c) => c.id !== 'center').map((c) => labels.cameraSteer[c.id]!);
  const lines = [labelCsvColumns(layout).map(csvField).join(',')];
  const cells: string[] = [];
  for (let i = 0; i < count; i++) {
    cells.length = 0;
    for (const f of fields) cells.push(formatCell(labels[f][i]));
    cells.push(DRIVERS[labels.driver[i]]);
    for (const col of side) cells.push(formatCell(col[i]));
    lines.push(cells.join(','));
  }
  return lines.join('\n') + '\n';
}

/**
 * Parses and checks a label CSV written with the layout's schema version into packed rows of
 * the CURRENT schema (labelRowWidth(cameras) float64 per step, as stored by this build):
 * columns an older schema lacks (speedTarget in schema 1) are NaN. Columns may come in any
 * order; extra columns are ignored. Every refusal names the file, row and column.
 */
export function parseLabelsCsv(text: string, layout: LabelLayout, file: string): { count: number; rows: Float64Array } {
  const { cameras } = layout;
  const table = parseCsv(text);
  if (table.length === 0) throw new DataError('bad-csv', `${file} is empty (it needs a header row)`);
  const header = table[0].fields;
  const need = labelCsvColumns(layout);
  const missing = need.filter((c) => !header.includes(c));
  if (missing.length > 0) {
    throw new DataError('bad-csv', `${file} is missing column${missing.length > 1 ? 's' : ''} ${missing.map((c) => `'${c}'`).join(', ')}`);
  }
  const at = need.map((c) => header.indexOf(c));
  const fields = labelFieldsOf(layout.schemaVersion);
  const width = labelRowWidth(cameras.length, CLIP_SCHEMA_VERSION);
  const count = table.length - 1;
  const rows = new Float64Array(count * width);
  const sideCams = cameras.map((c, i) => ({ c, i })).filter(({ c }) => c.id !== 'center');
  for (let r = 0; r < count; r++) {
    const { fields: cells, line } = table[r + 1];
    const where = (col: string): string => `${file} row ${r + 1} (line ${line}), column '${col}'`;
    if (cells.length < header.length) {
      throw new DataError('bad-csv', `${file} row ${r + 1} (line ${line}) has ${cells.length} fields; the header has ${header.length}`);
    }
    const o = r * width;
    const num = (col: string, k: number, field: NumericLabelField | 'cameraSteer'): number => {
      const s = cells[at[k]];
      // Only speedTarget may be left empty: not recorded.
      const v = s === '' && field === 'speedTarget' ? NaN : parseDecimal(s);
      if (v === null) throw new DataError('bad-csv', `${where(col)}: '${s}' is not a number`);
      const problem = labelValueProblem(field, v);
      if (problem) throw new DataError('bad-csv', `${where(col)}: ${problem}`);
      return v;
    };
    for (let f = 0; f < fields.length; f++) rows[o + f] = num(need[f], f, fields[f]);
    for (let f = fields.length; f < NUMERIC_LABEL_FIELDS.length; f++) rows[o + f] = NaN;
    const driver = cells[at[fields.length]];
    const code = DRIVERS.indexOf(driver as (typeof DRIVERS)[number]);
    if (code < 0) throw new DataError('bad-csv', `${where('driver')}: '${driver}' is not one of ${DRIVERS.join(', ')}`);
    rows[o + DRIVER_COLUMN] = code;
    rows[o + DRIVER_COLUMN + 1] = rows[o + 1]; // center camera: steer itself (center is first)
    sideCams.forEach(({ c, i }, k) => {
      rows[o + DRIVER_COLUMN + 1 + i] = num(`steer_${c.id}`, fields.length + 1 + k, 'cameraSteer');
    });
  }
  return { count, rows };
}
