// The auto-record form: minutes, tracks, themes, where clips start, the expert's noise and
// weaving, side cameras, frame size and rate. It checks the values as they are typed
// (autoRecord.ts), shows what the recording will cost, and hands a typed request to the panel;
// while a recording runs it shows the progress the app reports, with a Cancel button.

import type { AutoRecordFormValues, AutoRecordRequest, AutoRecordTracks, StartMode } from './autoRecord.ts';
import {
  AUTO_LIMITS,
  DEFAULT_SIDE_LATERAL_M,
  DEFAULT_SPEED_NOISE,
  DEFAULT_SIDE_YAW_DEG,
  FRAME_SIZE_CHOICES,
  RATE_CHOICES,
  estimateAutoRecord,
  recordingSizeWarning,
  parseAutoRecordForm,
  startHint,
} from './autoRecord.ts';
import { el } from '../dom.ts';
import { formatBytes, formatCount } from './format.ts';

export interface AutoRecordProgress {
  /** 0..1 of the whole request. */
  readonly fraction: number;
  /** Steps recorded so far. */
  readonly frames: number;
  readonly message: string;
}

/** The "Clips start" choices, in the select's order (the first is the default). */
const START_CHOICES: readonly { readonly mode: StartMode; readonly label: string }[] = [
  { mode: 'standing', label: 'on the grid (launches)' },
  { mode: 'spread', label: 'spread around the lap' },
  { mode: 'rolling', label: 'rolling at 10 m/s' },
];

export interface AutoRecordFormOptions {
  readonly container: HTMLElement;
  readonly presets: readonly { readonly id: string; readonly name: string }[];
  readonly themes: readonly string[];
  /** Default seed. */
  readonly seed: number;
  onStart(request: AutoRecordRequest): void;
  onCancel(): void;
}

export interface AutoRecordForm {
  /** null: no recording runs (the form is usable again). */
  setProgress(p: AutoRecordProgress | null): void;
  /** Free storage, to warn before a request that would not fit; null when unknown. */
  setAvailableBytes(bytes: number | null): void;
  dispose(): void;
}

function numberInput(testid: string, label: string, value: number, range: { min: number; max: number }, step: number): HTMLInputElement {
  return el('input', { type: 'number', 'data-testid': testid, 'aria-label': label, value, min: range.min, max: range.max, step, class: 'lib-num' });
}

export function createAutoRecordForm(opts: AutoRecordFormOptions): AutoRecordForm {
  const L = AUTO_LIMITS;
  const minutes = numberInput('autorecord-minutes', 'Minutes to record', 2, L.minutes, 0.1);

  const kindRadios = new Map<AutoRecordTracks['kind'], HTMLInputElement>();
  const radio = (kind: AutoRecordTracks['kind'], checked: boolean): HTMLInputElement => {
    const r = el('input', { type: 'radio', name: 'lib-ar-tracks', value: kind, 'data-testid': `autorecord-tracks-${kind}`, checked });
    kindRadios.set(kind, r);
    return r;
  };
  const presetBoxes = opts.presets.map((p) => ({
    id: p.id,
    box: el('input', { type: 'checkbox', 'data-testid': `autorecord-preset-${p.id}`, value: p.id }),
    name: p.name,
  }));
  const seeds = el('input', { type: 'text', 'data-testid': 'autorecord-seeds', 'aria-label': 'Track seeds', placeholder: 'seeds, e.g. 12345, 777', class: 'lib-seeds' });
  const randomCount = numberInput('autorecord-random-count', 'Number of random tracks', 3, L.randomTracks, 1);
  const tracks = el(
    'div',
    { class: 'lib-choices' },
    el('label', { class: 'lib-check' }, radio('current', true), 'The current track'),
    el(
      'div',
      { class: 'lib-check-row' },
      el('label', { class: 'lib-check' }, radio('list', false), 'These:'),
      ...presetBoxes.map((p) => el('label', { class: 'lib-check' }, p.box, p.name)),
      seeds,
    ),
    el('label', { class: 'lib-check' }, radio('random', false), randomCount, 'random tracks'),
  );

  const themeBoxes = opts.themes.map((t, i) => ({
    theme: t,
    box: el('input', { type: 'checkbox', 'data-testid': `autorecord-theme-${t}`, value: t, checked: i === 0 }),
  }));
  const themes = el('div', { class: 'lib-check-row' }, ...themeBoxes.map((t) => el('label', { class: 'lib-check' }, t.box, t.theme)));

  const startMode = el('select', { 'data-testid': 'autorecord-start-mode', 'aria-label': 'Where clips start' });
  for (const c of START_CHOICES) startMode.append(el('option', { value: c.mode, selected: c.mode === 'standing' }, c.label));

  const noise = numberInput('autorecord-noise', 'Steering noise in g', 0.05, L.steerNoiseG, 0.01);
  const weave = numberInput('autorecord-weave', 'Weaves per second', 0.05, L.weaveRatePerS, 0.01);
  const speedNoise = numberInput('autorecord-speed-noise', 'Speed noise as a fraction of the target speed', DEFAULT_SPEED_NOISE, L.speedNoise, 0.01);
  const side = el('input', { type: 'checkbox', 'data-testid': 'autorecord-side' });
  const sideOffset = numberInput('autorecord-side-offset', 'Side camera offset in m', DEFAULT_SIDE_LATERAL_M, L.sideLateralM, 0.1);
  const sideYaw = numberInput('autorecord-side-yaw', 'Side camera yaw in degrees', DEFAULT_SIDE_YAW_DEG, L.sideYawDeg, 1);
  const size = el('select', { 'data-testid': 'autorecord-size', 'aria-label': 'Frame size' });
  for (const s of FRAME_SIZE_CHOICES) size.append(el('option', { value: `${s.width}x${s.height}` }, `${s.width} × ${s.height}`));
  const rate = el('select', { 'data-testid': 'autorecord-rate', 'aria-label': 'Frames per second' });
  for (const r of RATE_CHOICES) rate.append(el('option', { value: r, selected: r === 20 }, `${r} Hz`));
  const seed = numberInput('autorecord-seed', 'Seed', opts.seed, L.seed, 1);
  const train = el('input', { type: 'checkbox', 'data-testid': 'autorecord-train' });

  const estimate = el('p', { class: 'ds-muted lib-estimate', 'data-testid': 'autorecord-estimate' });
  const problems = el('ul', { class: 'lib-problems', 'data-testid': 'autorecord-problems' });
  const start = el('button', { type: 'button', class: 'ds-btn primary', 'data-testid': 'autorecord-start' }, 'Start auto-record');

  const field = (label: string, ...controls: (Node | string)[]): HTMLElement =>
    el('div', { class: 'lib-field' }, el('span', { class: 'lib-field-label' }, label), el('div', { class: 'lib-field-controls' }, ...controls));
  const fieldset = el(
    'fieldset',
    { class: 'lib-form' },
    field('Minutes', minutes, el('span', { class: 'ds-muted' }, `of driving in total (${L.minutes.min}..${L.minutes.max})`)),
    field('Tracks', tracks),
    field('Themes', themes),
    field('Clips start', startMode, el('span', { class: 'ds-muted' }, "a track's first clip starts on the grid; spread starts its others around the lap, each after a few seconds of unrecorded driving there")),
    field('Steering noise', noise, el('span', { class: 'ds-muted' }, 'g (0.05 a wobble, 0.2 a drunk driver)')),
    field('Weave & recover', weave, el('span', { class: 'ds-muted' }, 'swerves per second, each driven back (0..0.5)')),
    field('Speed noise', speedNoise, el('span', { class: 'ds-muted' }, 'of the target speed (0.1: at times 10-20% too fast or slow for the road, labelled with the right speed)')),
    field(
      'Side cameras',
      el('label', { class: 'lib-check' }, side, 'left and right'),
      el('label', { class: 'lib-check' }, 'offset', sideOffset, 'm'),
      el('label', { class: 'lib-check' }, 'yaw', sideYaw, '°'),
    ),
    field('Frames', size, 'at', rate),
    field('Seed', seed, el('span', { class: 'ds-muted' }, 'same seed, same recording')),
    field('Train', el('label', { class: 'lib-check' }, train, 'while recording'), el('span', { class: 'ds-muted' }, 'Quick train starts on the first clips (every 6th held out) and takes in each new clip at its next epoch')),
  );

  const bar = el('div');
  const progressText = el('span', { class: 'lib-progress-text', 'data-testid': 'autorecord-message' });
  const cancel = el('button', { type: 'button', class: 'ds-btn lib-small', 'data-testid': 'autorecord-cancel' }, 'Cancel');
  const progress = el(
    'div',
    { class: 'lib-transfer', 'data-testid': 'autorecord-progress' },
    el('div', { class: 'ds-progress', role: 'progressbar', 'aria-label': 'Auto-record progress' }, bar),
    el('div', { class: 'ds-row lib-between' }, progressText, cancel),
  );
  progress.hidden = true;
  const root = el('div', { class: 'lib-autorecord' }, fieldset, estimate, problems, el('div', { class: 'ds-row' }, start), progress);
  opts.container.append(root);

  let running = false;
  let available: number | null = null;

  function values(): AutoRecordFormValues {
    const kind = ([...kindRadios].find(([, r]) => r.checked)?.[0] ?? 'current') as AutoRecordTracks['kind'];
    return {
      minutes: minutes.value,
      tracksKind: kind,
      presets: presetBoxes.filter((p) => p.box.checked).map((p) => p.id),
      extraTracks: seeds.value,
      randomCount: randomCount.value,
      themes: themeBoxes.filter((t) => t.box.checked).map((t) => t.theme),
      steerNoiseG: noise.value,
      weaveRatePerS: weave.value,
      speedNoise: speedNoise.value,
      sideCameras: side.checked,
      sideLateralM: sideOffset.value,
      sideYawDeg: sideYaw.value,
      frameSize: size.value,
      rateHz: rate.value,
      seed: seed.value,
      trainWhileRecording: train.checked,
      start: startMode.value,
    };
  }

  /** Re-reads the form: problems, estimate, which controls apply. */
  function update(): ReturnType<typeof parseAutoRecordForm> {
    const v = values();
    for (const p of presetBoxes) p.box.disabled = v.tracksKind !== 'list';
    seeds.disabled = v.tracksKind !== 'list';
    randomCount.disabled = v.tracksKind !== 'random';
    sideOffset.disabled = !v.sideCameras;
    sideYaw.disabled = !v.sideCameras;
    const parsed = parseAutoRecordForm(v, { themes: opts.themes });
    problems.replaceChildren(...(parsed.ok ? [] : parsed.problems.map((p) => el('li', {}, p))));
    if (parsed.ok) {
      const e = estimateAutoRecord(parsed.request);
      const clips = v.tracksKind === 'current' ? `${e.clips} clip${e.clips === 1 ? '' : 's'}` : `${e.clips} clips`;
      const warning = recordingSizeWarning(e.bytes, available, formatBytes);
      const hint = startHint(parsed.request);
      estimate.textContent = `About ${formatCount(e.steps)} frames in ${clips}, ${formatBytes(e.bytes)}${warning ? ` — ${warning}` : ''}.${hint ? ` ${hint}` : ''}`;
      estimate.classList.toggle('lib-warn', warning !== null);
      estimate.dataset.warn = warning === null ? 'false' : 'true';
      estimate.dataset.startHint = hint === null ? 'false' : 'true';
    } else {
      estimate.textContent = '';
    }
    start.disabled = running || !parsed.ok;
    return parsed;
  }

  root.addEventListener('input', () => update());
  root.addEventListener('change', () => update());
  start.addEventListener('click', () => {
    const parsed = update();
    if (!parsed.ok || running) return;
    opts.onStart(parsed.request);
  });
  cancel.addEventListener('click', () => {
    cancel.disabled = true;
    progressText.textContent = 'Cancelling…';
    opts.onCancel();
  });
  update();

  return {
    setProgress(p) {
      running = p !== null;
      fieldset.disabled = running;
      progress.hidden = !running;
      if (p) {
        const f = Math.min(1, Math.max(0, p.fraction));
        bar.style.width = `${(100 * f).toFixed(1)}%`;
        progress.dataset.fraction = f.toFixed(3);
        progressText.textContent = `${p.message} · ${formatCount(p.frames)} frames · ${Math.floor(100 * f)}%`;
      } else {
        cancel.disabled = false;
      }
      update();
    },
    setAvailableBytes(bytes) {
      available = bytes;
      update();
    },
    dispose() {
      root.remove();
    },
  };
}
