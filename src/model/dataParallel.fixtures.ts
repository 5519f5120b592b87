// Fixtures of the two-replica training tests (dataParallel.test.ts, trainWorkerTrial.test.ts):
// the tiny frame size, a config with what the default model trains with, its batch source, the
// net's weights by name, and MessageChannels whose ports are closed after each test.
import { afterEach } from 'vitest';
import { createArrayBatchSource, type BatchSource } from './batchSource.ts';
import type { ConfigOverrides, ModelConfig } from './config.ts';
import type { PeerPort } from './dataParallel.ts';
import { netWeights, type SteeringNet } from './factory.ts';
import { syntheticSequence } from './testKit.ts';

export const W = 16;
export const H = 12;
export const macrotask = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/** What the default model trains with, at the tiny size: augmentation, bin balancing, speed input, Adam, a clip that bites. */
export const DEFAULTISH: ConfigOverrides = {
  input: { speed: true },
  augmentation: { brightness: 0.2, contrast: 0.2, shadowProbability: 0.3, shadowDarkness: 0.5, flipProbability: 0.5, shiftX: 0, shiftY: 1 },
  balance: { kind: 'steer-bins', bins: 11, maxWeight: 4 },
  training: { epochs: 2, batchSize: 8, learningRate: 3e-3, gradientClip: { kind: 'global-norm', maxNorm: 0.5 } },
};

/** One synthetic 60-frame clip (with speeds) for `config`, shuffled by its seed. */
export function source(config: ModelConfig): BatchSource {
  const seq = syntheticSequence({ count: 60, width: W, height: H });
  const speeds = seq.targets.filter((_, i) => i % 3 === 1);
  return createArrayBatchSource({
    sequences: [{ ...seq, speeds }], frameWidth: W, frameHeight: H, window: config.sequence.window,
    runLength: config.sequence.runLength, batchSize: config.training.batchSize, shuffleSeed: config.seed,
  });
}

/** The net's weights by name. */
export const values = async (net: SteeringNet): Promise<Map<string, Float32Array>> =>
  new Map(await Promise.all(netWeights(net).map(async (w) => [w.originalName, (await w.read().data()) as Float32Array] as const)));

/**
 * For a test file: a function that opens a MessageChannel and returns its two ends as PeerPorts.
 * Registers an afterEach that closes every port it opened (call it once, at the file's top level).
 */
export function channelsClosedAfterEach(): () => [PeerPort, PeerPort] {
  const open: MessagePort[] = [];
  afterEach(() => {
    for (const p of open.splice(0)) p.close();
  });
  return () => {
    const { port1, port2 } = new MessageChannel();
    open.push(port1, port2);
    return [port1 as unknown as PeerPort, port2 as unknown as PeerPort];
  };
}
