// The model form as data: which config path each form field reads and writes, and the pure
// read and write of those fields on a plain-JSON config. Writes copy the path they change and
// keep everything else, fields the form does not know included. Pure: no DOM.
//
// The config's layout is src/model/config.ts's; the panel never validates it itself (the app's
// validate does). What the form must know: the paths, the choices of each kind-union field, and
// the parameters a newly chosen kind starts with.

export type Json = Record<string, unknown>;
export type FieldValue = string | number | boolean | null;

interface FieldBase {
  /** Stable id; the input's data-testid is `cfg-<id>`. */
  readonly id: string;
  readonly label: string;
  /** Tooltip: what the field does. */
  readonly hint: string;
  readonly group: FieldGroup;
  /** Shown only when this holds (parameters of one kind of a union). */
  readonly when?: (config: Json) => boolean;
  /** Greyed out unless this holds (recurrent settings for the single-frame CNN). */
  readonly enabled?: (config: Json) => boolean;
}

export interface SelectField extends FieldBase {
  readonly kind: 'select';
  readonly path: string;
  readonly options: readonly { readonly value: string; readonly label: string }[];
  /** The path's parent is a kind-union ({ kind, ...its parameters }): a new kind replaces it whole. */
  readonly union?: boolean;
}

export interface NumberField extends FieldBase {
  readonly kind: 'number';
  /** A path, or one that depends on the config (the clipping threshold's name depends on the kind). */
  readonly path: string | ((config: Json) => string | null);
  readonly step?: number;
  readonly min?: number;
  readonly max?: number;
  /** Changing it refits the conv paddings to the input size (see refitConvPaddings). */
  readonly refitsConvs?: boolean;
}

/** On/off over numeric config fields: on = any of them above 0; off writes 0 to all. */
export interface SwitchField extends FieldBase {
  readonly kind: 'switch';
  readonly paths: readonly string[];
  /** Values written when switched on with nothing remembered and nothing in the defaults. */
  readonly onValues: readonly number[];
}

export type FieldSpec = SelectField | NumberField | SwitchField;
export type FieldGroup = 'architecture' | 'optimisation' | 'data';

export const GROUP_LABELS: Record<FieldGroup, string> = {
  architecture: 'Architecture',
  optimisation: 'Optimisation',
  data: 'Data and augmentation',
};

/** The parameters a kind-union field starts with when the player picks that kind. */
export const UNION_DEFAULTS: Readonly<Record<string, Readonly<Record<string, Json>>>> = {
  'training.optimizer': {
    adam: { beta1: 0.9, beta2: 0.999, epsilon: 1e-7 },
    sgd: { momentum: 0.9, nesterov: false },
    rmsprop: { decay: 0.9, momentum: 0, epsilon: 1e-7 },
  },
  'training.schedule': {
    constant: {},
    step: { everyEpochs: 5, gamma: 0.5 },
    cosine: { minLearningRate: 0 },
    exponential: { decayPerEpoch: 0.9 },
  },
  'training.gradientClip': {
    none: {},
    'global-norm': { maxNorm: 5 },
    value: { maxValue: 1 },
  },
  balance: {
    none: {},
    'steer-bins': { bins: 21, maxWeight: 10 },
    curves: { minAbsCurvature: 0.005, factor: 3 },
  },
};

const INITIALIZERS = ['glorotUniform', 'glorotNormal', 'heNormal', 'heUniform', 'leCunNormal', 'leCunUniform'];
const opts = (values: readonly string[], labels: Record<string, string> = {}) => values.map((value) => ({ value, label: labels[value] ?? value }));
const isLstm = (c: Json): boolean => getAt(c, 'sequence.kind') !== 'cnn';
const kindIs = (path: string, ...kinds: string[]) => (c: Json): boolean => kinds.includes(String(getAt(c, `${path}.kind`)));

export const FORM_FIELDS: readonly FieldSpec[] = [
  // ---- architecture ----
  {
    id: 'model-kind', kind: 'select', path: 'sequence.kind', group: 'architecture', label: 'Model',
    hint: 'CNN+LSTM reads the last T frames through a recurrent cell; the single-frame CNN is the baseline it must beat',
    options: opts(['cnn_lstm', 'cnn'], { cnn_lstm: 'CNN + recurrent (T frames)', cnn: 'CNN, single frame (baseline)' }),
  },
  {
    id: 'cell', kind: 'select', path: 'sequence.cell', group: 'architecture', label: 'Recurrent cell', enabled: isLstm,
    hint: 'LSTM and GRU gate their memory so gradients survive T steps; a simple RNN multiplies them by the same matrix T times',
    options: opts(['lstm', 'gru', 'rnn'], { lstm: 'LSTM', gru: 'GRU', rnn: 'Simple RNN' }),
  },
  { id: 'window', kind: 'number', path: 'sequence.window', group: 'architecture', label: 'Window T (frames)', step: 1, min: 2, max: 32, enabled: isLstm, hint: 'Frames the recurrent cell reads per prediction' },
  { id: 'run-length', kind: 'number', path: 'sequence.runLength', group: 'architecture', label: 'Run length N', step: 1, min: 2, max: 256, enabled: isLstm, hint: 'Consecutive frames encoded together in training (at least T); each run gives N-T+1 windows' },
  { id: 'units', kind: 'number', path: 'sequence.units', group: 'architecture', label: 'Units', step: 1, min: 1, max: 1024, enabled: isLstm, hint: 'Width of the recurrent state' },
  { id: 'width-multiplier', kind: 'number', path: 'encoder.widthMultiplier', group: 'architecture', label: 'Width multiplier', step: 0.25, min: 0.125, max: 4, hint: 'Scales every conv filter count and hidden width' },
  { id: 'input-height', kind: 'number', path: 'input.height', group: 'architecture', label: 'Input height (px)', step: 1, min: 8, max: 512, refitsConvs: true, hint: 'Frames are resized to this; conv paddings are refit (valid where the kernel fits, else same)' },
  { id: 'input-width', kind: 'number', path: 'input.width', group: 'architecture', label: 'Input width (px)', step: 1, min: 8, max: 1024, refitsConvs: true, hint: 'Frames are resized to this; conv paddings are refit (valid where the kernel fits, else same)' },
  { id: 'init-kernel', kind: 'select', path: 'init.kernel', group: 'architecture', label: 'Weight init', options: opts(INITIALIZERS), hint: 'Initialiser of the conv and dense kernels (He suits ReLU)' },
  { id: 'init-recurrent', kind: 'select', path: 'init.recurrent', group: 'architecture', label: 'Recurrent init', options: opts([...INITIALIZERS, 'orthogonal']), enabled: isLstm, hint: "The cell's hidden-to-hidden kernel; orthogonal keeps its gain near 1" },
  // ---- optimisation ----
  {
    id: 'optimizer', kind: 'select', path: 'training.optimizer.kind', union: true, group: 'optimisation', label: 'Optimiser',
    hint: 'Adam adapts a step size per weight; SGD with momentum and RMSProp are the classics',
    options: opts(['adam', 'sgd', 'rmsprop'], { adam: 'Adam', sgd: 'SGD + momentum', rmsprop: 'RMSProp' }),
  },
  { id: 'momentum', kind: 'number', path: 'training.optimizer.momentum', group: 'optimisation', label: 'Momentum', step: 0.05, min: 0, max: 0.999, when: kindIs('training.optimizer', 'sgd', 'rmsprop'), hint: 'Fraction of the last update carried into the next' },
  { id: 'learning-rate', kind: 'number', path: 'training.learningRate', group: 'optimisation', label: 'Learning rate', step: 0.0001, min: 1e-7, max: 10, hint: 'Step size at the start of the schedule' },
  {
    id: 'schedule', kind: 'select', path: 'training.schedule.kind', union: true, group: 'optimisation', label: 'LR schedule',
    hint: 'How the learning rate changes over training',
    options: opts(['constant', 'step', 'cosine', 'exponential'], { constant: 'Constant', step: 'Step decay', cosine: 'Cosine', exponential: 'Exponential' }),
  },
  { id: 'schedule-every', kind: 'number', path: 'training.schedule.everyEpochs', group: 'optimisation', label: 'Decay every (epochs)', step: 1, min: 1, when: kindIs('training.schedule', 'step'), hint: 'Epochs between decays' },
  { id: 'schedule-gamma', kind: 'number', path: 'training.schedule.gamma', group: 'optimisation', label: 'Decay factor', step: 0.05, min: 0.001, max: 1, when: kindIs('training.schedule', 'step'), hint: 'The rate is multiplied by this at each decay' },
  { id: 'schedule-min', kind: 'number', path: 'training.schedule.minLearningRate', group: 'optimisation', label: 'Final learning rate', step: 0.0001, min: 0, when: kindIs('training.schedule', 'cosine'), hint: 'Where the half cosine ends' },
  { id: 'schedule-decay', kind: 'number', path: 'training.schedule.decayPerEpoch', group: 'optimisation', label: 'Decay per epoch', step: 0.05, min: 0.001, max: 1, when: kindIs('training.schedule', 'exponential'), hint: 'Factor per epoch, applied smoothly per step' },
  {
    id: 'clip', kind: 'select', path: 'training.gradientClip.kind', union: true, group: 'optimisation', label: 'Gradient clipping',
    hint: 'Caps exploding gradients: by the global norm of all of them, or each element by value',
    options: opts(['none', 'global-norm', 'value'], { none: 'None', 'global-norm': 'By global norm', value: 'By value' }),
  },
  {
    id: 'clip-threshold', kind: 'number', group: 'optimisation', label: 'Clip threshold', step: 0.5, min: 1e-6,
    path: (c) => ({ 'global-norm': 'training.gradientClip.maxNorm', value: 'training.gradientClip.maxValue' })[String(getAt(c, 'training.gradientClip.kind'))] ?? null,
    when: kindIs('training.gradientClip', 'global-norm', 'value'), hint: 'Largest global norm, or largest absolute gradient element',
  },
  { id: 'batch-size', kind: 'number', path: 'training.batchSize', group: 'optimisation', label: 'Batch size', step: 1, min: 1, max: 1024, hint: 'Examples (windows) per step' },
  { id: 'epochs', kind: 'number', path: 'training.epochs', group: 'optimisation', label: 'Epochs', step: 1, min: 1, max: 1000, hint: 'Passes over the training set' },
  { id: 'patience', kind: 'number', path: 'training.earlyStopping.patience', group: 'optimisation', label: 'Early-stop patience', step: 1, min: 0, max: 1000, hint: 'Epochs without improvement before stopping (0 = never)' },
  // ---- data ----
  { id: 'aug-light', kind: 'switch', paths: ['augmentation.brightness', 'augmentation.contrast'], onValues: [0.2, 0.2], group: 'data', label: 'Brightness and contrast', hint: 'Random lighting changes per frame group' },
  { id: 'aug-shadow', kind: 'switch', paths: ['augmentation.shadowProbability'], onValues: [0.3], group: 'data', label: 'Shadows', hint: 'Darkens one side of a random line' },
  { id: 'aug-flip', kind: 'switch', paths: ['augmentation.flipProbability'], onValues: [0.5], group: 'data', label: 'Mirror (steering flips)', hint: 'Left-right mirror; the steering label changes sign' },
  { id: 'aug-shift', kind: 'switch', paths: ['augmentation.shiftX', 'augmentation.shiftY'], onValues: [4, 2], group: 'data', label: 'Shift', hint: 'Random sideways and vertical shifts of a few pixels' },
  {
    id: 'balance', kind: 'select', path: 'balance.kind', union: true, group: 'data', label: 'Balance',
    hint: 'Straight driving dominates recordings; weight rare steering up so the model does not learn to go straight',
    options: opts(['none', 'steer-bins', 'curves'], { none: 'None', 'steer-bins': 'By steering bins', curves: 'Curves weighted up' }),
  },
  { id: 'balance-bins', kind: 'number', path: 'balance.bins', group: 'data', label: 'Steering bins', step: 1, min: 2, max: 101, when: kindIs('balance', 'steer-bins'), hint: 'Each example is weighted by the inverse share of its steering bin' },
];

/** The value at a dotted path, or undefined. */
export function getAt(root: unknown, path: string): unknown {
  let v: unknown = root;
  for (const key of path.split('.')) v = isObject(v) ? v[key] : undefined;
  return v;
}

/** A copy of `root` with `value` at `path` (objects along the path copied, missing ones created). */
export function setAt(root: Json, path: string, value: unknown): Json {
  const [head, ...rest] = path.split('.');
  const out: Json = { ...root };
  out[head] = rest.length === 0 ? value : setAt(isObject(root[head]) ? root[head] : {}, rest.join('.'), value);
  return out;
}

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The config path a field reads now, or null (a parameter of a kind not chosen). */
export function fieldPath(field: SelectField | NumberField, config: Json): string | null {
  return typeof field.path === 'function' ? field.path(config) : field.path;
}

export function isShown(field: FieldSpec, config: Json): boolean {
  return field.when ? field.when(config) : true;
}

export function isEnabled(field: FieldSpec, config: Json): boolean {
  return field.enabled ? field.enabled(config) : true;
}

/** What the form shows for a field: select -> string, number -> number or null, switch -> boolean. */
export function readField(config: Json, field: FieldSpec): FieldValue {
  if (field.kind === 'switch') return field.paths.some((p) => typeof getAt(config, p) === 'number' && (getAt(config, p) as number) > 0);
  const path = fieldPath(field, config);
  const v = path ? getAt(config, path) : undefined;
  if (field.kind === 'select') return typeof v === 'string' ? v : null;
  return typeof v === 'number' ? v : null;
}

/**
 * What the form remembers between writes: the parameters of a union kind the player left (so
 * switching back restores them) and the last non-zero value of switched-off augmentations.
 */
export type FormMemory = Map<string, unknown>;

/**
 * The config with a field set to a value from the form. `config` is not changed. Number fields
 * take a number or null (an empty or unreadable box: written as null so validation names it).
 * NOTE updates `memory`.
 */
export function writeField(config: Json, field: FieldSpec, value: FieldValue, memory: FormMemory, defaults: unknown = null): Json {
  if (field.kind === 'switch') {
    let out = config;
    field.paths.forEach((p, i) => {
      const current = getAt(config, p);
      if (value) {
        if (typeof current === 'number' && current > 0) return;
        const remembered = memory.get(`switch:${p}`);
        const fromDefaults = getAt(defaults, p);
        const on = typeof remembered === 'number' ? remembered : typeof fromDefaults === 'number' && fromDefaults > 0 ? fromDefaults : field.onValues[i];
        out = setAt(out, p, on);
      } else {
        if (typeof current === 'number' && current > 0) memory.set(`switch:${p}`, current);
        out = setAt(out, p, 0);
      }
    });
    return out;
  }
  const path = fieldPath(field, config);
  if (path === null) return config;
  if (field.kind === 'select' && field.union) {
    const root = path.slice(0, -'.kind'.length);
    const old = getAt(config, root);
    const oldKind = isObject(old) ? old.kind : undefined;
    if (oldKind === value) return config;
    if (isObject(old) && typeof oldKind === 'string') memory.set(`union:${root}#${oldKind}`, old);
    const kind = String(value);
    const remembered = memory.get(`union:${root}#${kind}`);
    const fromDefaults = getAt(defaults, root);
    const next = isObject(remembered)
      ? remembered
      : isObject(fromDefaults) && fromDefaults.kind === kind
        ? fromDefaults
        : { kind, ...(UNION_DEFAULTS[root]?.[kind] ?? {}) };
    return setAt(config, root, structuredClone(next));
  }
  const out = setAt(config, path, value);
  return field.kind === 'number' && field.refitsConvs ? refitConvPaddings(out) : out;
}

/**
 * The config with each conv layer's padding refit to the input size: 'valid' where its kernel
 * fits the map left by the layers before, else 'same' (the rule src/model uses for its default
 * PilotNet stack, so a smaller input keeps every layer). Unchanged if the fields it needs are
 * not numbers.
 */
export function refitConvPaddings(config: Json): Json {
  let h = getAt(config, 'input.height');
  let w = getAt(config, 'input.width');
  const layers = getAt(config, 'encoder.layers');
  if (typeof h !== 'number' || typeof w !== 'number' || !Array.isArray(layers)) return config;
  const fitted: unknown[] = [];
  for (const layer of layers) {
    if (!isObject(layer) || typeof layer.kernel !== 'number' || typeof layer.stride !== 'number' || layer.stride < 1) return config;
    const k = layer.kernel;
    const s = layer.stride;
    const padding = (h as number) >= k && (w as number) >= k ? 'valid' : 'same';
    [h, w] = padding === 'valid'
      ? [Math.floor(((h as number) - k) / s) + 1, Math.floor(((w as number) - k) / s) + 1]
      : [Math.ceil((h as number) / s), Math.ceil((w as number) / s)];
    fitted.push({ ...layer, padding });
  }
  return setAt(config, 'encoder.layers', fitted);
}

/** A number typed in a box: "1e-3", " 32 ", "0,5" (decimal comma) -> number; empty or junk -> null. */
export function parseNumber(text: string): number | null {
  const t = text.trim().replace(/^(-?\d+),(\d+)$/, '$1.$2');
  if (t === '') return null;
  const n = Number(t);
  return Number.isFinite(n) ? n : null;
}

/**
 * Ids of the fields whose config path a validation message names, so the form can mark them:
 * "training.learningRate must be 1e-7..10" marks learning-rate. A union's select is marked when
 * the union itself or its kind is named, not for one of its parameters.
 */
export function fieldsNamedIn(message: string, config: Json): string[] {
  const ids: string[] = [];
  const names = (path: string, allowDotAfter: boolean): boolean => {
    let from = 0;
    for (;;) {
      const at = message.indexOf(path, from);
      if (at < 0) return false;
      const before = at === 0 ? '' : message[at - 1];
      const after = message[at + path.length] ?? '';
      const okBefore = !/[\w.[]/.test(before);
      const okAfter = !/[\w[]/.test(after) && (allowDotAfter || after !== '.');
      if (okBefore && okAfter) return true;
      from = at + 1;
    }
  };
  for (const field of FORM_FIELDS) {
    if (!isShown(field, config)) continue;
    if (field.kind === 'switch') {
      if (field.paths.some((p) => names(p, false))) ids.push(field.id);
      continue;
    }
    const path = fieldPath(field, config);
    if (!path) continue;
    if (field.kind === 'select' && field.union) {
      const root = path.slice(0, -'.kind'.length);
      if (names(path, false) || names(root, false)) ids.push(field.id);
    } else if (names(path, false)) {
      ids.push(field.id);
    } else if (field.kind === 'number' && field.refitsConvs && /encoder\.layers\[\d+\] shrinks the image/.test(message)) {
      ids.push(field.id);
    }
  }
  return ids;
}

/** Frames per example under a config: the window T for the CNN+LSTM, 1 for the single-frame CNN. */
export function framesPerExample(config: Json): number {
  if (getAt(config, 'sequence.kind') === 'cnn') return 1;
  const t = getAt(config, 'sequence.window');
  return typeof t === 'number' && Number.isInteger(t) && t >= 1 ? t : 1;
}

/** JSON text of a config as the editor shows it. */
export function configText(config: Json): string {
  return `${JSON.stringify(config, null, 2)}\n`;
}

/** The JSON editor's text -> a config, or the parse error as a sentence. */
export function parseConfigText(text: string): { ok: true; config: Json } | { ok: false; message: string } {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    return { ok: false, message: `the JSON does not parse: ${(e as Error).message}` };
  }
  if (!isObject(v)) return { ok: false, message: 'the model config must be a JSON object' };
  return { ok: true, config: v };
}
