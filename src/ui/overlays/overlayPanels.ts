// The model overlays' DOM: a row of toggles (saliency, layers, gates), the saliency canvas laid
// over the dash camera picture, the feature-map grids of every conv layer, and the recurrent
// plot (gate and state means over the window's frames, a few units, and the gradient norm per
// time step sampled in training). Views only: they draw what they are given and emit intents.

import { el } from '../dom.ts';
import {
  featureGridRgba, gridLayout, heatRgba, SERIES_COLORS, stepMeans, valueRange,
  type FeatureMapsLike, type GateTraceLike, type SaliencyLike, type TimeGradLike,
} from './overlayPaint.ts';
import './overlays.css';

export type OverlayKind = 'saliency' | 'layers' | 'gates';
export const OVERLAY_KINDS: readonly OverlayKind[] = ['saliency', 'layers', 'gates'];
export const SALIENCY_METHODS = [
  { value: 'vbp', label: 'VisualBackProp' },
  { value: 'gradcam', label: 'Grad-CAM' },
  { value: 'hirescam', label: 'HiResCAM' },
] as const;

export interface OverlayIntents {
  toggle(kind: OverlayKind): void;
  method(method: string): void;
  /** Conv layer for Grad-CAM, 0-based; -1 = the deepest. */
  camLayer(layer: number): void;
}

export interface Column {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly maxHeight: number;
}

export interface OverlayPanels {
  setOn(on: Readonly<Record<OverlayKind, boolean>>): void;
  showSaliency(map: SaliencyLike | null): void;
  showLayers(layers: readonly FeatureMapsLike[]): void;
  showGates(trace: GateTraceLike | null, note: string): void;
  showTimeGrads(samples: readonly TimeGradLike[]): void;
  setCost(text: string): void;
  /** Moves the gates panel to the left column (a side panel covers the right one) or back. */
  setGatesLeft(left: boolean): void;
  /** Saliency canvas over the dash picture (CSS px in the parent); toggles and layers in the left column, gates in the right (each at most its maxHeight tall). */
  place(pip: { x: number; y: number; width: number }, left: Column, right: Column): void;
  dispose(): void;
}

const LABELS: Record<OverlayKind, string> = { saliency: 'Saliency', layers: 'Layers', gates: 'Gates' };
const KEYS: Record<OverlayKind, string> = { saliency: 'V', layers: 'L', gates: 'K' };

export function createOverlayPanels(parent: HTMLElement, intents: OverlayIntents): OverlayPanels {
  const toggles = Object.fromEntries(OVERLAY_KINDS.map((k) => {
    const b = el('button', { type: 'button', class: 'ds-iconbtn', 'data-testid': `overlay-${k}`, 'aria-pressed': 'false', title: `${LABELS[k]} overlay (${KEYS[k]})` }, LABELS[k]);
    b.addEventListener('click', () => intents.toggle(k));
    return [k, b];
  })) as Record<OverlayKind, HTMLButtonElement>;
  const method = el('select', { 'aria-label': 'Saliency method', 'data-testid': 'overlay-method' });
  method.append(...SALIENCY_METHODS.map((m) => el('option', { value: m.value }, m.label)));
  method.addEventListener('change', () => intents.method(method.value));
  const camLayer = el('select', { 'aria-label': 'Grad-CAM layer', 'data-testid': 'overlay-cam-layer' });
  camLayer.append(el('option', { value: '-1' }, 'deepest'));
  camLayer.addEventListener('change', () => intents.camLayer(Number(camLayer.value)));
  const cost = el('span', { class: 'ds-ov-cost' });
  const bar = el('div', { class: 'ds-ov-bar' }, ...OVERLAY_KINDS.map((k) => toggles[k]), method, camLayer, cost);

  const saliencyCanvas = el('canvas', { class: 'ds-ov-saliency', 'data-testid': 'saliency-canvas', hidden: true });
  const layersBox = el('div', { class: 'ds-ov-box', 'data-testid': 'overlay-layers-view', hidden: true });
  const gatesCanvas = el('canvas', { class: 'ds-ov-plot', 'data-testid': 'gates-canvas', width: 320, height: 170 });
  const gatesNote = el('div', { class: 'ds-ov-note' });
  const gatesBox = el('div', { class: 'ds-ov-box', 'data-testid': 'overlay-gates-view', hidden: true }, el('div', { class: 'ds-ov-title' }, 'Recurrent layer over the window'), gatesCanvas, gatesNote);
  const column = el('div', { class: 'ds-ov-column' }, bar, layersBox);
  const right = el('div', { class: 'ds-ov-column' }, gatesBox);
  parent.append(saliencyCanvas, column, right);

  let heat: ImageData | null = null;
  let placed = { x: 0, y: 0, width: 200 };
  /** Over the dash picture, whose height follows the frame's aspect (the map has the same). */
  const placeSaliency = (): void => {
    const h = (placed.width * Math.max(1, saliencyCanvas.height)) / Math.max(1, saliencyCanvas.width);
    Object.assign(saliencyCanvas.style, { left: `${placed.x}px`, top: `${placed.y}px`, width: `${placed.width}px`, height: `${h}px` });
  };
  let layerCanvases: { name: string; canvas: HTMLCanvasElement; label: HTMLElement }[] = [];
  let trace: GateTraceLike | null = null;
  let grads: readonly TimeGradLike[] = [];

  function drawPlot(): void {
    const ctx = gatesCanvas.getContext('2d');
    if (!ctx) return;
    const W = gatesCanvas.width;
    const H = gatesCanvas.height;
    ctx.fillStyle = '#101426';
    ctx.fillRect(0, 0, W, H);
    const plotH = grads.length ? H * 0.62 : H - 8;
    if (trace) {
      const { steps, units } = trace;
      const names = Object.keys(trace.series);
      const [lo, hi] = valueRange(names.map((n) => trace!.series[n]), [0, 1]);
      const x = (t: number) => 30 + (t / Math.max(1, steps - 1)) * (W - 40);
      const y = (v: number) => 6 + (1 - (v - lo) / (hi - lo)) * (plotH - 16);
      ctx.strokeStyle = 'rgba(255,255,255,0.15)';
      ctx.fillStyle = 'rgba(255,255,255,0.6)';
      ctx.font = '11px sans-serif';
      for (const v of [lo, 0, 1, hi]) {
        if (v < lo || v > hi) continue;
        ctx.beginPath();
        ctx.moveTo(28, y(v));
        ctx.lineTo(W - 6, y(v));
        ctx.stroke();
        ctx.fillText(v.toFixed(1), 2, y(v) + 4);
      }
      for (const n of names) {
        const s = trace.series[n];
        ctx.strokeStyle = SERIES_COLORS[n] ?? '#fff';
        // A few units thin, the mean thick.
        ctx.globalAlpha = 0.35;
        ctx.lineWidth = 1;
        for (let j = 0; j < Math.min(3, units); j++) {
          ctx.beginPath();
          for (let t = 0; t < steps; t++) ctx[t ? 'lineTo' : 'moveTo'](x(t), y(s[t * units + j]));
          ctx.stroke();
        }
        ctx.globalAlpha = 1;
        ctx.lineWidth = 2.5;
        ctx.beginPath();
        stepMeans(s, steps, units).forEach((v, t) => ctx[t ? 'lineTo' : 'moveTo'](x(t), y(v)));
        ctx.stroke();
      }
      let lx = 32;
      for (const n of names) {
        ctx.fillStyle = SERIES_COLORS[n] ?? '#fff';
        ctx.fillText(n, lx, plotH - 2);
        lx += ctx.measureText(n).width + 12;
      }
    }
    if (grads.length) {
      const last = grads[grads.length - 1];
      const T = last.norms.length;
      const logs = last.norms.map((v) => Math.log10(Math.max(v, 1e-12)));
      const [lo, hi] = valueRange([logs]);
      const top = plotH + 14;
      const h = H - top - 4;
      const bw = (W - 40) / T;
      ctx.fillStyle = 'rgba(255,255,255,0.7)';
      ctx.fillText(`gradient reaching each frame (log10), epoch ${last.epoch + 1}: ${lo.toFixed(1)}..${hi.toFixed(1)}`, 30, top - 2);
      logs.forEach((v, t) => {
        const bh = Math.max(2, ((v - lo) / (hi - lo)) * h);
        ctx.fillStyle = '#ffb74d';
        ctx.fillRect(30 + t * bw + 2, top + h - bh, bw - 4, bh);
      });
    }
  }

  return {
    setOn(on) {
      for (const k of OVERLAY_KINDS) toggles[k].setAttribute('aria-pressed', String(on[k]));
      saliencyCanvas.hidden = !on.saliency;
      layersBox.hidden = !on.layers;
      gatesBox.hidden = !on.gates;
      method.hidden = !on.saliency;
      camLayer.hidden = !on.saliency || method.value === 'vbp';
    },
    showSaliency(map) {
      camLayer.hidden = saliencyCanvas.hidden || method.value === 'vbp';
      const ctx = saliencyCanvas.getContext('2d');
      if (!ctx) return;
      if (!map) {
        ctx.clearRect(0, 0, saliencyCanvas.width, saliencyCanvas.height);
        return;
      }
      if (saliencyCanvas.width !== map.width || saliencyCanvas.height !== map.height) {
        saliencyCanvas.width = map.width;
        saliencyCanvas.height = map.height;
        heat = null;
        placeSaliency();
      }
      heat ??= ctx.createImageData(map.width, map.height);
      heatRgba(map, heat.data);
      ctx.putImageData(heat, 0, 0);
    },
    showLayers(layers) {
      if (layerCanvases.map((l) => l.name).join() !== layers.map((l) => l.layer).join()) {
        layerCanvases = layers.map((l) => ({ name: l.layer, canvas: el('canvas', { class: 'ds-ov-grid' }), label: el('div', { class: 'ds-ov-title' }) }));
        layersBox.replaceChildren(...layerCanvases.flatMap((l) => [l.label, l.canvas]));
        const keep = camLayer.value;
        camLayer.replaceChildren(el('option', { value: '-1' }, 'deepest'), ...layers.map((l, i) => el('option', { value: String(i) }, l.layer)));
        camLayer.value = [...camLayer.options].some((o) => o.value === keep) ? keep : '-1';
      }
      layers.forEach((m, i) => {
        const { canvas, label } = layerCanvases[i];
        const g = gridLayout(m);
        canvas.width = g.width;
        canvas.height = g.height;
        const ctx = canvas.getContext('2d');
        ctx?.putImageData(new ImageData(featureGridRgba(m, g) as Uint8ClampedArray<ArrayBuffer>, g.width, g.height), 0, 0);
        label.textContent = `${m.layer}: ${m.width}x${m.height}, ${m.channels} of ${m.totalChannels} channels`;
      });
    },
    showGates(t, note) {
      trace = t;
      gatesNote.textContent = note;
      drawPlot();
    },
    showTimeGrads(samples) {
      grads = samples;
      drawPlot();
    },
    setCost(text) {
      cost.textContent = text;
    },
    setGatesLeft(left) {
      (left ? column : right).append(gatesBox);
    },
    place(pip, l, r) {
      placed = pip;
      placeSaliency();
      for (const [box, c] of [[column, l], [right, r]] as const) {
        // No room at all: not shown (clipping to nothing would leave its boxes where they were).
        Object.assign(box.style, { left: `${c.x}px`, top: `${c.y}px`, width: `${c.width}px`, maxHeight: `${Math.max(0, c.maxHeight)}px`, display: c.maxHeight > 0 ? '' : 'none' });
      }
    },
    dispose() {
      saliencyCanvas.remove();
      column.remove();
      right.remove();
    },
  };
}
