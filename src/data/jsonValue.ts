// Plain JSON values as the data layer stores them (settings, model metas, laps, replays): the
// type, the zod schema, and the check that refuses anything JSON would not carry faithfully
// (NaN, Infinity, Dates, Maps, class instances, holes in arrays), naming where it sits and
// capping the size. Object members that are undefined are dropped, as JSON drops them.

import { z } from 'zod';
import { formatPath } from './clipManifest.ts';
import { DataError } from './dataErrors.ts';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** z.json(), except that undefined object members pass (JSON.stringify leaves them out). */
export const jsonSchema: z.ZodType<unknown> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(jsonSchema), z.record(z.string(), z.union([jsonSchema, z.undefined()]))]),
);

/**
 * Checks that `value` is plain JSON of at most `maxBytes` (UTF-8 of its JSON text). Returns
 * the text and the value as JSON reads it back. `what` starts the error ("setting 'theme'").
 */
export function toJson(value: unknown, what: string, maxBytes: number): { readonly text: string; readonly value: JsonValue } {
  // The schema and JSON.stringify recurse: refuse deep nesting first, without recursing.
  if (nestingDepth(value, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) throw new DataError('invalid-input', `${what} nests deeper than ${MAX_JSON_DEPTH} levels`);
  const parsed = jsonSchema.safeParse(value);
  if (!parsed.success) {
    const path = deepestPath(parsed.error.issues[0]);
    const at = path.length > 0 ? ` at ${formatPath(path)}` : '';
    throw new DataError('invalid-input', `${what} is not plain JSON${at} (no NaN, Infinity, dates, maps or class instances)`);
  }
  const text = JSON.stringify(value);
  const bytes = new TextEncoder().encode(text).length;
  if (bytes > maxBytes) throw new DataError('invalid-input', `${what} is ${bytes} bytes of JSON; at most ${maxBytes} are stored`);
  return { text, value: JSON.parse(text) as JsonValue };
}

/** Deepest nesting of arrays and objects the data layer stores. */
export const MAX_JSON_DEPTH = 64;

/** Nesting depth of `value` (iterative; stops counting once past `limit`). */
export function nestingDepth(value: unknown, limit: number): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    deepest = Math.max(deepest, d + 1);
    if (deepest > limit) return deepest;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, d + 1]);
  }
  return deepest;
}

/** Where the value went wrong: the schema reports a union at the top, the culprit sits in its deepest branch. */
function deepestPath(issue: z.core.$ZodIssue): PropertyKey[] {
  let best: PropertyKey[] = [...issue.path];
  if (issue.code !== 'invalid_union') return best;
  for (const branch of issue.errors) {
    for (const sub of branch) {
      const path = [...issue.path, ...deepestPath(sub)];
      if (path.length > best.length) best = path;
    }
  }
  return best;
}
