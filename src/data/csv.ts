// A small CSV reader and writer (RFC 4180: commas, double-quoted fields, CRLF or LF) and the
// number formatting that makes label CSVs round-trip bit for bit.

/**
 * Splits CSV text into rows of fields. Unquoted fields are trimmed (the Udacity simulator
 * writes ", " between fields); blank lines are skipped. Returns each row with its 1-based line.
 */
export function parseCsv(text: string): { fields: string[]; line: number }[] {
  const rows: { fields: string[]; line: number }[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let inQuotes = false;
  let line = 1;
  let rowLine = 1;
  const endField = (): void => {
    fields.push(quoted ? field : field.trim());
    field = '';
    quoted = false;
  };
  const endRow = (): void => {
    endField();
    if (fields.length > 1 || fields[0] !== '') rows.push({ fields, line: rowLine });
    fields = [];
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inQuotes) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else inQuotes = false;
      } else {
        if (ch === '\n') line++;
        field += ch;
      }
    } else if (ch === '"' && field.trim() === '') {
      inQuotes = true;
      quoted = true;
      field = '';
    } else if (ch === ',') endField();
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endRow();
      line++;
      rowLine = line;
    } else field += ch;
  }
  if (field !== '' || fields.length > 0 || quoted) endRow();
  return rows;
}

/** Quotes a field when it holds a comma, quote or line break. */
export function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** A strict decimal number (no hex, no "Infinity", no empty string), or null. */
export function parseDecimal(s: string): number | null {
  if (!DECIMAL.test(s)) return null;
  const v = Number(s);
  return Number.isFinite(v) ? v : null;
}

/**
 * The shortest text that parses back to exactly this double (ECMAScript's Number-to-String
 * guarantees that), keeping the sign of zero.
 */
export function formatNumber(v: number): string {
  return Object.is(v, -0) ? '-0' : String(v);
}
