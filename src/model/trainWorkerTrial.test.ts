// trainModel with a peer and a WorkerTrial (workerChoice.ts): the first steps alternate with and
// without the peer under a fake clock, the trial decides once, the run goes on with the side it
// kept, every trial step counts as training, and the weights are one worker's within 1e-4.
import { beforeAll, describe, expect, it } from 'vitest';
import type { ModelConfig } from './config.ts';
import { connectGradientPeer, serveGradientPeer, type GradientPeer } from './dataParallel.ts';
import { channelsClosedAfterEach, DEFAULTISH, macrotask, source, values } from './dataParallel.fixtures.ts';
import { createSteeringNet } from './factory.ts';
import { initBackend } from './tfSetup.ts';
import { tinyConfig } from './testKit.ts';
import { trainModel } from './train.ts';
import type { StepProgress } from './trainProtocol.ts';
import { type TrialResult, WorkerTrial } from './workerChoice.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

const channel = channelsClosedAfterEach();

/**
 * A run with a peer and a trial under a fake clock: a one-worker step takes 100 ms, a two-worker
 * step `twoMs`. Returns its steps, which of them went through the peer, the trial's result and
 * the net's weights.
 */
async function runWithTrial(config: ModelConfig, twoMs: number) {
  const net = createSteeringNet(config);
  const [port1, port2] = channel();
  const server = serveGradientPeer(port2, async () => {});
  const link = connectGradientPeer(port1);
  let now = 0;
  // Every clock read moves 100 ms on: a step (read at its start and end) takes 100 ms; a two-worker step takes twoMs.
  const clock = (): number => (now += 100);
  /** Steps the peer took half of, and steps computed here alone whose gradient the peer applied (a trial's one-worker steps). */
  const viaPeer: number[] = [];
  const alone: number[] = [];
  let stepIndex = 0;
  const peer: GradientPeer = {
    ...link,
    async step(...args) {
      (args[5] ? alone : viaPeer).push(stepIndex);
      const s = await link.step(...args);
      if (!args[5]) now += twoMs - 100;
      return s;
    },
  };
  const steps: StepProgress[] = [];
  const results: TrialResult[] = [];
  const lost: string[] = [];
  let peerFreedAt: number | null = null;
  try {
    const result = await trainModel({
      net, train: source(config), peer, clock, peerTrial: new WorkerTrial({ minSteps: 2, maxSteps: 2 }),
      onPeerTrial: (r) => results.push(r),
      onPeerLost: (r) => lost.push(r),
      yieldToEventLoop: async () => {
        await macrotask();
        // The peer holds a replica until the trial drops it ('stop' frees it).
        if (peerFreedAt === null && results.length > 0 && (await server.weights()).size === 0) peerFreedAt = stepIndex;
      },
      onProgress: (e) => {
        if (e.kind !== 'step') return;
        steps.push(e);
        stepIndex++;
      },
    });
    expect(result.status).toBe('completed');
    return { steps, viaPeer, alone, results, lost, peerFreedAt, weights: await values(net) };
  } finally {
    net.dispose();
    link.close();
    await server.done;
  }
}

async function runAlone(config: ModelConfig) {
  const net = createSteeringNet(config);
  const steps: StepProgress[] = [];
  try {
    await trainModel({ net, train: source(config), yieldToEventLoop: macrotask, onProgress: (e) => e.kind === 'step' && steps.push(e) });
    return { steps, weights: await values(net) };
  } finally {
    net.dispose();
  }
}

function maxDiff(a: Map<string, Float32Array>, b: Map<string, Float32Array>): number {
  let diff = 0;
  for (const [name, v] of a) {
    const w = b.get(name)!;
    for (let i = 0; i < v.length; i++) diff = Math.max(diff, Math.abs(v[i] - w[i]));
  }
  return diff;
}

describe('a run that times one worker against two', () => {
  it('drops the peer when one worker is faster, goes on alone, and ends with one worker\'s weights', async () => {
    const config = tinyConfig(DEFAULTISH);
    const alone = await runAlone(config);
    const r = await runWithTrial(config, 200); // two workers: 200 ms a step against 100
    expect(r.lost).toEqual([]);
    expect(r.results).toHaveLength(1);
    expect(r.results[0].workers).toBe(1);
    expect(r.results[0].ratio).toBeLessThan(0.6);
    // Trial steps: warm-ups 2 then 1, then (2,1), (1,2): the peer took half of steps 0, 2 and 5; in 1, 3
    // and 4 it applied this replica's gradient (so it stayed in step); nothing after.
    expect(r.viaPeer).toEqual([0, 2, 5]);
    expect(r.alone).toEqual([1, 3, 4]);
    expect(r.peerFreedAt).not.toBeNull();
    // Every trial step counted: as many steps as alone, numbered without a gap, the same losses and weights.
    expect(r.steps.map((s) => s.step)).toEqual(alone.steps.map((_, i) => i));
    r.steps.forEach((s, i) => expect(s.loss).toBeCloseTo(alone.steps[i].loss, 4));
    expect(maxDiff(r.weights, alone.weights)).toBeLessThan(1e-4);
  }, 60_000);

  it('keeps the peer for every later step when two workers are faster', async () => {
    const config = tinyConfig(DEFAULTISH);
    const alone = await runAlone(config);
    const r = await runWithTrial(config, 50); // two workers: 50 ms a step against 100
    expect(r.results).toHaveLength(1);
    expect(r.results[0].workers).toBe(2);
    expect(r.results[0].ratio).toBeGreaterThan(1.5); // 2 a step; per example, batches differ a little
    expect(r.alone).toEqual([1, 3, 4]); // the trial's one-worker steps
    expect(r.viaPeer).toEqual(r.steps.map((_, i) => i).filter((i) => !r.alone.includes(i)));
    r.steps.forEach((s, i) => expect(s.loss).toBeCloseTo(alone.steps[i].loss, 4));
    expect(r.peerFreedAt).toBeNull();
    expect(maxDiff(r.weights, alone.weights)).toBeLessThan(1e-4);
  }, 60_000);
});
