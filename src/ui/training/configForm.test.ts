import { describe, expect, it } from 'vitest';
// Tests may reach src/model: the form must write configs the model's own validation accepts.
import { createConfig, DEFAULT_CONFIG, parseModelConfig } from '../../model/config.ts';
import {
  configText, FORM_FIELDS, fieldPath, fieldsNamedIn, framesPerExample, getAt, isEnabled, isShown, type FieldSpec, type FormMemory, type Json,
  parseConfigText, parseNumber, readField, refitConvPaddings, setAt, UNION_DEFAULTS, writeField,
} from './configForm.ts';

const defaults = (): Json => structuredClone(DEFAULT_CONFIG) as unknown as Json;
const field = (id: string): FieldSpec => {
  const f = FORM_FIELDS.find((x) => x.id === id);
  if (!f) throw new Error(`no field ${id}`);
  return f;
};
const write = (config: Json, id: string, value: string | number | boolean | null, memory: FormMemory = new Map()): Json =>
  writeField(config, field(id), value, memory, DEFAULT_CONFIG);

describe('getAt / setAt', () => {
  it('reads dotted paths and copies only along the written path', () => {
    const a: Json = { x: { y: { z: 1 }, keep: [1, 2] }, other: { q: 2 } };
    const b = setAt(a, 'x.y.z', 5);
    expect(getAt(b, 'x.y.z')).toBe(5);
    expect(getAt(a, 'x.y.z')).toBe(1);
    expect(b.other).toBe(a.other);
    expect((b.x as Json).keep).toBe((a.x as Json).keep);
    expect(getAt(setAt({}, 'p.q', 3), 'p.q')).toBe(3);
    expect(getAt(a, 'x.nope.z')).toBeUndefined();
  });
});

describe('form fields', () => {
  const cases: [string, string | number | boolean, string, unknown][] = [
    ['model-kind', 'cnn', 'sequence.kind', 'cnn'],
    ['cell', 'gru', 'sequence.cell', 'gru'],
    ['window', 12, 'sequence.window', 12],
    ['run-length', 24, 'sequence.runLength', 24],
    ['units', 128, 'sequence.units', 128],
    ['width-multiplier', 0.5, 'encoder.widthMultiplier', 0.5],
    ['init-kernel', 'glorotUniform', 'init.kernel', 'glorotUniform'],
    ['init-recurrent', 'heNormal', 'init.recurrent', 'heNormal'],
    ['learning-rate', 3e-4, 'training.learningRate', 3e-4],
    ['batch-size', 64, 'training.batchSize', 64],
    ['epochs', 7, 'training.epochs', 7],
    ['patience', 0, 'training.earlyStopping.patience', 0],
    ['optimizer', 'sgd', 'training.optimizer.kind', 'sgd'],
    ['schedule', 'cosine', 'training.schedule.kind', 'cosine'],
    ['clip', 'value', 'training.gradientClip.kind', 'value'],
    ['balance', 'steer-bins', 'balance.kind', 'steer-bins'],
  ];
  it.each(cases)('%s writes %s at its path, and the result validates', (id, value, path, expected) => {
    const out = write(defaults(), id, value);
    expect(getAt(out, path)).toEqual(expected);
    expect(readField(out, field(id))).toEqual(expected);
    expect(() => parseModelConfig(out)).not.toThrow();
  });

  it('changes nothing but the written path', () => {
    const before = defaults();
    const out = write(before, 'units', 96);
    expect(setAt(out, 'sequence.units', 64)).toEqual(before);
  });

  it('keeps fields the form does not know, at the top and nested', () => {
    const c = { ...defaults(), note: 'mine', training: { ...(defaults().training as Json), extra: { a: 1 } } };
    let out = write(c, 'learning-rate', 0.01);
    out = write(out, 'optimizer', 'rmsprop');
    out = write(out, 'aug-flip', false);
    out = write(out, 'input-height', 48);
    expect(out.note).toBe('mine');
    expect(getAt(out, 'training.extra')).toEqual({ a: 1 });
    expect(getAt(out, 'encoder.hidden')).toEqual([100]);
  });

  it('every union kind starts with parameters the model accepts', () => {
    for (const [root, kinds] of Object.entries(UNION_DEFAULTS)) {
      for (const kind of Object.keys(kinds)) {
        const select = FORM_FIELDS.find((f) => f.kind === 'select' && f.union && f.path === `${root}.kind`)!;
        expect(select, root).toBeDefined();
        const out = writeField(defaults(), select, kind, new Map());
        expect(getAt(out, `${root}.kind`)).toBe(kind);
        expect(() => parseModelConfig(out), `${root}=${kind}`).not.toThrow();
      }
    }
  });

  it('a union kind replaces the old kind\'s parameters, and switching back restores them', () => {
    const memory: FormMemory = new Map();
    let c = write(defaults(), 'learning-rate', 0.01, memory);
    c = setAt(c, 'training.optimizer.beta1', 0.8);
    c = write(c, 'optimizer', 'sgd', memory);
    expect(getAt(c, 'training.optimizer')).toEqual({ kind: 'sgd', momentum: 0.9, nesterov: false });
    c = write(c, 'momentum', 0.5, memory);
    c = write(c, 'optimizer', 'adam', memory);
    expect(getAt(c, 'training.optimizer')).toEqual({ kind: 'adam', beta1: 0.8, beta2: 0.999, epsilon: 1e-7 });
    c = write(c, 'optimizer', 'sgd', memory);
    expect(getAt(c, 'training.optimizer.momentum')).toBe(0.5);
  });

  it('the momentum field writes the optimiser\'s momentum and shows only for SGD and RMSProp', () => {
    let c = defaults();
    expect(isShown(field('momentum'), c)).toBe(false);
    c = write(c, 'optimizer', 'rmsprop');
    expect(isShown(field('momentum'), c)).toBe(true);
    c = write(c, 'momentum', 0.7);
    expect(getAt(c, 'training.optimizer')).toMatchObject({ kind: 'rmsprop', momentum: 0.7 });
    expect(() => parseModelConfig(c)).not.toThrow();
  });

  it('schedule parameters write the chosen schedule\'s fields', () => {
    let c = write(defaults(), 'schedule', 'step');
    c = write(c, 'schedule-every', 3);
    c = write(c, 'schedule-gamma', 0.25);
    expect(getAt(c, 'training.schedule')).toEqual({ kind: 'step', everyEpochs: 3, gamma: 0.25 });
    expect(isShown(field('schedule-min'), c)).toBe(false);
    c = write(c, 'schedule', 'cosine');
    c = write(c, 'schedule-min', 1e-5);
    expect(getAt(c, 'training.schedule')).toEqual({ kind: 'cosine', minLearningRate: 1e-5 });
    c = write(c, 'schedule', 'exponential');
    c = write(c, 'schedule-decay', 0.8);
    expect(getAt(c, 'training.schedule')).toEqual({ kind: 'exponential', decayPerEpoch: 0.8 });
    expect(() => parseModelConfig(c)).not.toThrow();
  });

  it('the clip threshold writes maxNorm or maxValue by the clipping kind', () => {
    let c = write(defaults(), 'clip-threshold', 2);
    expect(getAt(c, 'training.gradientClip')).toEqual({ kind: 'global-norm', maxNorm: 2 });
    c = write(c, 'clip', 'value');
    expect(fieldPath(field('clip-threshold') as never, c)).toBe('training.gradientClip.maxValue');
    c = write(c, 'clip-threshold', 0.5);
    expect(getAt(c, 'training.gradientClip')).toEqual({ kind: 'value', maxValue: 0.5 });
    c = write(c, 'clip', 'none');
    expect(isShown(field('clip-threshold'), c)).toBe(false);
    expect(write(c, 'clip-threshold', 9)).toEqual(c);
  });

  it('augmentation switches zero their fields and restore the last values', () => {
    const memory: FormMemory = new Map();
    let c = setAt(defaults(), 'augmentation.shiftX', 6);
    expect(readField(c, field('aug-shift'))).toBe(true);
    c = write(c, 'aug-shift', false, memory);
    expect(getAt(c, 'augmentation.shiftX')).toBe(0);
    expect(getAt(c, 'augmentation.shiftY')).toBe(0);
    expect(readField(c, field('aug-shift'))).toBe(false);
    c = write(c, 'aug-shift', true, memory);
    expect(getAt(c, 'augmentation.shiftX')).toBe(6);
    expect(getAt(c, 'augmentation.shiftY')).toBe(2);
    // Nothing remembered: the defaults' value.
    c = write(setAt(defaults(), 'augmentation.flipProbability', 0), 'aug-flip', true);
    expect(getAt(c, 'augmentation.flipProbability')).toBe(0.5);
  });

  it('the steering-bins field writes balance.bins', () => {
    let c = write(defaults(), 'balance', 'steer-bins');
    c = write(c, 'balance-bins', 31);
    expect(getAt(c, 'balance')).toMatchObject({ kind: 'steer-bins', bins: 31 });
    expect(() => parseModelConfig(c)).not.toThrow();
  });

  it('an empty number box writes null, which validation names', () => {
    const c = write(defaults(), 'learning-rate', null);
    expect(getAt(c, 'training.learningRate')).toBeNull();
    expect(() => parseModelConfig(c)).toThrow(/training\.learningRate/);
  });

  it('recurrent fields are disabled for the single-frame CNN', () => {
    const c = write(defaults(), 'model-kind', 'cnn');
    for (const id of ['cell', 'window', 'units', 'init-recurrent']) expect(isEnabled(field(id), c), id).toBe(false);
    expect(isEnabled(field('learning-rate'), c)).toBe(true);
  });
});

describe('refitConvPaddings', () => {
  it('matches the model\'s default stack for any input size', () => {
    for (const [height, width] of [[66, 200], [33, 100], [16, 16], [40, 120], [128, 128]]) {
      let c = write(defaults(), 'input-height', height);
      c = write(c, 'input-width', width);
      expect(getAt(c, 'encoder.layers'), `${height}x${width}`).toEqual(createConfig({ input: { height, width } }).encoder.layers);
      expect(() => parseModelConfig(c)).not.toThrow();
    }
  });

  it('leaves a config it cannot read alone', () => {
    const c = setAt(defaults(), 'input.height', 'tall');
    expect(refitConvPaddings(c)).toBe(c);
  });
});

describe('fieldsNamedIn', () => {
  it('finds the fields a validation message names', () => {
    const c = defaults();
    const message = (x: Json): string => {
      try {
        parseModelConfig(x);
        return '';
      } catch (e) {
        return (e as Error).message;
      }
    };
    expect(fieldsNamedIn(message(setAt(c, 'training.learningRate', 50)), c)).toEqual(['learning-rate']);
    expect(fieldsNamedIn(message(setAt(c, 'sequence.window', 40)), c)).toEqual(['window']);
    const sgd = write(c, 'optimizer', 'sgd');
    expect(fieldsNamedIn(message(setAt(sgd, 'training.optimizer.momentum', 2)), sgd)).toEqual(['momentum']);
    expect(fieldsNamedIn(message(setAt(c, 'training.optimizer', { kind: 'lion' })), c)).toEqual(['optimizer']);
    const tooSmall = setAt(setAt(c, 'input.height', 16), 'input.width', 16);
    expect(fieldsNamedIn(message(tooSmall), tooSmall)).toEqual(['input-height', 'input-width']);
    const longWindow = setAt(c, 'sequence.window', 20);
    expect(fieldsNamedIn(message(longWindow), longWindow)).toEqual(['window', 'run-length']);
  });

  it('does not mark a field whose path is a prefix of the one named', () => {
    expect(fieldsNamedIn('training.earlyStopping.patienceX must be', defaults())).toEqual([]);
    expect(fieldsNamedIn('xtraining.epochs must be', defaults())).toEqual([]);
  });
});

describe('numbers and JSON text', () => {
  it('parses what people type', () => {
    expect(parseNumber(' 32 ')).toBe(32);
    expect(parseNumber('1e-3')).toBe(0.001);
    expect(parseNumber('0,5')).toBe(0.5);
    expect(parseNumber('')).toBeNull();
    expect(parseNumber('abc')).toBeNull();
    expect(parseNumber('Infinity')).toBeNull();
  });

  it('round-trips the JSON editor and explains what does not parse', () => {
    const c = defaults();
    expect(parseConfigText(configText(c))).toEqual({ ok: true, config: c });
    const bad = parseConfigText('{ "version": 1, }');
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.message).toMatch(/^the JSON does not parse: /);
    expect(parseConfigText('[1]')).toEqual({ ok: false, message: 'the model config must be a JSON object' });
  });

  it('frames per example follow the model kind and window', () => {
    expect(framesPerExample(defaults())).toBe(DEFAULT_CONFIG.sequence.window);
    expect(framesPerExample(setAt(defaults(), 'sequence.window', 9))).toBe(9);
    expect(framesPerExample(write(defaults(), 'model-kind', 'cnn'))).toBe(1);
    expect(framesPerExample(setAt(defaults(), 'sequence.window', 'x'))).toBe(1);
  });
});
