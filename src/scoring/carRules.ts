// Which cars a replay may carry. Only the default car is ranked; any other car is re-simulated,
// if at all, with every parameter inside a whitelisted range (the physics stays stable and a
// verification stays cheap), and it is reported as modified, listing what changed.

import { type CarParams, DEFAULT_CAR } from '../sim/car.ts';

export interface ParamRange {
  readonly min: number;
  readonly max: number;
  readonly integer?: boolean;
}

/** Half to twice the default for every physical parameter; 1..8 physics sub-steps per tick. */
export const CAR_PARAM_RANGES: Readonly<Record<keyof CarParams, ParamRange>> = Object.fromEntries(
  (Object.keys(DEFAULT_CAR) as (keyof CarParams)[]).map((k) => [
    k,
    k === 'substeps' ? { min: 1, max: 8, integer: true } : { min: DEFAULT_CAR[k] / 2, max: DEFAULT_CAR[k] * 2 },
  ]),
) as Record<keyof CarParams, ParamRange>;

export interface CarChange {
  readonly param: keyof CarParams;
  readonly value: number;
  readonly default: number;
}

export type CarCheck =
  | { ok: true; params: CarParams; changes: CarChange[] }
  | { ok: false; field: string; reason: string };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Checks a replay's `car` field: 'default', or an object of whitelisted parameters in range. */
export function checkCar(raw: unknown): CarCheck {
  if (raw === 'default') return { ok: true, params: DEFAULT_CAR, changes: [] };
  if (!isRecord(raw)) return { ok: false, field: 'car', reason: 'must be "default" or an object of car parameters' };
  const params: Record<string, number> = { ...DEFAULT_CAR };
  const changes: CarChange[] = [];
  for (const [k, v] of Object.entries(raw)) {
    if (!Object.hasOwn(CAR_PARAM_RANGES, k)) return { ok: false, field: `car.${k}`, reason: 'is not a car parameter this game knows' };
    const key = k as keyof CarParams;
    const r = CAR_PARAM_RANGES[key];
    if (typeof v !== 'number' || !Number.isFinite(v)) return { ok: false, field: `car.${k}`, reason: 'must be a finite number' };
    if (v < r.min || v > r.max || (r.integer && !Number.isInteger(v))) {
      return { ok: false, field: `car.${k}`, reason: `must be ${r.integer ? 'an integer ' : ''}within ${r.min}..${r.max}, got ${v}` };
    }
    params[key] = v;
    if (v !== DEFAULT_CAR[key]) changes.push({ param: key, value: v, default: DEFAULT_CAR[key] });
  }
  return { ok: true, params: params as unknown as CarParams, changes };
}

/** The parameters of `params` that differ from the default car (what a replay stores). */
export function carDiff(params: CarParams): Partial<CarParams> | 'default' {
  const diff: Record<string, number> = {};
  for (const k of Object.keys(DEFAULT_CAR) as (keyof CarParams)[]) if (params[k] !== DEFAULT_CAR[k]) diff[k] = params[k];
  return Object.keys(diff).length === 0 ? 'default' : (diff as Partial<CarParams>);
}

/** "power 60000 -> 180000, substeps 4 -> 8" */
export function describeChanges(changes: readonly CarChange[]): string {
  return changes.map((c) => `${c.param} ${c.default} -> ${c.value}`).join(', ');
}
