// The live plots (uPlot), drawn from a TrainingSeries: (a) training loss per step, raw and
// smoothed, with the validation loss at each epoch's end; (b) RMSE per head per epoch next to
// the constant predictor's (dashed), on two scales (steering and torque are -1..1, speed m/s),
// and for a model that reads the speed, holding the present speed's (dotted; the speed head's
// fairer bar: the constant predictor ignores the speedometer the model is fed);
// (c) the gradient norm of every layer per step on a log scale, with the global norm before and
// after clipping. The plots are made once and fed the series' arrays; only a change in the set
// of layers rebuilds the gradient plot. The panel decides when to draw (throttled).
//
// Ownership: owns its uPlot instances and a ResizeObserver; dispose() frees them.

import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { el } from '../dom.ts';
import { formatCount, sig3 } from './format.ts';
import type { TrainingSeries } from './plotSeries.ts';

export interface PlotsView {
  /** Redraws from the series (cheap when nothing changed). */
  draw(series: TrainingSeries): void;
  dispose(): void;
}

const HEIGHT = 170;
const FONT = '11px system-ui, sans-serif';
/** Head colours: steering the accent blue, speed green, torque amber (styles.css). */
const HEAD_COLORS = { steering: '#3fb6ff', speed: '#46d68c', torque: '#ffb23f' } as const;

/** A colour per layer: convs blue→cyan, dense layers green, the recurrent cell orange, heads pink/violet. */
export function layerColor(name: string, index: number): string {
  if (/^conv/.test(name)) return `hsl(${200 + ((index * 23) % 60)}, 80%, ${55 + ((index * 7) % 20)}%)`;
  if (name === 'rnn') return 'hsl(28, 95%, 58%)';
  if (/^(steering|speed|torque)/.test(name)) return `hsl(${300 + ((index * 29) % 50)}, 70%, 66%)`;
  return `hsl(${120 + ((index * 31) % 50)}, 55%, 55%)`;
}

const fmtAxis = (_u: uPlot, values: number[]): string[] => values.map((v) => (v === null || v === undefined ? '' : Math.abs(v) >= 1000 ? formatCount(v) : sig3(v)));
/** Whole-number tick steps for the step and epoch axes. */
const INT_INCRS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000, 200_000, 500_000, 1_000_000];

/**
 * A legend value: the value under the cursor, or the series' latest value when the cursor is
 * off the plot (so the legend always reads as the current figures).
 */
function legendValue(u: uPlot, v: number | null, seriesIdx: number, idx: number | null): string {
  if (idx === null) {
    const data = u.data[seriesIdx] as (number | null | undefined)[];
    for (let i = data.length - 1; i >= 0; i--) {
      const d = data[i];
      if (d !== null && d !== undefined) return sig3(d);
    }
    return '–';
  }
  return v === null || v === undefined ? '–' : sig3(v);
}

export function createPlotsView(container: HTMLElement): PlotsView {
  const style = (name: string, fallback: string): string => getComputedStyle(container).getPropertyValue(name).trim() || fallback;
  const muted = style('--muted', '#8d97a8');
  const grid = style('--line', 'rgba(255,255,255,0.1)');
  const text = style('--text', '#e8ecf2');

  const holder = (testId: string, title: string, note: string): { box: HTMLElement; plot: HTMLElement; noteEl: HTMLElement } => {
    const plot = el('div', { class: 'trn-plot-canvas' });
    const noteEl = el('span', { class: 'trn-plot-note' }, note);
    const box = el('div', { class: 'trn-plot', 'data-testid': testId }, el('div', { class: 'trn-plot-head' }, el('b', {}, title), noteEl), plot);
    return { box, plot, noteEl };
  };
  const loss = holder('plot-loss', 'Loss', 'training per step (faint: raw) · validation per epoch (dots)');
  const rmse = holder('plot-rmse', 'RMSE per head', 'validation, per epoch · dashed: always predicting the mean');
  const grad = holder('plot-grad', 'Gradient norm per layer', 'log scale · before clipping; dashed: the global norm applied');
  const empty = el('p', { class: 'ds-muted trn-plots-empty', 'data-testid': 'plots-empty' }, 'The plots fill in as training runs.');
  const root = el('div', { class: 'trn-plots' }, empty, loss.box, rmse.box, grad.box);
  container.append(root);

  const width = (): number => Math.max(240, Math.floor(root.clientWidth || 480));
  const axis = (opts: Partial<uPlot.Axis> = {}): uPlot.Axis => ({
    stroke: muted, font: FONT, size: 44, gap: 3, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1, size: 3 }, values: fmtAxis, ...opts,
  });
  const xAxis = (label: string): uPlot.Axis => axis({ size: 30, label, labelFont: FONT, labelSize: 14, labelGap: 0, incrs: INT_INCRS });
  const base = (): Partial<uPlot.Options> => ({
    width: width(),
    height: HEIGHT,
    cursor: { drag: { x: false, y: false }, points: { size: 5 } },
    legend: { show: true, live: true },
  });

  const lossPlot = new uPlot({
    ...base(),
    scales: { x: { time: false }, y: { distr: 3 } },
    axes: [xAxis('step'), axis()],
    series: [
      { label: 'step' },
      { label: 'loss', stroke: 'rgba(63,182,255,0.35)', width: 1, points: { show: false }, value: legendValue },
      { label: 'smoothed', stroke: HEAD_COLORS.steering, width: 2, points: { show: false }, value: legendValue },
      { label: 'validation', stroke: text, width: 1.5, spanGaps: true, points: { show: true, size: 6, fill: text }, value: legendValue },
    ],
  } as uPlot.Options, [[], [], [], []], loss.plot);

  const headSeries = (head: keyof typeof HEAD_COLORS, scale: string, baseline: boolean): uPlot.Series => ({
    label: baseline ? `${head} mean` : head,
    scale,
    stroke: HEAD_COLORS[head],
    width: baseline ? 1.25 : 2,
    dash: baseline ? [5, 4] : undefined,
    points: { show: !baseline, size: 5 },
    value: legendValue,
  });
  const rmsePlot = new uPlot({
    ...base(),
    scales: { x: { time: false }, u: { range: (_u, _min, max) => [0, Math.max(0.05, max * 1.1)] }, ms: { range: (_u, _min, max) => [0, Math.max(0.5, max * 1.1)] } },
    axes: [xAxis('epoch'), axis({ scale: 'u', label: 'steer, torque', labelFont: FONT, labelSize: 14, size: 40 }), axis({ scale: 'ms', side: 1, grid: { show: false }, label: 'speed m/s', labelFont: FONT, labelSize: 16, size: 48 })],
    series: [
      { label: 'epoch' },
      headSeries('steering', 'u', false), headSeries('speed', 'ms', false), headSeries('torque', 'u', false),
      headSeries('steering', 'u', true), headSeries('speed', 'ms', true), headSeries('torque', 'u', true),
    ],
  } as uPlot.Options, [[], [], [], [], [], [], []], rmse.plot);
  /** The speedometer baseline's series: added after the constant ones while the epochs carry it. */
  const speedometerSeries: uPlot.Series = {
    label: 'speed: hold present speed', scale: 'ms', stroke: HEAD_COLORS.speed, width: 1.25, dash: [2, 3], points: { show: false }, value: legendValue,
  };
  let speedometerShown = false;

  let gradPlot: uPlot | null = null;
  let gradLayersVersion = -1;
  let gradLayers: string[] = [];

  function buildGrad(series: TrainingSeries): void {
    gradPlot?.destroy();
    gradLayers = [...series.layers];
    gradLayersVersion = series.layersVersion;
    const value = legendValue;
    gradPlot = new uPlot({
      ...base(),
      height: HEIGHT + 20,
      scales: { x: { time: false }, y: { distr: 3 } },
      axes: [xAxis('step'), axis()],
      series: [
        { label: 'step' },
        ...gradLayers.map((l, i) => ({ label: l, stroke: layerColor(l, i), width: 1.25, points: { show: false }, value })),
        { label: 'global', stroke: text, width: 2, points: { show: false }, value },
        { label: 'applied', stroke: text, width: 1.25, dash: [4, 4], points: { show: false }, value },
      ],
    } as uPlot.Options, series.gradData() as uPlot.AlignedData, grad.plot);
  }

  let drawnVersion = -1;
  const resize = new ResizeObserver(() => {
    const w = width();
    for (const u of [lossPlot, rmsePlot, gradPlot]) if (u && u.width !== w) u.setSize({ width: w, height: u.height });
  });
  resize.observe(root);

  return {
    draw(series) {
      const hasData = series.steps.x.length > 0 || series.epochs.length > 0;
      empty.hidden = hasData;
      for (const box of [loss.box, rmse.box, grad.box]) box.hidden = !hasData;
      if (series.version === drawnVersion) return;
      drawnVersion = series.version;
      lossPlot.setData(series.lossData() as uPlot.AlignedData);
      if (series.hasSpeedometer !== speedometerShown) {
        speedometerShown = series.hasSpeedometer;
        if (speedometerShown) rmsePlot.addSeries(speedometerSeries);
        else rmsePlot.delSeries(rmsePlot.series.length - 1);
      }
      rmsePlot.setData(series.rmseData() as uPlot.AlignedData);
      rmse.noteEl.textContent = `${series.rmseOn === 'val' ? 'validation' : 'training (no validation set)'}, per epoch · dashed: always predicting the mean${speedometerShown ? ' · dotted: holding the present speed' : ''}`;
      if (series.layersVersion !== gradLayersVersion) buildGrad(series);
      else gradPlot?.setData(series.gradData() as uPlot.AlignedData);
    },
    dispose() {
      resize.disconnect();
      lossPlot.destroy();
      rmsePlot.destroy();
      gradPlot?.destroy();
      root.remove();
    },
  };
}
