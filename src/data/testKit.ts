// Test support for the data layer (used by *.test.ts only): synthetic steps and clips whose
// every byte follows from the step number, content digests, an IDBFactory wrapper that runs
// out of quota on demand, and one that logs which stores each transaction opens.

import { StateHasher } from '../core/hash.ts';
import type { Meters, MetersPerSecond, Radians, Ticks } from '../core/units.ts';
import type { ClipStore } from './clipStore.ts';
import type { CameraSpec, ClipLabels, ClipMeta, LabelRow } from './clipTypes.ts';
import { CENTER_CAMERA, DRIVERS, NUMERIC_LABEL_FIELDS, frameBytes } from './clipTypes.ts';
import type { RecordedStep } from './clipWriter.ts';
import { crc32 } from './crc32.ts';

export const SIDE_CAMERAS: readonly CameraSpec[] = [
  CENTER_CAMERA,
  { id: 'left', lateralM: 0.8 as Meters, yawRad: 0.05 as Radians },
  { id: 'right', lateralM: -0.8 as Meters, yawRad: -0.05 as Radians },
];

export interface SyntheticShape {
  readonly frameWidth: number;
  readonly frameHeight: number;
  readonly cameras: readonly CameraSpec[];
  /** Varies the content between clips. */
  readonly seed?: number;
}

/** Pixel byte k of camera c at step i: a pattern that differs per step, camera and seed. */
export function syntheticFrame(i: number, c: number, shape: SyntheticShape): Uint8Array {
  const n = frameBytes(shape);
  const out = new Uint8Array(n);
  const s = (shape.seed ?? 0) * 101 + c * 53 + i * 7;
  for (let k = 0; k < n; k++) out[k] = (s + k * 13 + ((k * k) >>> 5)) & 255;
  return out;
}

/** Labels of step i (current schema): every field varies, steer sweeps -1..1 in a zigzag, drivers rotate. */
export function syntheticLabels(i: number, shape: SyntheticShape): LabelRow {
  const seed = shape.seed ?? 0;
  const phase = (i + seed * 3) % 40;
  const steer = (phase < 20 ? phase - 10 : 30 - phase) / 10;
  const cameraSteer: Partial<Record<'left' | 'right', number>> = {};
  for (const c of shape.cameras) {
    if (c.id === 'left') cameraSteer.left = Math.max(-1, steer - 0.25);
    if (c.id === 'right') cameraSteer.right = Math.min(1, steer + 0.25);
  }
  return {
    tick: (i * 3) as Ticks,
    steer,
    steerRad: (steer * 0.4363323129985824) as Radians,
    speed: (10 + (i % 17) * 0.37) as MetersPerSecond,
    torque: ((i % 11) - 5) / 5.5,
    brake: (i % 13) / 12,
    x: (i * 0.1 + seed) as Meters,
    y: (-i * 0.2) as Meters,
    heading: ((i * 0.01) % 6) as Radians,
    lateralOffset: (((i % 9) - 4) * 0.1) as Meters,
    headingError: (((i % 7) - 3) * 0.01) as Radians,
    curvatureAhead: phase < 10 ? 0.02 : phase < 20 ? 0 : -0.015,
    lapProgress: (i % 100) / 100,
    speedTarget: (12 + (i % 23) * 0.41) as MetersPerSecond,
    driver: DRIVERS[Math.floor(i / 25) % DRIVERS.length],
    cameraSteer,
  };
}

export function syntheticStep(i: number, shape: SyntheticShape): RecordedStep {
  return { frames: shape.cameras.map((_, c) => syntheticFrame(i, c, shape)), labels: syntheticLabels(i, shape) };
}

export interface RecordOptions {
  readonly steps: number;
  readonly name?: string;
  readonly frameWidth?: number;
  readonly frameHeight?: number;
  readonly cameras?: readonly CameraSpec[];
  readonly chunkSteps?: number;
  readonly seed?: number;
  readonly createdAt?: number;
  readonly trackId?: string;
}

/** Records a complete synthetic clip through the public writer. */
export async function recordSyntheticClip(store: ClipStore, o: RecordOptions): Promise<ClipMeta> {
  const shape = { frameWidth: o.frameWidth ?? 16, frameHeight: o.frameHeight ?? 8, cameras: o.cameras ?? [CENTER_CAMERA], seed: o.seed ?? 0 };
  const writer = await store.startRecording({
    name: o.name ?? `clip ${shape.seed}`,
    createdAt: o.createdAt ?? 1_700_000_000_000 + shape.seed,
    trackId: o.trackId ?? 'oval',
    theme: 'day',
    simVersion: 'test-1',
    rateHz: 20,
    chunkSteps: o.chunkSteps,
    ...shape,
  });
  for (let i = 0; i < o.steps; i++) writer.append(syntheticStep(i, shape));
  return writer.finish();
}

/** Hash of every label column (bit-exact, -0 folded to 0 by StateHasher). */
export function labelsDigest(l: ClipLabels): string {
  const h = new StateHasher().number(l.count);
  for (const f of NUMERIC_LABEL_FIELDS) h.numbers(l[f]);
  h.numbers(l.driver);
  for (const id of ['center', 'left', 'right'] as const) if (l.cameraSteer[id]) h.string(id).numbers(l.cameraSteer[id]!);
  return h.hex();
}

/** CRC-32 of every camera's frames in step order, per camera. */
export async function framesDigest(store: ClipStore, clipId: string): Promise<string> {
  const meta = await store.getMeta(clipId);
  const parts: string[] = [];
  for (const c of meta.cameras) {
    const frames = await store.readFrames(clipId, { start: 0, end: meta.frameCount, camera: c.id });
    parts.push(`${c.id}:${crc32(frames).toString(16)}:${frames.length}`);
  }
  return parts.join(' ');
}

export interface QuotaWrapper {
  readonly factory: IDBFactory;
  /** Bytes of values put so far (top-level typed arrays and ArrayBuffers counted by length, the rest ~as 64). */
  readonly usedBytes: number;
  budgetBytes: number;
  /** After one refused put, lift the budget (space freed elsewhere): later writes succeed. */
  failOnce: boolean;
}

function approxBytes(value: unknown): number {
  let n = 64;
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer) n += v.byteLength;
  }
  return n;
}

/**
 * Wraps an IDBFactory so that a put() past `budgetBytes` fails as browsers fail it:
 * 'throw' raises QuotaExceededError from put() itself; 'abort' lets put() succeed and then
 * aborts the transaction with a QuotaExceededError, as a failed commit does.
 */
export function quotaLimitedFactory(inner: IDBFactory, budgetBytes: number, mode: 'throw' | 'abort'): QuotaWrapper {
  let used = 0;
  const wrapper: QuotaWrapper = {
    budgetBytes,
    failOnce: false,
    get usedBytes() {
      return used;
    },
    factory: {
      open(name: string, version?: number) {
        const req = inner.open(name, version);
        req.addEventListener('success', () => patchDb(req.result));
        return req;
      },
      deleteDatabase: (name: string) => inner.deleteDatabase(name),
      databases: () => inner.databases(),
      cmp: (a: unknown, b: unknown) => inner.cmp(a, b),
    } as IDBFactory,
  };
  const quotaError = (): DOMException => new DOMException('The quota has been exceeded.', 'QuotaExceededError');

  function patchDb(db: IDBDatabase): void {
    const transaction = db.transaction.bind(db);
    db.transaction = ((...args: Parameters<IDBDatabase['transaction']>) => patchTx(transaction(...args))) as IDBDatabase['transaction'];
  }
  function patchTx(tx: IDBTransaction): IDBTransaction {
    const objectStore = tx.objectStore.bind(tx);
    tx.objectStore = (name: string) => patchStore(objectStore(name), tx);
    return tx;
  }
  function patchStore(store: IDBObjectStore, tx: IDBTransaction): IDBObjectStore {
    const put = store.put.bind(store);
    const add = store.add.bind(store);
    const guarded =
      (op: typeof put) =>
      (value: unknown, key?: IDBValidKey): IDBRequest<IDBValidKey> => {
        const bytes = approxBytes(value);
        if (used + bytes <= wrapper.budgetBytes) {
          used += bytes;
          return op(value, key);
        }
        if (wrapper.failOnce) wrapper.budgetBytes = Infinity;
        if (mode === 'throw') throw quotaError();
        const req = op(value, key);
        const error = quotaError();
        Object.defineProperty(tx, 'error', { get: () => error, set: () => undefined, configurable: true });
        queueMicrotask(() => {
          try {
            tx.abort();
          } catch {
            // already finished
          }
        });
        return req;
      };
    store.put = guarded(put);
    store.add = guarded(add);
    return store;
  }
  return wrapper;
}

/** An IDBFactory whose connections log the store names of every transaction they open. */
export function transactionLog(inner: IDBFactory): { readonly factory: IDBFactory; readonly log: string[][] } {
  const log: string[][] = [];
  const factory = {
    open(name: string, version?: number) {
      const req = inner.open(name, version);
      req.addEventListener('success', () => {
        const db = req.result;
        const transaction = db.transaction.bind(db);
        db.transaction = ((stores: string | string[], ...rest: [IDBTransactionMode?, IDBTransactionOptions?]) => {
          log.push(typeof stores === 'string' ? [stores] : [...stores]);
          return transaction(stores, ...rest);
        }) as IDBDatabase['transaction'];
      });
      return req;
    },
    deleteDatabase: (name: string) => inner.deleteDatabase(name),
    databases: () => inner.databases(),
    cmp: (a: unknown, b: unknown) => inner.cmp(a, b),
  } as IDBFactory;
  return { factory, log };
}
