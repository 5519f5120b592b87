// Data-parallel training (dataParallel.ts) with both replicas in this thread, talking over a real
// MessageChannel: the split covers every window once, two replicas end with the weights one
// replica gets from the same full batches (augmentation, balancing, speed input and clipping
// on), the two replicas stay bit-identical, a silent peer leaves the run to go on alone, and the
// tensor count stays flat over many steps.
import { beforeAll, describe, expect, it } from 'vitest';
import { connectGradientPeer, serveGradientPeer, splitStep, type StepInput } from './dataParallel.ts';
import { channelsClosedAfterEach, DEFAULTISH, macrotask, source, values } from './dataParallel.fixtures.ts';
import { createSteeringNet } from './factory.ts';
import { initBackend, tf } from './tfSetup.ts';
import { tinyConfig } from './testKit.ts';
import { trainModel } from './train.ts';
import type { StepProgress } from './trainProtocol.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

const channel = channelsClosedAfterEach();

describe('splitStep', () => {
  const T = 3;
  const fb = 2; // bytes per frame: enough to see which frames went where
  function input(lengths: number[], t = T): StepInput {
    const frames = lengths.reduce((s, n) => s + n, 0);
    const windows = lengths.reduce((s, n) => s + n - t + 1, 0);
    return {
      frames: Uint8Array.from({ length: frames * fb }, (_, i) => Math.floor(i / fb)),
      lengths, draws: lengths.map((_, g) => ({ flip: g % 2 === 0, brightness: g, contrast: 1, shadow: null, dx: 0, dy: 0 })),
      y: Float32Array.from({ length: windows * 3 }, (_, i) => i),
      speeds: Float32Array.from({ length: frames }, (_, i) => i),
      weights: Float32Array.from({ length: windows }, (_, i) => i),
    };
  }

  it.each([[[16, 16, 16]], [[6, 6, 6, 6]], [[5]], [[3]], [[10, 4]]])('gives every window to exactly one half with the frames it needs (lengths %j)', (lengths) => {
    const x = input(lengths);
    const [a, b] = splitStep(x, T, fb);
    // Windows: a's then b's are the batch's, in order.
    expect([...a.y, ...b.y]).toEqual([...x.y]);
    expect([...a.weights!, ...b.weights!]).toEqual([...x.weights!]);
    // Each window's T frames are the same frames (and the same group draw) as in the batch.
    const framesOf = (s: StepInput): { frames: number[]; draw: number }[] => {
      const out: { frames: number[]; draw: number }[] = [];
      let o = 0;
      s.lengths.forEach((n, g) => {
        for (let j = 0; j + T <= n; j++) out.push({ frames: Array.from({ length: T }, (_, t) => s.frames[(o + j + t) * fb]), draw: s.draws![g].brightness });
        o += n;
      });
      expect(s.frames.length).toBe(o * fb);
      expect(s.speeds!.length).toBe(o);
      return out;
    };
    expect([...framesOf(a), ...framesOf(b)]).toEqual(framesOf(x));
    if (lengths.reduce((s, n) => s + n - T + 1, 0) >= 2) {
      expect(a.y.length).toBeGreaterThan(0);
      expect(b.y.length).toBeGreaterThan(0);
    }
  });

  it('balances the frames: three runs of 16 (the default batch) split 26/27, not 32/16', () => {
    const [a, b] = splitStep(input([16, 16, 16], 6), 6, fb);
    const frames = (s: StepInput): number => s.lengths.reduce((x, n) => x + n, 0);
    expect(Math.max(frames(a), frames(b))).toBeLessThanOrEqual(27);
  });
});

describe('two replicas', () => {
  it('end with the weights one replica gets on the same full batches, and stay identical to each other', async () => {
    const config = tinyConfig(DEFAULTISH);
    const one = createSteeringNet(config);
    const two = createSteeringNet(config);
    try {
      const initial = await values(one);
      expect(await values(two)).toEqual(initial); // same seed, same start
      const alone: StepProgress[] = [];
      await trainModel({ net: one, train: source(config), yieldToEventLoop: macrotask, onProgress: (e) => e.kind === 'step' && alone.push(e) });

      const [trainerPort, peerPort] = channel();
      const server = serveGradientPeer(peerPort, async () => {});
      const peer = connectGradientPeer(trainerPort);
      const lost: string[] = [];
      const paired: StepProgress[] = [];
      await trainModel({
        net: two, train: source(config), yieldToEventLoop: macrotask, peer,
        onPeerLost: (r) => lost.push(r), onProgress: (e) => e.kind === 'step' && paired.push(e),
      });
      expect(lost).toEqual([]);
      expect(paired.length).toBe(alone.length);
      expect(paired.length).toBeGreaterThan(10);
      paired.forEach((s, i) => {
        expect(s.loss).toBeCloseTo(alone[i].loss, 4);
        expect(s.globalGradNorm).toBeCloseTo(alone[i].globalGradNorm, 4);
        expect(s.rmse.steering).toBeCloseTo(alone[i].rmse.steering, 4);
      });
      expect(paired.some((s) => s.appliedGradNorm < s.globalGradNorm - 1e-3)).toBe(true); // the clip bit

      const a = await values(one);
      const b = await values(two);
      let moved = 0;
      let diff = 0;
      for (const [name, v] of a) {
        const w = b.get(name)!;
        for (let i = 0; i < v.length; i++) {
          diff = Math.max(diff, Math.abs(v[i] - w[i]));
          moved = Math.max(moved, Math.abs(v[i] - initial.get(name)![i]));
        }
      }
      expect(moved).toBeGreaterThan(1e-2);
      expect(diff).toBeLessThan(1e-4);

      peer.close();
      await server.done;
    } finally {
      one.dispose();
      two.dispose();
    }
  }, 60_000);

  it('keep identical weights bit for bit while training', async () => {
    const config = tinyConfig({ ...DEFAULTISH, training: { ...DEFAULTISH.training, epochs: 1 } });
    const net = createSteeringNet(config);
    const [trainerPort, peerPort] = channel();
    const server = serveGradientPeer(peerPort, async () => {});
    let compared = 0;
    try {
      await trainModel({
        net, train: source(config), peer: connectGradientPeer(trainerPort),
        yieldToEventLoop: async () => {
          await macrotask();
          await macrotask();
          const peer = await server.weights();
          if (peer.size === 0) return; // before the start
          expect(peer).toEqual(await values(net));
          compared++;
        },
      });
      expect(compared).toBeGreaterThan(3);
    } finally {
      net.dispose();
      trainerPort.postMessage({ kind: 'close' }, []);
      await server.done;
    }
  }, 60_000);

  it('go on alone, from the same step, when the peer stops answering', async () => {
    const config = tinyConfig(DEFAULTISH);
    const net = createSteeringNet(config);
    const [trainerPort] = channel(); // nobody serves the other end
    const lost: string[] = [];
    const steps: StepProgress[] = [];
    try {
      const result = await trainModel({
        net, train: source(config), yieldToEventLoop: macrotask, peer: connectGradientPeer(trainerPort, { startTimeoutMs: 50 }),
        onPeerLost: (r) => lost.push(r), onProgress: (e) => e.kind === 'step' && steps.push(e),
      });
      expect(result.status).toBe('completed');
      expect(lost).toHaveLength(1);
      expect(lost[0]).toMatch(/did not answer/);
      expect(steps.map((s) => s.step)).toEqual(steps.map((_, i) => i));
    } finally {
      net.dispose();
    }
  }, 60_000);

  it('keep the tensor count flat over many steps, and free everything at the end', async () => {
    const config = tinyConfig({ ...DEFAULTISH, training: { ...DEFAULTISH.training, epochs: 4 } });
    const before = tf.memory().numTensors;
    const net = createSteeringNet(config);
    const [trainerPort, peerPort] = channel();
    const server = serveGradientPeer(peerPort, async () => {});
    const counts: number[] = [];
    try {
      await trainModel({
        net, train: source(config), peer: connectGradientPeer(trainerPort),
        yieldToEventLoop: async () => {
          await macrotask();
          await macrotask();
          counts.push(tf.memory().numTensors);
        },
      });
    } finally {
      net.dispose();
      trainerPort.postMessage({ kind: 'close' }, []);
      await server.done;
    }
    // From the second epoch on (the first epoch's end adds the best epoch's weight snapshot), every step leaves the same count.
    const perEpoch = counts.length / 4;
    expect(new Set(counts.slice(1, perEpoch)).size).toBe(1);
    const steady = counts.slice(perEpoch);
    expect(steady.length).toBeGreaterThan(20);
    expect(new Set(steady).size).toBe(1);
    expect(tf.memory().numTensors).toBe(before);
  }, 60_000);
});
