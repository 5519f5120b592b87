// Playback of one clip: the recorded frame at the scrubber (scaled with hard pixels) with the
// recorded steering drawn over it, and steering, speed and torque plotted over time (uPlot)
// with a line at the scrubber. Plays at the clip's own rate; a camera picker appears when the
// clip has side cameras. Frames are read a window at a time (about two seconds), so playing
// costs one IndexedDB read per window, not per frame.

import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { KMH_PER_MS } from '../../core/units.ts';
import type { CameraId, ClipLabels, ClipMeta, ClipStore } from '../../data/index.ts';
import { DRIVERS } from '../../data/index.ts';
import { el, messageOf, paintRgb } from '../dom.ts';
import { type ComputeSaliency, createSaliencyLayer } from '../overlays/saliencyLayer.ts';
import { formatClock, formatSteer } from './format.ts';

export interface PlaybackOptions {
  readonly container: HTMLElement;
  readonly store: ClipStore;
  readonly notify: (text: string, kind: 'info' | 'ok' | 'warn' | 'error') => void;
  /** ms; any origin (only differences are used, to keep the play rate). */
  readonly now: () => number;
  /** The player closed playback. */
  readonly onClose: () => void;
  /** Saliency of a frame by the driving model; a Saliency toggle appears when given. */
  readonly saliency?: ComputeSaliency;
}

export interface Playback {
  /** Loads a clip's labels and shows its first frame. Rejects (and stays closed) if they cannot be read. */
  open(meta: ClipMeta): Promise<void>;
  close(): void;
  readonly clipId: string | null;
  /** Jumps to a step (clamped). */
  seek(step: number): void;
  dispose(): void;
}

interface PlotSpec {
  readonly key: string;
  readonly label: string;
  readonly color: string;
  readonly range: [number, number];
  /** Values labelled on the y axis. */
  readonly splits: number[];
  readonly values: () => Float64Array;
}

const PLOT_HEIGHT = 72;
/** Steps of frames read at once, in seconds of the clip. */
const WINDOW_S = 2;

export function createPlayback(opts: PlaybackOptions): Playback {
  const { store, notify, now } = opts;
  const title = el('strong', { class: 'lib-pb-title', 'data-testid': 'playback-title' });
  const camera = el('select', { 'data-testid': 'playback-camera', 'aria-label': 'Camera' });
  const close = el('button', { type: 'button', class: 'ds-btn lib-small', 'data-testid': 'playback-close' }, 'Close');
  const canvas = el('canvas', { class: 'lib-frame-img', 'data-testid': 'playback-frame', width: 1, height: 1 });
  const fill = el('div', { class: 'lib-steer-fill' });
  const mark = el('div', { class: 'lib-steer-mark', title: 'this camera’s steer label' });
  const steerBar = el('div', { class: 'lib-steer', 'data-testid': 'playback-steer' }, el('div', { class: 'lib-steer-mid' }), fill, mark);
  const readout = el('div', { class: 'lib-readout', 'data-testid': 'playback-readout' });
  const frame = el('div', { class: 'lib-frame' }, canvas, steerBar, readout);
  const play = el('button', { type: 'button', class: 'ds-btn lib-play', 'data-testid': 'playback-play', 'aria-label': 'Play' }, 'Play');
  const scrubber = el('input', { type: 'range', min: 0, max: 0, step: 1, value: 0, class: 'lib-scrubber', 'data-testid': 'playback-scrubber', 'aria-label': 'Position' });
  const time = el('span', { class: 'lib-time', 'data-testid': 'playback-time' });
  const plots = el('div', { class: 'lib-plots', 'data-testid': 'playback-plots' });
  const root = el(
    'div',
    { class: 'lib-playback', 'data-testid': 'playback' },
    el('div', { class: 'ds-row lib-between' }, title, el('span', { class: 'ds-row lib-tight' }, camera, close)),
    frame,
    el('div', { class: 'ds-row lib-tight' }, play, scrubber, time),
    plots,
  );
  root.hidden = true;
  opts.container.append(root);
  const saliency = opts.saliency ? createSaliencyLayer(frame, opts.saliency, (t) => notify(t, 'warn')) : null;
  if (saliency) camera.before(saliency.toggle);

  let meta: ClipMeta | null = null;
  let labels: ClipLabels | null = null;
  let step = 0;
  let cam: CameraId = 'center';
  let charts: uPlot[] = [];
  let times = new Float64Array(0);
  const scratch = { image: null as ImageData | null };
  /** Frames of one camera for steps start..end-1. */
  let cache: { cam: CameraId; start: number; end: number; data: Uint8Array } | null = null;
  let reading: { cam: CameraId; start: number; end: number; done: Promise<void> } | null = null;
  /** Bumped on every open/close, so reads of an earlier clip are dropped. */
  let generation = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let playFrom: { at: number; step: number } | null = null;

  const style = (name: string, fallback: string): string => getComputedStyle(root).getPropertyValue(name).trim() || fallback;

  function plotSpecs(l: ClipLabels): PlotSpec[] {
    // Steering is mostly small: zoom to the largest |steer| (in quarter steps) so curves show.
    let maxSteer = 0;
    for (const v of l.steer) maxSteer = Math.max(maxSteer, Math.abs(v));
    const m = Math.min(1, Math.max(0.25, Math.ceil((maxSteer * 1.05) / 0.25) * 0.25));
    const kmh = l.speed.map((v) => v * KMH_PER_MS);
    let maxKmh = 0;
    for (const v of kmh) maxKmh = Math.max(maxKmh, v);
    const top = Math.max(10, Math.floor(maxKmh / 10) * 10);
    return [
      { key: 'steer', label: 'steer (+ left)', color: style('--accent', '#3fb6ff'), range: [-m, m], splits: [-m, 0, m], values: () => l.steer },
      { key: 'speed', label: 'speed km/h', color: style('--good', '#46d68c'), range: [0, Math.max(top, maxKmh) * 1.08], splits: [0, top], values: () => kmh },
      { key: 'torque', label: 'torque', color: style('--accent-2', '#ffb23f'), range: [-1, 1], splits: [-1, 0, 1], values: () => l.torque },
    ];
  }

  /** Moves a plot's scrubber line; also run by uPlot after every redraw (resize, data). */
  function placeLine(u: uPlot): void {
    if (!meta || times.length === 0) return;
    lineOf(u).style.left = `${u.valToPos(times[step], 'x')}px`;
  }

  function buildPlots(): void {
    destroyPlots();
    if (!meta || !labels) return;
    const width = Math.max(200, plots.clientWidth || 480);
    const muted = style('--muted', '#8d97a8');
    const grid = style('--line', 'rgba(255,255,255,0.1)');
    const specs = plotSpecs(labels);
    const syncKey = `lib-pb-${generation}`;
    for (const [i, spec] of specs.entries()) {
      const last = i === specs.length - 1;
      const axisFont = '11px system-ui, sans-serif';
      const options: uPlot.Options = {
        width,
        height: PLOT_HEIGHT + (last ? 22 : 0),
        legend: { show: false },
        // The same right padding on every plot (the bottom one's time labels would otherwise
        // narrow its plotting area), so the scrubber lines line up.
        padding: [9, 14, last ? 2 : 9, 0],
        cursor: { sync: { key: syncKey }, y: false, drag: { x: false, y: false }, points: { show: false } },
        scales: { x: { time: false }, y: { range: spec.range } },
        axes: [
          { show: last, stroke: muted, font: axisFont, size: 22, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid }, values: (_u, v) => v.map((s) => `${s}s`) },
          { stroke: muted, font: axisFont, size: 40, grid: { stroke: grid, width: 1 }, ticks: { show: false }, splits: () => spec.splits },
        ],
        series: [{}, { label: spec.label, stroke: spec.color, width: 1.25, points: { show: false } }],
        hooks: { draw: [placeLine] },
      };
      const holder = el('div', { class: 'lib-plot', 'data-testid': `playback-plot-${spec.key}` }, el('span', { class: 'lib-plot-label' }, spec.label));
      plots.append(holder);
      const u = new uPlot(options, [times as unknown as number[], spec.values() as unknown as number[]], holder);
      charts.push(u);
      // Click or drag on a plot to seek there.
      let dragging = false;
      const seekAt = (e: PointerEvent): void => {
        const t = u.posToVal(e.offsetX, 'x');
        seek(Math.round(t * meta!.rateHz));
      };
      u.over.addEventListener('pointerdown', (e) => {
        dragging = true;
        u.over.setPointerCapture(e.pointerId);
        pause();
        seekAt(e);
      });
      u.over.addEventListener('pointermove', (e) => {
        if (dragging) seekAt(e);
      });
      u.over.addEventListener('pointerup', () => {
        dragging = false;
      });
    }
  }

  function lineOf(u: uPlot): HTMLDivElement {
    let line = u.over.querySelector<HTMLDivElement>('.lib-cursor');
    if (!line) {
      line = el('div', { class: 'lib-cursor' });
      u.over.append(line);
    }
    return line;
  }

  function destroyPlots(): void {
    for (const u of charts) u.destroy();
    charts = [];
    plots.replaceChildren();
  }

  const resize = new ResizeObserver(() => {
    const width = plots.clientWidth;
    if (width === 0) return;
    for (const u of charts) if (u.width !== width) u.setSize({ width, height: u.height });
  });
  resize.observe(plots);

  /** Makes sure the frames around `s` of the current camera are cached; resolves when they are. */
  async function ensureFrames(s: number): Promise<void> {
    const m = meta!;
    if (cache && cache.cam === cam && s >= cache.start && s < cache.end) return;
    if (reading && reading.cam === cam && s >= reading.start && s < reading.end) return reading.done;
    const window = Math.max(1, Math.ceil(m.rateHz * WINDOW_S));
    // A quarter of the window behind, so scrubbing backwards a little stays in the cache.
    const start = Math.max(0, Math.min(s - Math.floor(window / 4), m.frameCount - window));
    const end = Math.min(m.frameCount, start + window);
    const g = generation;
    const c = cam;
    const done = store.readFrames(m.id, { start, end, camera: c }).then((data) => {
      if (g === generation && c === cam) cache = { cam: c, start, end, data };
    });
    reading = { cam: c, start, end, done };
    try {
      await done;
    } finally {
      if (reading?.done === done) reading = null;
    }
  }

  function showLabels(): void {
    const m = meta!;
    const l = labels!;
    scrubber.value = String(step);
    time.textContent = `${formatClock(step / m.rateHz)} / ${formatClock(Math.max(0, m.frameCount - 1) / m.rateHz)}`;
    const steer = l.steer[step];
    // Mirrored like the histogram: steering left (+) fills towards the left.
    const w = Math.min(1, Math.abs(steer)) * 50;
    fill.style.left = steer > 0 ? `${50 - w}%` : '50%';
    fill.style.width = `${w}%`;
    const label = cam === 'center' ? undefined : l.cameraSteer[cam]?.[step];
    mark.hidden = label === undefined;
    if (label !== undefined) mark.style.left = `${50 - Math.max(-1, Math.min(1, label)) * 50}%`;
    const driver = DRIVERS[l.driver[step]] ?? '?';
    const parts = [
      `steer ${formatSteer(steer)}`,
      ...(label !== undefined ? [`${cam} label ${formatSteer(label)}`] : []),
      `${Math.round(l.speed[step] * KMH_PER_MS)} km/h`,
      `torque ${l.torque[step].toFixed(2)}`,
      driver,
    ];
    readout.textContent = parts.join(' · ');
    steerBar.dataset.steer = steer.toFixed(3);
    for (const u of charts) placeLine(u);
  }

  async function showFrame(): Promise<void> {
    const m = meta!;
    const s = step;
    const g = generation;
    try {
      await ensureFrames(s);
    } catch (e) {
      if (g !== generation) return;
      pause();
      notify(`Cannot show this frame: ${messageOf(e)}`, 'error');
      return;
    }
    // Show the newest wanted step only; a later seek has its own call.
    if (g !== generation || s !== step || !cache || cache.cam !== cam || s < cache.start || s >= cache.end) return;
    const fb = m.frameWidth * m.frameHeight * 3;
    const at = (s - cache.start) * fb;
    paintRgb(canvas, cache.data.subarray(at, at + fb), m.frameWidth, m.frameHeight, scratch);
    saliency?.update(cache.data.subarray(at, at + fb), m.frameWidth, m.frameHeight);
    canvas.dataset.step = String(s);
  }

  function seek(s: number): void {
    if (!meta || !labels || meta.frameCount === 0) return;
    step = Math.max(0, Math.min(meta.frameCount - 1, Math.round(s)));
    showLabels();
    void showFrame();
  }

  function tick(): void {
    timer = null;
    if (!meta || !playFrom) return;
    const target = playFrom.step + Math.floor(((now() - playFrom.at) * meta.rateHz) / 1000);
    if (target >= meta.frameCount - 1) {
      seek(meta.frameCount - 1);
      pause();
      return;
    }
    if (target !== step) seek(target);
    timer = setTimeout(tick, 1000 / meta.rateHz / 2);
  }

  function startPlaying(): void {
    if (!meta || meta.frameCount < 2) return;
    if (step >= meta.frameCount - 1) seek(0);
    playFrom = { at: now(), step };
    play.textContent = 'Pause';
    play.setAttribute('aria-label', 'Pause');
    play.dataset.playing = 'true';
    tick();
  }

  function pause(): void {
    playFrom = null;
    if (timer !== null) clearTimeout(timer);
    timer = null;
    play.textContent = 'Play';
    play.setAttribute('aria-label', 'Play');
    play.dataset.playing = 'false';
  }

  play.addEventListener('click', () => (playFrom ? pause() : startPlaying()));
  scrubber.addEventListener('input', () => {
    if (playFrom) playFrom = { at: now(), step: Number(scrubber.value) };
    seek(Number(scrubber.value));
  });
  camera.addEventListener('change', () => {
    cam = camera.value as CameraId;
    cache = null;
    seek(step);
  });
  close.addEventListener('click', () => {
    api.close();
    opts.onClose();
  });

  const api: Playback = {
    get clipId() {
      return meta?.id ?? null;
    },
    async open(m) {
      api.close();
      const g = generation;
      const l = await store.labels(m.id);
      if (g !== generation) return;
      meta = m;
      labels = l;
      cam = 'center';
      step = 0;
      times = new Float64Array(l.count);
      for (let i = 0; i < l.count; i++) times[i] = i / m.rateHz;
      title.textContent = m.name;
      camera.replaceChildren(...m.cameras.map((c) => el('option', { value: c.id }, `${c.id} camera`)));
      camera.hidden = m.cameras.length < 2;
      scrubber.max = String(Math.max(0, m.frameCount - 1));
      root.hidden = false;
      root.dataset.clipId = m.id;
      buildPlots();
      seek(0);
    },
    close() {
      pause();
      generation++;
      meta = null;
      labels = null;
      cache = null;
      reading = null;
      destroyPlots();
      root.hidden = true;
      delete root.dataset.clipId;
    },
    seek,
    dispose() {
      api.close();
      saliency?.dispose();
      resize.disconnect();
      root.remove();
    },
  };
  return api;
}
