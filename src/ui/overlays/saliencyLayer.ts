// Saliency over a recorded frame (the library's playback): a toggle and a canvas laid over the
// frame; each shown frame is sent to `compute` (the driving worker's loaded model), one request
// at a time, the newest frame winning. View only: it draws what `compute` returns.

import { el } from '../dom.ts';
import { heatRgba, type SaliencyLike } from './overlayPaint.ts';

/** Saliency of one RGB frame (row 0 at the top); null when no model can look at it. */
export type ComputeSaliency = (frame: Uint8Array, width: number, height: number) => Promise<SaliencyLike | null>;

export interface SaliencyLayer {
  /** The toggle, for the caller to place. */
  readonly toggle: HTMLElement;
  /** The frame on screen changed (a copy is taken only while the toggle is on). */
  update(frame: Uint8Array, width: number, height: number): void;
  dispose(): void;
}

export function createSaliencyLayer(frameBox: HTMLElement, compute: ComputeSaliency, notify: (text: string) => void): SaliencyLayer {
  const check = el('input', { type: 'checkbox', 'data-testid': 'playback-saliency' });
  const toggle = el('label', { class: 'lib-saliency-toggle', title: 'What the driving model looks at in this frame (VisualBackProp)' }, check, ' Saliency');
  const canvas = el('canvas', { 'data-testid': 'playback-saliency-canvas', hidden: true });
  Object.assign(canvas.style, { position: 'absolute', left: '0', top: '0', width: '100%', height: 'auto', imageRendering: 'pixelated', pointerEvents: 'none' });
  frameBox.append(canvas);
  let busy = false;
  let pending: { frame: Uint8Array; width: number; height: number } | null = null;
  let last: { frame: Uint8Array; width: number; height: number } | null = null;

  async function run(): Promise<void> {
    busy = true;
    try {
      while (pending && check.checked) {
        const job = pending;
        pending = null;
        const map = await compute(job.frame, job.width, job.height);
        if (!map) {
          notify('Saliency needs a model: load one for driving (Autopilot, or the Training panel\'s Drive).');
          check.checked = false;
          canvas.hidden = true;
          break;
        }
        canvas.width = map.width;
        canvas.height = map.height;
        const ctx = canvas.getContext('2d');
        const img = ctx?.createImageData(map.width, map.height);
        if (ctx && img) {
          heatRgba(map, img.data);
          ctx.putImageData(img, 0, 0);
        }
      }
    } catch (e) {
      notify(`Saliency failed: ${(e as Error).message}`);
    } finally {
      busy = false;
    }
  }

  check.addEventListener('change', () => {
    canvas.hidden = !check.checked;
    if (check.checked && last) {
      pending = last;
      if (!busy) void run();
    }
  });

  return {
    toggle,
    update(frame, width, height) {
      last = { frame: frame.slice(), width, height };
      if (!check.checked) return;
      pending = last;
      if (!busy) void run();
    },
    dispose() {
      check.checked = false;
      canvas.remove();
      toggle.remove();
    },
  };
}
