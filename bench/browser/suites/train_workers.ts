// Suite 'train_workers': the default CNN+LSTM (DEFAULT_CONFIG, as train_models' cnn_lstm) trained
// on wasm in one worker vs two workers (data-parallel, src/model/dataParallel.ts: the peer takes
// half of every batch, the two swap gradients each step), side by side: rounds alternate one and
// two workers, so load from other work on a shared machine hits both alike. Every worker is an
// instance of bench/browser/trainWorker.ts; the two-worker steps are timed in the trainer as for
// one worker (batch assembly to applied update, the exchange included). Also times the exchange
// itself: a gradient-sized Float32Array (copied, transferred) there and back between two
// workers over a MessageChannel of their own, and relayed through this (main) thread.
// Params: rounds (default 4; quick 1), steps (timed steps per round, default 12; quick 3).
import * as Comlink from 'comlink';
import { figure, listParam, median, type Figure, type SuiteOptions, type SuiteResult } from '../../lib/stats.ts';
import { DASH, startWasmWorkerPair } from '../trainWorkerPair.ts';
import { progress } from '../progress.ts';

function param(options: SuiteOptions, key: string, fallback: number): number {
  const v = listParam(options, key)?.[0];
  return v === undefined ? fallback : Number(v);
}

export async function run(options: SuiteOptions): Promise<SuiteResult> {
  const { quick } = options;
  const rounds = param(options, 'rounds', quick ? 1 : 4);
  const steps = param(options, 'steps', quick ? 3 : 12);
  const figures: Record<string, Figure> = {};
  const ratios: Record<string, number> = {};
  const notes: string[] = [];

  const pair = await startWasmWorkerPair({ suite: 'train_workers', quick, steps });
  const { a, b, count, request } = pair;
  try {
    const one: number[] = [];
    const two: number[] = [];
    const oneMs: number[] = [];
    const twoMs: number[] = [];
    const lost: string[] = [];
    const waits: number[] = [];
    for (let r = 0; r < rounds; r++) {
      progress(`train_workers: round ${r + 1}/${rounds}: one worker ...`);
      const t1 = await a.api.time(request);
      one.push(...t1.examplesPerSecond);
      oneMs.push(...t1.stepMs);
      progress(`train_workers: round ${r + 1}/${rounds}: one worker ${median(t1.examplesPerSecond).toPrecision(3)} examples/s; two workers ...`);
      const { port1, port2 } = new MessageChannel();
      const served = b.api.servePeer(Comlink.transfer(port2, [port2]));
      const t2 = await a.api.time(Comlink.transfer({ ...request, peerPort: port1 }, [port1]));
      await served;
      two.push(...t2.examplesPerSecond);
      twoMs.push(...t2.stepMs);
      lost.push(...t2.lost);
      waits.push(...t2.peerWaitMs);
      progress(`train_workers: round ${r + 1}/${rounds}: two workers ${median(t2.examplesPerSecond).toPrecision(3)} examples/s (x${(median(t2.examplesPerSecond) / median(t1.examplesPerSecond)).toFixed(2)})`);
    }
    figures['train_examples_per_s.wasm_1worker.cnn_lstm'] = figure(one, 'examples/s');
    figures['train_examples_per_s.wasm_2workers.cnn_lstm'] = figure(two, 'examples/s');
    figures['train_step_ms.wasm_1worker.cnn_lstm'] = figure(oneMs, 'ms');
    figures['train_step_ms.wasm_2workers.cnn_lstm'] = figure(twoMs, 'ms');
    if (waits.length) figures['train_peer_wait_ms.wasm_2workers.cnn_lstm'] = figure(waits, 'ms');
    ratios['train_two_workers_vs_one.wasm.cnn_lstm'] = median(two) / median(one);
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
