// The config: defaults, merging, validation messages that name the field, and describeModel.
import { describe, expect, it } from 'vitest';
import { CONFIG_VERSION, createConfig, DEFAULT_CONFIG, DEFAULT_INPUT_SIZE, parseModelConfig, type ModelConfig } from './config.ts';
import { describeModel } from './describe.ts';
import { isModelError } from './modelErrors.ts';

/** A config the tests may break in any way, wrong types included. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- writing wrong types is the point
type Breakable = Record<string, any>;

/** The message parseModelConfig throws for `mutate(copy of the defaults)`. */
/** PilotNet as the paper has it: 66x200 input, every conv 'valid'. */
const PILOTNET = createConfig({ input: { height: 66, width: 200, speed: false }, encoder: { widthMultiplier: 1 }, sequence: { window: 8 } });

function problemOf(mutate: (c: Breakable) => void): string {
  const c = structuredClone(PILOTNET) as Breakable;
  mutate(c);
  try {
    parseModelConfig(c);
  } catch (e) {
    expect(isModelError(e)).toBe(true);
    return (e as Error).message;
  }
  throw new Error('the config was accepted');
}

describe('model config', () => {
  it('has valid, JSON-round-trippable defaults built on the one input-size constant', () => {
    const c = createConfig();
    expect(c).toEqual(DEFAULT_CONFIG);
    expect(parseModelConfig(JSON.parse(JSON.stringify(c)))).toEqual(c);
    expect(c.input).toMatchObject(DEFAULT_INPUT_SIZE);
    expect(c.sequence.window).toBeGreaterThanOrEqual(5);
    expect(c.sequence.window).toBeLessThanOrEqual(10);
    expect(c.encoder.layers.map((l) => `${l.filters}@${l.kernel}x${l.kernel}/${l.stride}`)).toEqual(['24@5x5/2', '36@5x5/2', '48@5x5/2', '64@3x3/1', '64@3x3/1']);
  });

  it('merges overrides into the defaults: objects by field, arrays and other union kinds whole', () => {
    const c = createConfig({
      sequence: { cell: 'gru', units: 32 },
      encoder: { layers: [{ filters: 8, kernel: 3, stride: 2, padding: 'same', activation: 'elu' }] },
      training: { optimizer: { kind: 'sgd', momentum: 0.9, nesterov: true }, schedule: { kind: 'cosine', minLearningRate: 1e-5 } },
    });
    expect(c.sequence).toEqual({ ...DEFAULT_CONFIG.sequence, cell: 'gru', units: 32 });
    expect(c.encoder.layers).toHaveLength(1);
    expect(c.encoder.embedding).toBe(DEFAULT_CONFIG.encoder.embedding);
    expect(c.training.optimizer).toEqual({ kind: 'sgd', momentum: 0.9, nesterov: true });
    expect(c.training.learningRate).toBe(DEFAULT_CONFIG.training.learningRate);
    expect(createConfig({ training: { optimizer: { beta1: 0.8 } } }).training.optimizer).toEqual({ ...DEFAULT_CONFIG.training.optimizer, beta1: 0.8 });
  });

  it('names the field and the rule in every rejection', () => {
    expect(problemOf((c) => (c.encoder.layers[2].kernel = 12))).toContain('encoder.layers[2].kernel must be 1..11');
    expect(problemOf((c) => (c.encoder.layers[0].filters = 2.5))).toContain('encoder.layers[0].filters must be an integer 1..512');
    expect(problemOf((c) => (c.encoder.layers[1].padding = 'full'))).toContain("encoder.layers[1].padding must be one of 'valid', 'same'");
    expect(problemOf((c) => (c.sequence.cell = 'transformer'))).toContain("sequence.cell must be one of 'lstm', 'gru', 'rnn'");
    expect(problemOf((c) => (c.training.optimizer = { kind: 'adagrad' }))).toContain("training.optimizer.kind must be an object whose kind is one of 'adam', 'sgd', 'rmsprop'");
    expect(problemOf((c) => (c.training.learningRate = 'fast'))).toMatch(/training\.learningRate: expected number/);
    expect(problemOf((c) => (c.training.gradientClip = { kind: 'global-norm', maxNorm: -1 }))).toContain('training.gradientClip.maxNorm must be 1e-6..1e6');
    expect(problemOf((c) => (c.heads.speed.lossWeight = -1))).toContain('heads.speed.lossWeight must be 0..100');
    expect(problemOf((c) => (c.augmentation.flipProbability = 2))).toContain('augmentation.flipProbability must be 0..1');
    expect(problemOf((c) => (c.encoder.kernal = 3))).toContain('encoder.kernal is not a config field');
    expect(problemOf((c) => delete c.training.epochs)).toContain('training.epochs is missing');
    expect(problemOf((c) => (c.sequence.runLength = 4))).toContain('sequence.runLength must be at least sequence.window (8), got 4');
    expect(problemOf((c) => {
      c.heads.steering.lossWeight = 0;
      c.heads.speed.lossWeight = 0;
      c.heads.torque.lossWeight = 0;
    })).toContain('needs a lossWeight above 0');
  });

  it('rejects a conv stack that shrinks the image below 1x1, naming the layer', () => {
    const msg = problemOf((c) => (c.input = { height: 48, width: 128, resize: 'area' }));
    // 48x128 -> 22x62 -> 9x29 -> 3x13 -> 1x11, and the last 3x3 'valid' conv no longer fits.
    expect(msg).toContain("encoder.layers[4] shrinks the image below 1x1: its 3x3 'valid' kernel does not fit the 1x11 map left by encoder.layers[3]");
    expect(problemOf((c) => (c.input = { height: 8, width: 200, resize: 'area' }))).toContain('encoder.layers[1] shrinks the image below 1x1');
    // Asking createConfig for another input size picks the conv stack that fits it.
    for (const input of [{ height: 48, width: 128 }, { height: 33, width: 100 }, { height: 16, width: 32 }]) {
      const c = createConfig({ input });
      expect(c.encoder.layers).toHaveLength(5);
      expect(describeModel(c).flattenSize).toBeGreaterThan(0);
    }
    expect(createConfig({ input: { height: 33, width: 100 } }).encoder.layers.map((l) => l.padding)).toEqual(['valid', 'valid', 'valid', 'same', 'same']);
    expect(PILOTNET.encoder.layers.every((l) => l.padding === 'valid')).toBe(true);
    expect(DEFAULT_CONFIG.encoder.layers).toEqual(createConfig({ input: DEFAULT_CONFIG.input }).encoder.layers);
    // With 'same' padding on the 3x3 layers the small input fits.
    expect(() => createConfig({
      input: { height: 48, width: 128 },
      encoder: { layers: PILOTNET.encoder.layers.map((l) => (l.stride === 1 ? { ...l, padding: 'same' as const } : l)) },
    })).not.toThrow();
  });

  it('refuses unknown and newer versions with their own code', () => {
    for (const [version, text] of [[CONFIG_VERSION + 1, 'newer DeepSteer'], ['1', 'unknown version "1"'], [undefined, 'unknown version']] as const) {
      try {
        parseModelConfig({ ...DEFAULT_CONFIG, version });
        throw new Error('accepted');
      } catch (e) {
        expect(isModelError(e, 'unsupported-version')).toBe(true);
        expect((e as Error).message).toContain(text);
      }
    }
    expect(() => parseModelConfig('{}')).toThrow(/JSON object/);
  });

  it('describes PilotNet at 66x200: its parameters and multiply-adds per frame', () => {
    const d = describeModel(PILOTNET);
    const convs = d.layers.filter((l) => l.kind === 'conv');
    expect(convs.map((l) => l.outputShape)).toEqual([[31, 98, 24], [14, 47, 36], [5, 22, 48], [3, 20, 64], [1, 18, 64]]);
    expect(convs.map((l) => l.params)).toEqual([1824, 21636, 43248, 27712, 36928]);
    expect(d.flattenSize).toBe(1152);
    // flatten 1152 -> 100 -> 50; LSTM 4 * (50*64 + 64*64 + 64); heads 3 * (64 + 1).
    expect(d.params.encoder).toBe(131348 + 115300 + 5050);
    expect(d.params.recurrent).toBe(4 * (50 * 64 + 64 * 64 + 64));
    expect(d.params.heads).toBe(3 * 65);
    expect(d.params.total).toBe(d.params.encoder + d.params.recurrent + d.params.heads);
    expect(convs[0].macsPerFrame).toBe(31 * 98 * 5 * 5 * 3 * 24);
    // Streaming: one encoding + one projection + T recurrent steps per frame.
    expect(d.macsPerFrame.recurrent).toBe(4 * 50 * 64 + 8 * 4 * 64 * 64);
    expect(d.naiveMacsPerFrame).toBeGreaterThan(7 * d.macsPerFrame.total);
  });

  it('describes the cnn baseline and scales widths', () => {
    const cnn = describeModel(createConfig({ sequence: { kind: 'cnn' } }));
    expect(cnn.window).toBe(1);
    expect(cnn.params.recurrent).toBe(0);
    // Each head reads the 50-wide embedding and the measured speed (the default feeds it).
    expect(cnn.params.heads).toBe(3 * 52);
    expect(describeModel(createConfig({ input: { speed: false }, sequence: { kind: 'cnn' } })).params.heads).toBe(3 * 51);
    expect(cnn.naiveMacsPerFrame).toBe(cnn.macsPerFrame.total);
    const half: ModelConfig = createConfig({ encoder: { widthMultiplier: 0.5 } });
    expect(describeModel(half).layers.filter((l) => l.kind === 'conv').map((l) => l.outputShape[2])).toEqual([12, 18, 24, 32, 32]);
    expect(describeModel(half).layers.find((l) => l.name === 'hidden1')!.outputShape).toEqual([50]);
    const gru = describeModel(createConfig({ sequence: { cell: 'gru' } }));
    expect(gru.params.recurrent).toBe(3 * (51 * 64 + 64 * 64 + 64));
  });
});
