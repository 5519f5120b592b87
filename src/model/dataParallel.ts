// Data-parallel training over two replicas (issue 15, "both cores train"): tfjs's wasm backend
// runs one thread, so a second worker holds a replica of the net with the same weights and the
// same optimiser state. Each step the trainer (train.ts) splits its prepared batch in two halves
// of about equal frames, sends one half to the peer, computes the gradient of its own half, and
// the two replicas swap gradients (transferred Float32Arrays over a MessagePort). Both add them
// (float addition commutes, so both get the same bits), clip and apply the same update: the
// replicas stay identical without ever sending weights after the start.
//
// The loss of a half is written with the whole batch's denominators (example count, or the sum of
// the example weights), so the two halves' gradients add up to the whole batch's gradient: the
// same loss curve as one worker, up to float rounding. A run of frames may be cut between the
// halves: both pieces keep the T-1 frames the cut windows need (encoded twice) and the run's
// augmentation draw. Dropout (off by default) draws its own masks in each replica, as it does for
// every example in one worker; the net has no batch norm, so no statistics to keep in step.
//
// Ownership: every function here frees its tensors before it returns; the peer owns its replica
// (net and optimiser) and frees both on 'stop' or on an error.

import type { ModelConfig } from './config.ts';
import { HEAD_NAMES } from './config.ts';
import { createSteeringNet, netWeights, type SteeringNet } from './factory.ts';
import { exampleCount, forwardGroups } from './forward.ts';
import { ModelError } from './modelErrors.ts';
import { clipAndApply, createOptimizer, type NamedVariable, type OptimizerState, type SteeringOptimizer } from './optimizers.ts';
import { TARGETS_PER_EXAMPLE, trainingFrames, type AugmentDraw, type FrameSize } from './preprocess.ts';
import { tf } from './tfSetup.ts';
import { assignFromBlob, type WeightBlob } from './weightBlob.ts';

/** A batch ready for the step: augmentation drawn, targets normalised, example weights set. */
export interface StepInput {
  readonly frames: Uint8Array;
  readonly lengths: readonly number[];
  /** One per group, or null when augmentation is off. */
  readonly draws: readonly AugmentDraw[] | null;
  /** Normalised targets, examples x 3. */
  readonly y: Float32Array;
  /** Normalised measured speed per frame, or null for a model that does not read it. */
  readonly speeds: Float32Array | null;
  /** Loss weight per example, or null when not balancing. */
  readonly weights: Float32Array | null;
}

/** The whole batch's loss denominators, so two halves' gradients add up to the batch's. */
export interface LossDenominators {
  readonly examples: number;
  /** Sum of the example weights; null when not balancing. */
  readonly weightSum: number | null;
}

/** One replica's gradient of its half: every weight's gradient flattened in weight order, its loss part and per-head squared errors. */
export interface HalfGradients {
  readonly grads: Float32Array;
  readonly loss: number;
  readonly sse: readonly number[];
}

/** What a replica needs to step: its net, its weights in a fixed order, and where each layer's weights are. */
export interface Replica {
  readonly net: SteeringNet;
  readonly weights: readonly NamedVariable[];
  readonly layerRanges: readonly { readonly name: string; readonly from: number; readonly to: number }[];
  readonly frameSize: FrameSize;
}

export function replicaOf(net: SteeringNet, frameSize: FrameSize): Replica {
  const weights = netWeights(net).map((w) => ({ name: w.originalName, variable: w.read() as tf.Variable }));
  const layerRanges: { name: string; from: number; to: number }[] = [];
  let i = 0;
  for (const l of net.layers) {
    layerRanges.push({ name: l.name, from: i, to: i + l.weights.length });
    i += l.weights.length;
  }
  return { net, weights, layerRanges, frameSize };
}

/**
 * The part of a replica a run updates (`training.trainable`): every weight, the three heads'
 * (encoder and cell frozen), or the speed head's alone. Layer ranges index the part's weights.
 */
export function trainedPart(replica: Replica, trainable: ModelConfig['training']['trainable']): Pick<Replica, 'weights' | 'layerRanges'> {
  if (trainable === undefined || trainable === 'all') return replica;
  const heads = trainable === 'heads' ? replica.net.heads : [replica.net.heads[HEAD_NAMES.indexOf('speed')]];
  const names = new Set(heads.flatMap((h) => [h.hidden?.name, h.out.name]));
  const weights: NamedVariable[] = [];
  const layerRanges: { name: string; from: number; to: number }[] = [];
  for (const r of replica.layerRanges) {
    if (!names.has(r.name)) continue;
    layerRanges.push({ name: r.name, from: weights.length, to: weights.length + r.to - r.from });
    weights.push(...replica.weights.slice(r.from, r.to));
  }
  return { weights, layerRanges };
}

/**
 * Splits a step at the window that best balances the frames each half encodes (ties: the
 * windows). Half a gets the first windows, b the rest; a run cut in two gives each piece the
 * frames its windows need. Either half may hold no window (a batch of one window).
 */
export function splitStep(input: StepInput, T: number, frameBytes: number): [StepInput, StepInput] {
  const { lengths } = input;
  const W = exampleCount(lengths, T);
  const frameTotal = lengths.reduce((s, n) => s + n, 0);
  // Window offset and frame offset of every group.
  const winOff: number[] = [];
  const frameOff: number[] = [];
  let w = 0;
  let f = 0;
  for (const n of lengths) {
    winOff.push(w);
    frameOff.push(f);
    w += n - T + 1;
    f += n;
  }
  /** Frames [0, endA) go to a and [startB, total) to b when a takes windows [0, s). */
  const cut = (s: number): { g: number; j: number; endA: number; startB: number } => {
    if (s >= W) return { g: lengths.length, j: 0, endA: frameTotal, startB: frameTotal };
    let g = 0;
    while (g + 1 < lengths.length && winOff[g + 1] <= s) g++;
    const j = s - winOff[g];
    return { g, j, endA: j === 0 ? frameOff[g] : frameOff[g] + j + T - 1, startB: frameOff[g] + j };
  };
  let best = Math.min(W, 1);
  let bestCost = Infinity;
  for (let s = 1; s < W; s++) {
    const c = cut(s);
    const cost = Math.max(c.endA, frameTotal - c.startB) * (W + 1) + Math.abs(W - 2 * s);
    if (cost < bestCost) {
      bestCost = cost;
      best = s;
    }
  }
  const { g, j, endA, startB } = cut(best);
  const lengthsA = [...lengths.slice(0, g), ...(j > 0 ? [j + T - 1] : [])];
  const lengthsB = g < lengths.length ? [lengths[g] - j, ...lengths.slice(g + 1)] : [];
  const drawsA = input.draws ? [...input.draws.slice(0, g), ...(j > 0 ? [input.draws[g]] : [])] : null;
  const drawsB = input.draws ? input.draws.slice(g) : null;
  const k = TARGETS_PER_EXAMPLE;
  const half = (from: number, to: number, winFrom: number, winTo: number, ls: number[], draws: readonly AugmentDraw[] | null): StepInput => ({
    frames: input.frames.subarray(from * frameBytes, to * frameBytes),
    lengths: ls,
    draws,
    y: input.y.subarray(winFrom * k, winTo * k),
    speeds: input.speeds ? input.speeds.subarray(from, to) : null,
    weights: input.weights ? input.weights.subarray(winFrom, winTo) : null,
  });
  return [half(0, endA, 0, best, lengthsA, drawsA), half(startB, frameTotal, best, W, lengthsB, drawsB)];
}

/** The gradient of one half (or a whole batch) under the whole batch's denominators. Frees its tensors. */
export async function halfGradients(replica: Replica, input: StepInput, denom: LossDenominators): Promise<HalfGradients> {
  const { net } = replica;
  const config = net.config;
  const variables = replica.weights.map((w) => w.variable);
  const size = variables.reduce((s, v) => s + v.size, 0);
  const examples = exampleCount(input.lengths, net.window);
  if (examples === 0) return { grads: new Float32Array(size), loss: 0, sse: [0, 0, 0] };
  const frameCount = input.lengths.reduce((s, n) => s + n, 0);
  const flat = tf.tidy(() => {
    const x = trainingFrames(input.frames, frameCount, replica.frameSize, config.input, input.draws, input.lengths);
    const yT = tf.tensor2d(input.y, [examples, TARGETS_PER_EXAMPLE]);
    const speedsT = net.speedInput ? tf.tensor2d(input.speeds!, [frameCount, 1]) : null;
    const wT = input.weights ? tf.tensor2d(input.weights, [examples, 1]) : null;
    const headW = tf.tensor1d(HEAD_NAMES.map((h) => config.heads[h].lossWeight));
    const kept: { sse?: tf.Tensor1D } = {};
    const { value, grads } = tf.variableGrads(() => {
      const sq = tf.square(tf.sub(forwardGroups(net, x, input.lengths, true, speedsT), yT));
      const sse = (kept.sse = tf.keep(tf.sum(sq, 0) as tf.Tensor1D));
      const weighted = wT ? tf.div(tf.sum(tf.mul(sq, wT), 0), denom.weightSum!) : tf.div(sse, denom.examples);
      return tf.sum(tf.mul(weighted, headW)) as tf.Scalar;
    }, variables);
    const out = tf.concat([...variables.map((v) => tf.reshape(grads[v.name], [-1])), tf.reshape(value, [1]), kept.sse!]);
    kept.sse!.dispose();
    return out;
  });
  const v = (await flat.data()) as Float32Array;
  flat.dispose();
  return { grads: v.slice(0, size), loss: v[size], sse: [v[size + 1], v[size + 2], v[size + 3]] };
}

/**
 * Clips and applies a summed gradient (NOTE mutates the weights and the optimiser). Returns
 * [layer norms..., global norm, applied norm] before clipping, as a tensor the caller reads or frees.
 */
export function applyGradientSum(replica: Replica, optimizer: SteeringOptimizer, sum: Float32Array, lr: number): tf.Tensor1D {
  const clip = replica.net.config.training.gradientClip;
  return tf.tidy(() => {
    let o = 0;
    const list = replica.weights.map((w) => {
      const g = tf.tensor(sum.subarray(o, o + w.variable.size), w.variable.shape);
      o += w.variable.size;
      return g;
    });
    if (o !== sum.length) throw new ModelError('invalid-input', `a gradient of ${sum.length} values for ${o} weights`);
    const { layerNorms, globalNorm, appliedNorm } = clipAndApply(optimizer, list, replica.layerRanges, clip, lr);
    return tf.concat([tf.stack(layerNorms), tf.reshape(globalNorm, [1]), tf.reshape(appliedNorm, [1])]) as tf.Tensor1D;
  });
}

/** a + b into a new array; the same bits whichever comes first. */
function addGradients(a: Float32Array, b: Float32Array): Float32Array {
  if (a.length !== b.length) throw new ModelError('invalid-input', `gradients of ${a.length} and ${b.length} values cannot be added`);
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] + b[i];
  return out;
}

// ---- the two replicas' conversation ----

/** The part of a MessagePort both the browser and Node have. */
export interface PeerPort {
  postMessage(message: unknown, transfer: Transferable[]): void;
  addEventListener(type: 'message', listener: (e: MessageEvent) => void): void;
  start?(): void;
  close(): void;
}

/** How the peer starts: the trainer's backend, config, frame size, weights and optimiser state. */
export interface PeerStart {
  readonly backend: string;
  readonly config: ModelConfig;
  readonly frameSize: FrameSize;
  readonly weights: WeightBlob;
  readonly optimizer: OptimizerState;
}

type ToPeer =
  | { kind: 'start'; start: PeerStart }
  | { kind: 'step'; input: StepInput; denom: LossDenominators; lr: number }
  | { kind: 'grads'; grads: Float32Array }
  /** A gradient the trainer computed alone (a trial's one-worker step): apply it, no answer. */
  | { kind: 'apply'; grads: Float32Array; lr: number }
  | { kind: 'stop' }
  | { kind: 'close' };
type FromPeer = { kind: 'ready' } | { kind: 'grads'; half: HalfGradients } | { kind: 'error'; message: string };

/** Messages in arrival order, awaited one at a time. */
function inbox<M>(port: PeerPort): (timeoutMs?: number) => Promise<M> {
  const queue: M[] = [];
  const waiting: ((m: M) => void)[] = [];
  port.addEventListener('message', (e) => {
    const w = waiting.shift();
    if (w) w(e.data as M);
    else queue.push(e.data as M);
  });
  port.start?.();
  return (timeoutMs) => {
    const m = queue.shift();
    if (m !== undefined) return Promise.resolve(m);
    return new Promise<M>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const take = (x: M): void => {
        clearTimeout(timer);
        resolve(x);
      };
      waiting.push(take);
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          waiting.splice(waiting.indexOf(take), 1);
          reject(new Error(`the second training worker did not answer within ${Math.round(timeoutMs / 1000)} s`));
        }, timeoutMs);
      }
    });
  };
}

/** A copy of a typed array's bytes in a buffer of its own, to transfer. */
function own<T extends Uint8Array | Float32Array>(a: T): T {
  return a.slice() as T;
}

/** The trainer's side of the peer: train.ts calls start, then step per batch, then stop. */
export interface GradientPeer {
  start(start: PeerStart): Promise<void>;
  /**
   * One data-parallel step; the replicas' summed gradient is applied on both. Rejects if the peer
   * fails or goes silent. `alone`: this replica computes the whole batch and sends the peer its
   * gradient to apply, without waiting for an answer, so the peer stays in step while the step
   * costs what one worker's does (the one-worker steps of a trial, workerChoice.ts).
   */
  step(replica: Replica, optimizer: SteeringOptimizer, input: StepInput, denom: LossDenominators, lr: number, alone?: boolean): Promise<ParallelStepStats>;
  /** Ends the session (the peer frees its replica); the port stays open for another start. */
  stop(): void;
  /** Ends the conversation: the peer's serveGradientPeer resolves; this end of the port is closed. */
  close(): void;
}

export interface ParallelStepStats {
  readonly loss: number;
  readonly sse: readonly number[];
  /** [layer norms..., global norm, applied norm]. */
  readonly norms: Float32Array;
  /** Time waiting for the peer's gradient after ours was ready, ms. */
  readonly waitMs: number;
}

export interface GradientPeerOptions {
  /** The peer must start within this, ms (default 60 s: a cold wasm start under load). */
  readonly startTimeoutMs?: number;
  /** A step's gradient must come within max(this, 20x our half's time), ms (default 30 s). */
  readonly stepTimeoutMs?: number;
  readonly clock?: () => number;
}

export function connectGradientPeer(port: PeerPort, options: GradientPeerOptions = {}): GradientPeer {
  const next = inbox<FromPeer>(port);
  const clock = options.clock ?? (() => performance.now());
  const expect = async <K extends FromPeer['kind']>(kind: K, timeoutMs: number): Promise<Extract<FromPeer, { kind: K }>> => {
    const m = await next(timeoutMs);
    if (m.kind === 'error') throw new Error(`the second training worker failed: ${m.message}`);
    if (m.kind !== kind) throw new Error(`the second training worker sent '${m.kind}' where '${kind}' was due`);
    return m as Extract<FromPeer, { kind: K }>;
  };
  const send = (m: ToPeer, transfer: Transferable[] = []): void => port.postMessage(m, transfer);
  return {
    async start(start) {
      send({ kind: 'start', start: { ...start, weights: { entries: start.weights.entries, data: start.weights.data.slice(0) } } });
      await expect('ready', options.startTimeoutMs ?? 60_000);
    },
    async step(replica, optimizer, input, denom, lr, alone = false) {
      if (alone) {
        const whole = await halfGradients(replica, input, denom);
        const copy = own(whole.grads);
        send({ kind: 'apply', grads: copy, lr }, [copy.buffer as ArrayBuffer]);
        const statsT = applyGradientSum(replica, optimizer, whole.grads, lr);
        const norms = (await statsT.data()) as Float32Array;
        statsT.dispose();
        return { loss: whole.loss, sse: whole.sse, norms, waitMs: 0 };
      }
      const [mine, theirs] = splitStep(input, replica.net.window, replica.frameSize.width * replica.frameSize.height * 3);
      const sent: StepInput = {
        ...theirs, frames: own(theirs.frames), y: own(theirs.y),
        speeds: theirs.speeds && own(theirs.speeds), weights: theirs.weights && own(theirs.weights),
      };
      const transfer = [sent.frames.buffer, sent.y.buffer, ...(sent.speeds ? [sent.speeds.buffer] : []), ...(sent.weights ? [sent.weights.buffer] : [])];
      send({ kind: 'step', input: sent, denom, lr }, transfer as Transferable[]);
      const t0 = clock();
      const a = await halfGradients(replica, mine, denom);
      const copy = own(a.grads);
      send({ kind: 'grads', grads: copy }, [copy.buffer as ArrayBuffer]);
      const t1 = clock();
      const b = (await expect('grads', Math.max(options.stepTimeoutMs ?? 30_000, 20 * (t1 - t0)))).half;
      const waitMs = clock() - t1;
      const statsT = applyGradientSum(replica, optimizer, addGradients(a.grads, b.grads), lr);
      const norms = (await statsT.data()) as Float32Array;
      statsT.dispose();
      return { loss: a.loss + b.loss, sse: a.sse.map((s, h) => s + b.sse[h]), norms, waitMs };
    },
    stop() {
      send({ kind: 'stop' });
    },
    close() {
      send({ kind: 'close' });
      port.close();
    },
  };
}

export interface PeerServer {
  /** Resolves when the trainer closes the conversation (or it fails). */
  readonly done: Promise<void>;
  /** The replica's weights now, by name (tests compare them with the trainer's). */
  weights(): Promise<Map<string, Float32Array>>;
}

/**
 * The peer's side: answers start, step and stop until 'close'. `useBackend` starts the trainer's
 * backend in this thread (the replicas must compute alike). Errors go back to the trainer, which
 * then trains alone.
 */
export function serveGradientPeer(port: PeerPort, useBackend: (name: string) => Promise<void>): PeerServer {
  const next = inbox<ToPeer>(port);
  let state: { replica: Replica; optimizer: SteeringOptimizer } | null = null;
  const send = (m: FromPeer, transfer: Transferable[] = []): void => port.postMessage(m, transfer);
  const free = (): void => {
    state?.optimizer.dispose();
    state?.replica.net.dispose();
    state = null;
  };
  const done = (async () => {
    for (;;) {
      const m = await next();
      try {
        if (m.kind === 'close') break;
        if (m.kind === 'stop') {
          free();
        } else if (m.kind === 'start') {
          free();
          await useBackend(m.start.backend);
          const net = createSteeringNet(m.start.config);
          const replica = replicaOf(net, m.start.frameSize);
          const optimizer = createOptimizer(m.start.config.training.optimizer, replica.weights);
          state = { replica, optimizer };
          assignFromBlob(m.start.weights, replica.weights, "the trainer's weights");
          optimizer.restore(m.start.optimizer);
          send({ kind: 'ready' });
        } else if (m.kind === 'apply') {
          if (!state) throw new Error('a gradient before start');
          applyGradientSum(state.replica, state.optimizer, m.grads, m.lr).dispose();
        } else if (m.kind === 'step') {
          if (!state) throw new Error('a step before start');
          const b = await halfGradients(state.replica, m.input, m.denom);
          const copy = own(b.grads);
          send({ kind: 'grads', half: { ...b, grads: copy } }, [copy.buffer as ArrayBuffer]);
          const a = await next();
          if (a.kind === 'stop' || a.kind === 'close') {
            free();
            if (a.kind === 'close') break;
            continue;
          }
          if (a.kind !== 'grads') throw new Error(`'${a.kind}' where the trainer's gradient was due`);
          applyGradientSum(state.replica, state.optimizer, addGradients(b.grads, a.grads), m.lr).dispose();
        } else {
          throw new Error(`'${m.kind}' out of turn`);
        }
      } catch (e) {
        free();
        send({ kind: 'error', message: (e as Error).message });
      }
    }
    free();
    port.close();
  })();
  return {
    done,
    async weights() {
      const out = new Map<string, Float32Array>();
      for (const w of state?.replica.weights ?? []) out.set(w.name, (await w.variable.data()) as Float32Array);
      return out;
    },
  };
}
