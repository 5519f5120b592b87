// The steering histogram of the chosen clips, drawn as bars on a canvas, with the verdict
// line under it. Mirrored on purpose: left turns (steer > 0) are drawn on the left, as the
// player sees them, and the near-straight band is coloured apart, because that is the bar
// that grows when data is too straight.

import type { SteeringHistogram } from '../../data/index.ts';
import { el } from '../dom.ts';
import { formatCount } from './format.ts';
import type { SteeringVerdict } from './steeringBalance.ts';
import { NEAR_STRAIGHT } from './steeringBalance.ts';

export interface HistogramViewState {
  readonly histogram: SteeringHistogram | null;
  readonly verdict: SteeringVerdict | null;
  /** "3 selected clips", "all 12 clips". */
  readonly scope: string;
  readonly allCameras: boolean;
  /** Side cameras exist in the scope (otherwise the camera switch is hidden). */
  readonly hasSideCameras: boolean;
  readonly loading: boolean;
  /** Clips left out because their labels cannot be read (incomplete ones needing recovery). */
  readonly skipped: number;
}

export interface HistogramView {
  render(state: HistogramViewState): void;
  dispose(): void;
}

const HEIGHT = 120;
const AXIS = 16;

export function createHistogramView(container: HTMLElement, intents: { allCameras(on: boolean): void }): HistogramView {
  const scope = el('span', { class: 'ds-muted', 'data-testid': 'histogram-scope' });
  const cams = el('input', { type: 'checkbox', 'data-testid': 'histogram-all-cameras' });
  const camsLabel = el('label', { class: 'ds-muted lib-check', title: 'Count the recovery labels of side-camera frames too' }, cams, 'side cameras');
  cams.addEventListener('change', () => intents.allCameras(cams.checked));
  const canvas = el('canvas', { class: 'lib-hist', 'data-testid': 'histogram-canvas', role: 'img' });
  const verdict = el('p', { class: 'lib-verdict', 'data-testid': 'histogram-verdict', 'aria-live': 'polite' });
  const root = el('div', { 'data-testid': 'histogram' }, el('div', { class: 'ds-row lib-between' }, scope, camsLabel), canvas, verdict);
  container.append(root);
  let last: HistogramViewState | null = null;

  function draw(): void {
    const s = last;
    const ctx = canvas.getContext('2d');
    const cssW = canvas.clientWidth;
    if (!ctx || cssW === 0 || !s) return;
    const dpr = window.devicePixelRatio || 1;
    canvas.width = Math.round(cssW * dpr);
    canvas.height = Math.round(HEIGHT * dpr);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, cssW, HEIGHT);
    const style = getComputedStyle(root);
    const color = (name: string, fallback: string): string => style.getPropertyValue(name).trim() || fallback;
    const accent = color('--accent', '#3fb6ff');
    const straightColor = color('--accent-2', '#ffb23f');
    const muted = color('--muted', '#8d97a8');
    const line = color('--line', 'rgba(255,255,255,0.1)');
    const plotH = HEIGHT - AXIS;
    // x in CSS px for a steer value, mirrored: +1 (full left) at the left edge.
    const xOf = (steer: number): number => ((1 - steer) / 2) * cssW;

    ctx.fillStyle = 'rgba(255,178,63,0.08)';
    ctx.fillRect(xOf(NEAR_STRAIGHT), 0, xOf(-NEAR_STRAIGHT) - xOf(NEAR_STRAIGHT), plotH);
    const h = s.histogram;
    if (h && h.total > 0) {
      let max = 0;
      for (const c of h.counts) max = Math.max(max, c);
      for (let i = 0; i < h.counts.length; i++) {
        const a = h.edges[i];
        const b = h.edges[i + 1];
        const barH = (h.counts[i] / max) * (plotH - 4);
        if (barH <= 0) continue;
        const x0 = xOf(b);
        const x1 = xOf(a);
        const straight = Math.abs((a + b) / 2) < NEAR_STRAIGHT;
        ctx.fillStyle = straight ? straightColor : accent;
        ctx.fillRect(x0 + 0.5, plotH - barH, Math.max(1, x1 - x0 - 1), barH);
      }
    }
    ctx.strokeStyle = line;
    ctx.beginPath();
    ctx.moveTo(0, plotH + 0.5);
    ctx.lineTo(cssW, plotH + 0.5);
    ctx.stroke();
    ctx.fillStyle = muted;
    ctx.font = '11px system-ui, sans-serif';
    ctx.textBaseline = 'top';
    const labels: [number, string, CanvasTextAlign][] = [[1, 'full left', 'left'], [0.5, '0.5', 'center'], [0, 'straight', 'center'], [-0.5, '0.5', 'center'], [-1, 'full right', 'right']];
    for (const [v, text, align] of labels) {
      ctx.textAlign = align;
      ctx.fillText(text, Math.min(cssW, Math.max(0, xOf(v))), plotH + 3);
    }
  }

  const resize = new ResizeObserver(() => draw());
  resize.observe(canvas);

  return {
    render(s) {
      last = s;
      const h = s.histogram;
      scope.textContent = `${s.scope}${h ? ` · ${formatCount(h.total)} frames` : ''}${s.loading ? ' · counting…' : ''}`;
      camsLabel.hidden = !s.hasSideCameras;
      cams.checked = s.allCameras;
      const skipped = s.skipped > 0 ? ` (${s.skipped} clip${s.skipped === 1 ? '' : 's'} left out: recover ${s.skipped === 1 ? 'it' : 'them'} first)` : '';
      verdict.textContent = s.verdict ? s.verdict.text + skipped : skipped.trim();
      verdict.dataset.level = s.verdict?.level ?? 'empty';
      canvas.setAttribute('aria-label', s.verdict ? `Steering histogram: ${s.verdict.text}` : 'Steering histogram');
      draw();
    },
    dispose() {
      resize.disconnect();
      root.remove();
    },
  };
}
