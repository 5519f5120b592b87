// The bench's training worker (suite train_workers): trains the default CNN+LSTM (or the plain
// single-frame CNN that train_models races against ConvNetJS) through the
// project's own loop (src/model/train.ts via bench/lib/trainTiming.ts), alone or with a peer
// replica in another instance of this worker (src/model/dataParallel.ts, the code the app's
// steering workers run), and echoes gradient-sized buffers to time the exchange. Bench code: the
// app's workers are the steering workers started by src/app/steeringClient.ts.
import * as Comlink from 'comlink';
import { createArrayBatchSource } from '../../src/model/batchSource.ts';
import { createConfig, type ModelConfig } from '../../src/model/config.ts';
import { connectGradientPeer, serveGradientPeer, type GradientPeer, type PeerPort } from '../../src/model/dataParallel.ts';
import { createSteeringNet, netWeights, type SteeringNet } from '../../src/model/factory.ts';
import { initBackend, tf, wasmTrainingThreads, type BackendInfo, type BackendName } from '../../src/model/tfSetup.ts';
import { type TrialOptions, type TrialResult, WorkerTrial } from '../../src/model/workerChoice.ts';
import { compareBackends, type ParityResult } from '../../src/model/wasmKernels/parity.ts';
import { parityCases } from '../../src/model/wasmKernels/parityCases.ts';
import { simdConvSettings } from '../../src/model/wasmKernels/simdConv.ts';
import { comparableCnnConfig } from '../lib/convnet.ts';
import type { SamplingBudget } from '../lib/stats.ts';
import { timeTraining, type TrainTiming } from '../lib/trainTiming.ts';

/** Long enough that no run ends before its budget; the bench cancels it. */
const BENCH_TRAINING = { epochs: 1000, earlyStopping: { patience: 0 } };
/** What a request can train: the default CNN+LSTM, or train_models' cnn_plain (ConvNetJS's network). */
export type BenchModel = 'cnn_lstm' | 'cnn_plain';
const CONFIGS: Record<BenchModel, ModelConfig> = {
  cnn_lstm: createConfig({ training: BENCH_TRAINING }),
  cnn_plain: comparableCnnConfig({ training: BENCH_TRAINING }),
};

/** XNNPACK threads asked for this worker's wasm backend (init). */
let wasmThreadsWanted = 1;
/** initBackend's word on the backend last started here (our SIMD conv kernels: simdConv, simdConvThreads, simdConvFma). */
let started: BackendInfo | null = null;

async function useBackend(name: string): Promise<void> {
  if (tf.getBackend() !== name) {
    started = await initBackend(name as BackendName, { wasmThreads: wasmThreadsWanted });
  }
}

export interface TimeRequest {
  readonly width: number;
  readonly height: number;
  readonly frames: Uint8Array;
  readonly targets: Float32Array;
  readonly budget: SamplingBudget;
  /** The trainer's end of a channel to a peer (servePeer in another instance); absent: alone. */
  readonly peerPort?: MessagePort;
  /** The network (default cnn_lstm); cnn_plain reads frames at its input size (100x33). */
  readonly model?: BenchModel;
  /** With a peer: run 'auto' mode's trial (one worker against two) over the first steps; the run goes on with the side it keeps. */
  readonly trial?: TrialOptions;
}

/** FNV-1a over the bits of every weight, in the net's weight order. */
async function weightsHash(net: SteeringNet): Promise<number> {
  let h = 0x811c9dc5;
  for (const w of netWeights(net)) {
    const bits = new Uint32Array(((await w.read().data()) as Float32Array).slice().buffer);
    for (let i = 0; i < bits.length; i++) h = Math.imul(h ^ bits[i], 0x01000193);
  }
  return h >>> 0;
}

const api = {
  /**
   * The kernels suite's parity cases (cpu against wasm) in this worker, whose wasm started with
   * init's threads: with 2 in an isolated page, our conv kernels share every call with their
   * helper thread (even the cases' small ones: the size floor is off meanwhile).
   */
  async parity(quick: boolean): Promise<{ results: ParityResult[]; simdConvThreads: number; simdConvFma: boolean }> {
    const cases = parityCases(quick);
    const floor = simdConvSettings.minSplitMacs;
    simdConvSettings.minSplitMacs = 0;
    try {
      return { results: await compareBackends(cases), simdConvThreads: started?.simdConvThreads ?? 0, simdConvFma: started?.simdConvFma ?? false };
    } finally {
      simdConvSettings.minSplitMacs = floor;
    }
  },

  /** `threads`: threads for wasm to train on (2 or more: the threaded binary, our conv kernels with their helper thread; the app's training worker asks for 2 where there are 2). */
  async init(backend: BackendName, threads = 1): Promise<string> {
    wasmThreadsWanted = threads;
    await useBackend(backend);
    return tf.getBackend();
  },

  /** Whether our SIMD conv kernels run in this worker: null when they do, else why not. */
  simdConv(): string | null {
    return started?.simdConv === undefined ? 'the wasm backend has not started' : started.simdConv;
  },

  /** Threads our SIMD conv kernels run on (0: they do not run). */
  simdConvThreads(): number {
    return started?.simdConvThreads ?? 0;
  },

  /** Threads the wasm backend trains on (0 before it started; 2 with our conv helper thread). */
  wasmThreads(): number {
    return wasmTrainingThreads() ?? 0;
  },

  /** Weights in the default model: the floats each replica sends per step. */
  paramCount(): number {
    const net = createSteeringNet(CONFIGS.cnn_lstm);
    const n = netWeights(net).reduce((s, w) => s + w.read().size, 0);
    net.dispose();
    return n;
  },

  /**
   * Also: per two-worker step, how long the trainer waited for the peer's gradient after its own
   * was ready (ms); and a hash of the net's weight bits after the run (two workers that ran the
   * same steps alone computed the same bits iff their hashes match: threads against one thread).
   */
  async time(req: TimeRequest): Promise<TrainTiming & { lost: string[]; peerWaitMs: number[]; trial: TrialResult | null; weightsHash: number }> {
    const config = CONFIGS[req.model ?? 'cnn_lstm'];
    const single = config.sequence.kind === 'cnn';
    const { window, runLength } = config.sequence;
    const speeds = req.targets.filter((_, i) => i % 3 === 1);
    const source = createArrayBatchSource({
      sequences: [{ frames: req.frames, targets: req.targets, speeds }], frameWidth: req.width, frameHeight: req.height,
      window: single ? 1 : window, runLength: single ? 1 : runLength, batchSize: config.training.batchSize, shuffleSeed: config.seed,
    });
    const net = createSteeringNet(config);
    const link = req.peerPort ? connectGradientPeer(req.peerPort as unknown as PeerPort) : null;
    const peerWaitMs: number[] = [];
    const peer: GradientPeer | null = link && {
      ...link,
      async step(...args) {
        const s = await link.step(...args);
        peerWaitMs.push(s.waitMs);
        return s;
      },
    };
    const lost: string[] = [];
    let trial: TrialResult | null = null;
    try {
      const t = await timeTraining({
        net, source, budget: req.budget, peer, onPeerLost: (r) => lost.push(r),
        peerTrial: req.trial ? new WorkerTrial(req.trial) : null, onPeerTrial: (r) => (trial = r),
      });
      // The warm-up steps' waits are not the timed steps'.
      return { ...t, lost, peerWaitMs: peerWaitMs.slice(-t.stepMs.length), trial, weightsHash: await weightsHash(net) };
    } finally {
      link?.close();
      net.dispose();
    }
  },

  /** Serves as the peer replica until the trainer closes the port. */
  async servePeer(port: MessagePort): Promise<void> {
    await serveGradientPeer(port as unknown as PeerPort, useBackend).done;
  },

  /** Sends `floats`-sized buffers back unchanged (transferred) until the port closes. */
  echo(port: MessagePort): void {
    port.onmessage = (e: MessageEvent<Float32Array>) => port.postMessage(e.data, [e.data.buffer]);
  },

  /** `rounds` round trips of a transferred Float32Array of `floats` over `port`; ms per round trip each. */
  async pingPong(port: MessagePort, floats: number, rounds: number): Promise<number[]> {
    const out: number[] = [];
    let buf: Float32Array = new Float32Array(floats);
    for (let i = 0; i < rounds; i++) {
      const t0 = performance.now();
      const back = new Promise<Float32Array>((resolve) => {
        port.onmessage = (e: MessageEvent<Float32Array>) => resolve(e.data);
      });
      // Copy as the trainer does (it keeps its own gradient), then transfer.
      const copy = buf.slice();
      port.postMessage(copy, [copy.buffer]);
      buf = await back;
      out.push(performance.now() - t0);
    }
    return out;
  },
};

export type BenchTrainWorker = typeof api;
Comlink.expose(api);
