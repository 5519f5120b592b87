// The dash camera's picture-in-picture: the low-res frame the model sees, scaled up with hard
// pixels. Drawn from RGB bytes (the same buffer the recorder and the autopilot use), so it shows
// exactly what was captured, at the rate it was captured.

import { paintRgb } from './dom.ts';

export interface DashPip {
  /** Shows an RGB frame (row 0 at the top). */
  show(rgb: Uint8Array, width: number, height: number): void;
  /** Places the picture: CSS pixels within the parent; height follows the frame's aspect. */
  place(x: number, y: number, width: number): void;
  setLabel(text: string): void;
  setVisible(visible: boolean): void;
  dispose(): void;
}

export function createDashPip(parent: HTMLElement): DashPip {
  const canvas = document.createElement('canvas');
  canvas.className = 'ds-pip';
  canvas.setAttribute('data-testid', 'dash-pip');
  const label = document.createElement('div');
  label.className = 'ds-pip-label';
  label.textContent = 'DASH CAMERA';
  parent.append(canvas, label);
  const scratch: { image: ImageData | null } = { image: null };
  let size = '';
  let placed = { x: 0, y: 0, width: 200 };

  const layout = (): void => {
    const h = (placed.width * canvas.height) / Math.max(1, canvas.width);
    Object.assign(canvas.style, { left: `${placed.x}px`, top: `${placed.y}px`, width: `${placed.width}px`, height: `${h}px` });
    Object.assign(label.style, { left: `${placed.x + 6}px`, top: `${placed.y + h + 2}px` });
  };

  return {
    show(rgb, width, height) {
      paintRgb(canvas, rgb, width, height, scratch);
      if (size !== `${width}x${height}`) {
        size = `${width}x${height}`;
        layout();
      }
    },
    place(x, y, width) {
      placed = { x, y, width };
      layout();
    },
    setLabel(text) {
      label.textContent = text;
    },
    setVisible(v) {
      canvas.hidden = !v;
      label.hidden = !v;
    },
    dispose() {
      canvas.remove();
      label.remove();
    },
  };
}
