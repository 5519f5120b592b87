// Suite 'train_workers': the default CNN+LSTM (DEFAULT_CONFIG, as train_models' cnn_lstm) trained
// on wasm in one worker vs two workers (data-parallel, src/model/dataParallel.ts: the peer takes
// half of every batch, the two swap gradients each step), side by side: rounds alternate one and
// two workers, so load from other work on a shared machine hits both alike. Every worker is an
// instance of bench/browser/trainWorker.ts; the two-worker steps are timed in the trainer as for
// one worker (batch assembly to applied update, the exchange included). Also times the exchange
// itself: a gradient-sized Float32Array (copied, transferred) there and back between two
// workers over a MessageChannel of their own, and relayed through this (main) thread.
// Then the same for the plain single-frame CNN that train_models races against ConvNetJS
// (cnn_plain, frames at its 100x33 input), with a ConvNetJS batch of the same network and frames
// on this (main) thread after each round while both workers idle: train_vs_convnetjs.wasm_2workers.cnn
// is the ConvNetJS ratio with both cores training (train_models' .wasm.cnn: one trainer, one core).
// Each round also times a third worker alone whose wasm runs the threaded binary (the app's
// training worker, where the page is cross-origin isolated: our conv kernels split each call with
// their helper thread): .wasm_threads. figures, train_threads_vs_one, and
// train_threads_same_weights (the share of rounds whose threaded run ended with the one-thread
// run's weight bits; only where both run the same conv kernels on as many threads: a split dW
// sums in another order, so the bits then differ).
// Params: rounds (default 4; quick 1), steps (timed steps per round, default 12; quick 3),
// models (default cnn_lstm,cnn_plain), threads (default 1; 0 leaves the threaded worker out).
import * as Comlink from 'comlink';
import { computeTargetNormalization } from '../../../src/model/preprocess.ts';
import { comparableCnnConfig, convnetBatchMs, convnetTrainer, createConvnet } from '../../lib/convnet.ts';
import { figure, listParam, median, type Figure, type SuiteOptions, type SuiteResult } from '../../lib/stats.ts';
import { gmacPerSecond, PEAK_GMAC_PER_S, trainingMacs } from '../../lib/trainingMacs.ts';
import type { TimeRequest } from '../trainWorker.ts';
import { dashFrames } from '../drive.ts';
import { DASH, startWasmWorkerPair, type WasmWorkerPair } from '../trainWorkerPair.ts';
import { progress } from '../progress.ts';

function param(options: SuiteOptions, key: string, fallback: number): number {
  const v = listParam(options, key)?.[0];
  return v === undefined ? fallback : Number(v);
}

type Timing = Awaited<ReturnType<WasmWorkerPair['a']['api']['time']>>;

/** Times one worker, then two (the pair's b as the peer), then the threaded worker alone (if any), on the same request. */
async function sideBySide(pair: WasmWorkerPair, request: TimeRequest): Promise<{ t1: Timing; t2: Timing; tt: Timing | null }> {
  const t1 = await pair.a.api.time(request);
  const { port1, port2 } = new MessageChannel();
  const served = pair.b.api.servePeer(Comlink.transfer(port2, [port2]));
  const t2 = await pair.a.api.time(Comlink.transfer({ ...request, peerPort: port1 }, [port1]));
  await served;
  const tt = pair.threaded ? await pair.threaded.api.time(request) : null;
  return { t1, t2, tt };
}

/**
 * Whether the threaded and the one-thread workers run the same conv kernels on as many threads
 * (bit-equal weights are expected only then). Either way a threaded trainer and a one-thread peer stay identical
 * replicas: both apply the same summed gradient (dataParallel.ts).
 */
async function sameConvKernels(pair: WasmWorkerPair): Promise<boolean> {
  return pair.threaded !== null && (await pair.a.api.simdConv()) === (await pair.threaded.api.simdConv())
    && (await pair.a.api.simdConvThreads()) === (await pair.threaded.api.simdConvThreads());
}

/** Whether the threaded worker ended each round with the same weight bits as one worker alone (the same steps from the same start). */
function sameBits(rounds: { t1: Timing; tt: Timing | null }[]): { same: number; of: number } {
  const both = rounds.filter((r) => r.tt && r.tt.stepMs.length === r.t1.stepMs.length);
  return { same: both.filter((r) => r.tt!.weightsHash === r.t1.weightsHash).length, of: both.length };
}

/** cnn_plain on one and two workers, a ConvNetJS batch between rounds: the ConvNetJS ratio with both cores. */
async function plainRounds(pair: WasmWorkerPair, rounds: number, quick: boolean, out: SuiteResult): Promise<void> {
  const config = comparableCnnConfig();
  const { width, height } = config.input;
  progress(`train_workers: rendering ${pair.count} frames at ${width}x${height} for cnn_plain`);
  const frames = await dashFrames('oval', pair.poses, width, height);
  const request: TimeRequest = { ...pair.request, width, height, frames, model: 'cnn_plain' };
  const plain = { frames, targets: pair.request.targets, width, height };
  const norm = computeTargetNormalization(plain.targets);
  const trainer = convnetTrainer(createConvnet(config), config);
  const B = config.training.batchSize;
  let seen = 0;
  convnetBatchMs(trainer, plain, norm, B, seen); // cold (JIT): untimed
  seen += B;
  const one: number[] = [];
  const two: number[] = [];
  const threads: number[] = [];
  const convnet: number[] = [];
  const timed: { t1: Timing; tt: Timing | null }[] = [];
  for (let r = 0; r < rounds; r++) {
    progress(`train_workers: cnn_plain round ${r + 1}/${rounds} ...`);
    const { t1, t2, tt } = await sideBySide(pair, request);
    timed.push({ t1, tt });
    one.push(...t1.examplesPerSecond);
    two.push(...t2.examplesPerSecond);
    threads.push(...(tt?.examplesPerSecond ?? []));
    if (t2.lost.length) out.notes.push(`cnn_plain: the peer was lost (${t2.lost.join('; ')}): those steps ran on one worker`);
    for (let i = 0; i < (quick ? 1 : 2); i++, seen += B) {
      const n = quick ? 8 : B;
      convnet.push((n * 1000) / convnetBatchMs(trainer, plain, norm, n, seen));
    }
    progress(`train_workers: cnn_plain round ${r + 1}/${rounds}: one ${median(t1.examplesPerSecond).toPrecision(3)}, two ${median(t2.examplesPerSecond).toPrecision(3)}${tt ? `, threads ${median(tt.examplesPerSecond).toPrecision(3)}` : ''}, ConvNetJS ${median(convnet).toPrecision(3)} examples/s`);
  }
  const macs = trainingMacs(config);
  out.figures['train_examples_per_s.wasm_1worker.cnn_plain'] = figure(one, 'examples/s');
  out.figures['train_examples_per_s.wasm_2workers.cnn_plain'] = figure(two, 'examples/s');
  out.figures['train_examples_per_s.convnetjs_beside_wasm_workers.cnn_plain'] = figure(convnet, 'examples/s');
  out.figures['train_gmac_per_s.wasm_2workers.cnn_plain'] = figure(two.map((x) => gmacPerSecond(macs, x)), 'GMAC/s');
  out.ratios['train_two_workers_vs_one.wasm.cnn_plain'] = median(two) / median(one);
  out.ratios['train_vs_convnetjs.wasm_1worker.cnn'] = median(one) / median(convnet);
  out.ratios['train_vs_convnetjs.wasm_2workers.cnn'] = median(two) / median(convnet);
  out.ratios['train_peak_share.wasm_2workers.cnn'] = gmacPerSecond(macs, median(two)) / PEAK_GMAC_PER_S.machine;
  if (threads.length) {
    out.figures['train_examples_per_s.wasm_threads.cnn_plain'] = figure(threads, 'examples/s');
    out.figures['train_gmac_per_s.wasm_threads.cnn_plain'] = figure(threads.map((x) => gmacPerSecond(macs, x)), 'GMAC/s');
    out.ratios['train_threads_vs_one.wasm.cnn_plain'] = median(threads) / median(one);
    out.ratios['train_vs_convnetjs.wasm_threads.cnn'] = median(threads) / median(convnet);
    out.ratios['train_peak_share.wasm_threads.cnn'] = gmacPerSecond(macs, median(threads)) / PEAK_GMAC_PER_S.machine;
    if (await sameConvKernels(pair)) {
      const bits = sameBits(timed);
      out.ratios['train_threads_same_weights.wasm.cnn_plain'] = bits.same / Math.max(1, bits.of);
      out.notes.push(`cnn_plain: the threaded worker's weights after each round's steps had the same bits as one worker's in ${bits.same} of ${bits.of} rounds`);
    }
  }
  out.notes.push(
    `cnn_plain: train_models' ConvNetJS network (SGD momentum, batch ${B}, ${width}x${height} frames of the same drive, ${(macs.total / 1e6).toFixed(2)} M multiply-adds per training example), in the worker alone and data-parallel on two; ${rounds} rounds of one, two, then ${quick ? 1 : 2} ConvNetJS batch(es) on the main thread while both workers idle`,
  );
}

export async function run(options: SuiteOptions): Promise<SuiteResult> {
  const { quick } = options;
  const rounds = param(options, 'rounds', quick ? 1 : 4);
  const steps = param(options, 'steps', quick ? 3 : 12);
  const figures: Record<string, Figure> = {};
  const ratios: Record<string, number> = {};
  const notes: string[] = [];

  const models = listParam(options, 'models') ?? ['cnn_lstm', 'cnn_plain'];
  for (const m of models) if (m !== 'cnn_lstm' && m !== 'cnn_plain') throw new Error(`no model '${m}' (have: cnn_lstm, cnn_plain)`);
  const withThreads = param(options, 'threads', 1) !== 0;
  const pair = await startWasmWorkerPair({ suite: 'train_workers', quick, steps, threads: withThreads });
  const { a, b, count, request } = pair;
  try {
    if (pair.threaded) {
      const n = await pair.threaded.api.wasmThreads();
      notes.push(`the threaded worker trains on ${n} thread(s) on ${navigator.hardwareConcurrency} hardware threads${crossOriginIsolated ? '' : ' (this page is not cross-origin isolated: one thread)'}`);
      const simd = await pair.threaded.api.simdConv();
      notes.push(`the threaded worker's SIMD conv kernels: ${simd === null ? `run on ${await pair.threaded.api.simdConvThreads()} thread(s)` : `do not run (${simd})`}`);
    }
    if (models.includes('cnn_plain')) await plainRounds(pair, rounds, quick, { figures, ratios, notes });
    if (!models.includes('cnn_lstm')) return { figures, ratios, notes };
    const one: number[] = [];
    const two: number[] = [];
    const oneMs: number[] = [];
    const twoMs: number[] = [];
    const threads: number[] = [];
    const threadsMs: number[] = [];
    const timed: { t1: Timing; tt: Timing | null }[] = [];
    const lost: string[] = [];
    const waits: number[] = [];
    for (let r = 0; r < rounds; r++) {
      progress(`train_workers: round ${r + 1}/${rounds}: one worker, then two ...`);
      const { t1, t2, tt } = await sideBySide(pair, request);
      timed.push({ t1, tt });
      one.push(...t1.examplesPerSecond);
      oneMs.push(...t1.stepMs);
      threads.push(...(tt?.examplesPerSecond ?? []));
      threadsMs.push(...(tt?.stepMs ?? []));
      two.push(...t2.examplesPerSecond);
      twoMs.push(...t2.stepMs);
      lost.push(...t2.lost);
      waits.push(...t2.peerWaitMs);
      progress(`train_workers: round ${r + 1}/${rounds}: one worker ${median(t1.examplesPerSecond).toPrecision(3)}, two workers ${median(t2.examplesPerSecond).toPrecision(3)} examples/s (x${(median(t2.examplesPerSecond) / median(t1.examplesPerSecond)).toFixed(2)})${tt ? `, threads ${median(tt.examplesPerSecond).toPrecision(3)}` : ''}`);
    }
    figures['train_examples_per_s.wasm_1worker.cnn_lstm'] = figure(one, 'examples/s');
    figures['train_examples_per_s.wasm_2workers.cnn_lstm'] = figure(two, 'examples/s');
    figures['train_step_ms.wasm_1worker.cnn_lstm'] = figure(oneMs, 'ms');
    figures['train_step_ms.wasm_2workers.cnn_lstm'] = figure(twoMs, 'ms');
    if (waits.length) figures['train_peer_wait_ms.wasm_2workers.cnn_lstm'] = figure(waits, 'ms');
    ratios['train_two_workers_vs_one.wasm.cnn_lstm'] = median(two) / median(one);
    if (threads.length) {
      figures['train_examples_per_s.wasm_threads.cnn_lstm'] = figure(threads, 'examples/s');
      figures['train_step_ms.wasm_threads.cnn_lstm'] = figure(threadsMs, 'ms');
      ratios['train_threads_vs_one.wasm.cnn_lstm'] = median(threads) / median(one);
      if (await sameConvKernels(pair)) {
        const bits = sameBits(timed);
        ratios['train_threads_same_weights.wasm.cnn_lstm'] = bits.same / Math.max(1, bits.of);
        notes.push(`cnn_lstm: the threaded worker's weights after each round's steps had the same bits as one worker's in ${bits.same} of ${bits.of} rounds`);
      }
    }
    if (lost.length) notes.push(`the peer was lost in a two-worker run (${lost.join('; ')}): those steps ran on one worker`);

    // The exchange alone: one gradient's worth of floats there and back.
    const floats = await a.api.paramCount();
    const n = quick ? 5 : 40;
    const direct = new MessageChannel();
    await b.api.echo(Comlink.transfer(direct.port2, [direct.port2]));
    const directMs = await a.api.pingPong(Comlink.transfer(direct.port1, [direct.port1]), floats, n);
    // Relayed: a <-> main <-> b, each hop transferred.
    const toA = new MessageChannel();
    const toB = new MessageChannel();
    toA.port2.onmessage = (e: MessageEvent<Float32Array>) => toB.port2.postMessage(e.data, [e.data.buffer]);
    toB.port2.onmessage = (e: MessageEvent<Float32Array>) => toA.port2.postMessage(e.data, [e.data.buffer]);
    await b.api.echo(Comlink.transfer(toB.port1, [toB.port1]));
    const relayMs = await a.api.pingPong(Comlink.transfer(toA.port1, [toA.port1]), floats, n);
    figures['gradient_round_trip_ms.message_channel.cnn_lstm'] = figure(directMs.slice(1), 'ms');
    figures['gradient_round_trip_ms.via_main_thread.cnn_lstm'] = figure(relayMs.slice(1), 'ms');
    notes.push(
      `DEFAULT_CONFIG CNN+LSTM (${floats} weights: ${((floats * 4) / 1024).toFixed(0)} KiB of gradient each way per step), batch ${32} windows rounded up to whole runs, ${count} dash frames of the expert on the oval at ${DASH.width}x${DASH.height}; ${rounds} rounds alternating one worker and two, ${steps} timed steps each after 2 warm-up steps`,
      'a two-worker step: split the batch, send the peer its half (frames transferred), our half\'s gradient, swap gradients, clip and apply the sum (both replicas); the peer replica is an instance of the same worker; validation is not timed; train_peer_wait_ms: how long the trainer waited for the peer\'s gradient after its own was ready',
      `gradient round trip: ${floats} floats copied and transferred worker -> worker -> back (${n - 1} timed): a MessageChannel between the workers vs relayed through the main thread (idle here; in the app it renders)`,
    );
  } finally {
    pair.terminate();
  }
  return { figures, ratios, notes };
}
