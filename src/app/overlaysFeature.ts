// Wires the model overlays: which are on (toggles, keys V / L / K), asking the driving worker for
// saliency, feature maps and the gate trace of the window it last predicted on, at most
// OVERLAY_HZ times a second and never two requests at once, paced by their cost (so driving
// keeps its rate: the live views reuse the prediction's own work, anything heavier waits for the
// predictions, workers/overlayApi.ts, and none changes them), and the gradient norms per time
// step from the training worker while a model trains. Wiring only; the views are src/ui/overlays.

import type { HudLayout } from '../hud/layout.ts';
import type { OverlayRequest, OverlayViews, SaliencyMethod, TimeGradSample } from '../../workers/overlayApi.ts';
import { type Column, createOverlayPanels, type OverlayKind } from '../ui/overlays/overlayPanels.ts';
import type { AutopilotController } from './autopilotController.ts';
import type { TrainingController } from './trainingController.ts';

/** Overlay requests per second at most (the car predicts at 20 Hz). */
export const OVERLAY_HZ = 5;
/**
 * The worker spends at most this share of its time on overlays: after a request that took
 * t ms, the next waits t / SHARE ms (a slow backend or a loaded machine lowers the rate, not
 * the prediction rate).
 */
export const OVERLAY_WORKER_SHARE = 0.1;
const TRAINING_POLL_MS = 1000;
/** A column's height where the HUD's panels leave less (the toggles stay reachable), CSS px. */
const MIN_COLUMN_H = 60;
const DEADLINE_MS = 3000;

export interface OverlaysHost {
  parent: HTMLElement;
  autopilot: AutopilotController;
  training: TrainingController;
  /** A side panel (Training, Library...) covers the right of the view. */
  panelOpen?: () => boolean;
}

export interface OverlaysFeature {
  readonly on: Readonly<Record<OverlayKind, boolean>>;
  toggle(kind: OverlayKind): void;
  /** The latest views received (tests and the bench read them). */
  readonly latest: OverlayViews | null;
  /** `pip`: where the dash picture is (CSS px in the HUD layer). */
  place(layout: HudLayout, pip: { x: number; y: number; width: number; height: number }): void;
  /** VisualBackProp of a recorded frame by the driving model (loading the newest saved model if none is loaded). */
  saliencyOf(frame: Uint8Array, width: number, height: number): Promise<OverlayViews['saliency']>;
  dispose(): void;
}

/**
 * The cost line: each view's worker milliseconds, and where it came from when that is not a
 * forward of its own (reusing the prediction's work, or the forward VisualBackProp ran).
 */
export function costLine(on: Readonly<Record<OverlayKind, boolean>>, v: OverlayViews, method: SaliencyMethod): string {
  const name: Record<OverlayKind, string> = { saliency: v.saliency?.method ?? method, layers: 'layers', gates: 'gates' };
  const kinds = (['saliency', 'layers', 'gates'] as const).filter((k) => on[k]);
  const reused = kinds.filter((k) => v.from[k] === 'prediction');
  const parts = kinds.map((k) => {
    if (k === 'layers' && v.from.layers === 'saliency') return `layers in ${name.saliency}'s forward`;
    if (v.from[k] === null && v.waiting) return `${name[k]} waiting for the next prediction`;
    return `${name[k]} ${v.ms[k].toFixed(1)} ms`;
  });
  const note = reused.length === 0 ? '' : reused.length === kinds.length ? ', reusing the prediction\'s forward' : ` (${reused.map((k) => name[k]).join(', ')}: reusing the prediction's forward)`;
  return parts.join(' · ') + note;
}

/** What to ask the worker for, given the toggles; null when nothing is on. */
export function overlayRequest(on: Readonly<Record<OverlayKind, boolean>>, method: SaliencyMethod, camLayer: number): OverlayRequest | null {
  if (!on.saliency && !on.layers && !on.gates) return null;
  return {
    saliency: on.saliency ? method : null,
    ...(on.saliency && method !== 'vbp' && camLayer >= 0 ? { gradcamLayer: camLayer } : {}),
    featureChannels: on.layers ? 16 : 0,
    gates: on.gates,
  };
}

/**
 * One overlay request at a time per worker, paced by what the last one cost the worker. The slot
 * frees when the worker answers, not at the caller's deadline: the worker reads asynchronously,
 * so it would take a second request while the first still runs, and a slow view (Grad-CAM on a
 * software GPU takes seconds) asked for again at every poll would pile up ahead of the
 * predictions. After an answer that took t ms, the next request waits t / OVERLAY_WORKER_SHARE.
 */
export function createOverlayPacer(now: () => number = () => performance.now()) {
  let busy: object | null = null;
  let nextAt = 0;
  return {
    canStart(worker: object): boolean {
      return busy !== worker && now() >= nextAt;
    },
    /** `call`: the request just sent to `worker`. */
    started(worker: object, call: Promise<OverlayViews | null>): void {
      busy = worker;
      call
        .then((v) => {
          nextAt = now() + (v ? v.ms.total / OVERLAY_WORKER_SHARE : 0);
        }, () => {})
        .finally(() => {
          if (busy === worker) busy = null;
        });
    },
    /** The toggles changed: the next request may go as soon as the slot is free. */
    hurry(): void {
      nextAt = 0;
    },
  };
}

/**
 * Where the overlay columns go on the HUD: the left one under the lap panel, down to the first HUD
 * rect below it in its way (the model switch, the autopilot block or the steering panel); the
 * right one under the dash picture and minimap, down to the speed panel. Where the view is too
 * short for that (a phone turned sideways) at least MIN_COLUMN_H, but never past the bottom of the
 * HUD's layer, which ends above the touch controls while they show.
 */
export function overlayColumns(l: HudLayout, pip: { x: number; y: number; width: number; height: number }): { left: Column; right: Column } {
  const gap = 10 * l.unit;
  const leftTop = l.lap.y + l.lap.h + gap;
  const rightTop = Math.max(pip.y + pip.height, l.minimapBox.y + l.minimapBox.h) + 24 * l.unit;
  const room = (top: number, above: number): number => Math.max(0, Math.max(above - gap - top, Math.min(MIN_COLUMN_H, l.height - top)));
  const inTheWay = [l.modelSlot, l.autopilot, l.steering].filter((r) => r.y > leftTop && r.x < l.lap.x + l.lap.w && r.x + r.w > l.lap.x);
  const leftBottom = inTheWay.length > 0 ? Math.min(...inTheWay.map((r) => r.y)) : l.height;
  return {
    left: { x: l.lap.x, y: leftTop, width: l.lap.w, maxHeight: room(leftTop, leftBottom) },
    right: { x: l.minimapBox.x, y: rightTop, width: l.minimapBox.w, maxHeight: room(rightTop, l.speed.y) },
  };
}

export function createOverlaysFeature(host: OverlaysHost): OverlaysFeature {
  const on: Record<OverlayKind, boolean> = { saliency: false, layers: false, gates: false };
  let method: SaliencyMethod = 'vbp';
  let camLayer = -1;
  let latest: OverlayViews | null = null;
  const pacer = createOverlayPacer();
  let gradsShown = 0;
  let trainingPolled = 0;

  const panels = createOverlayPanels(host.parent, {
    toggle: (k) => feature.toggle(k),
    method: (m) => {
      method = (['vbp', 'gradcam', 'hirescam'] as const).find((x) => x === m) ?? 'vbp';
      pacer.hurry();
      panels.setOn(on);
    },
    camLayer: (l) => {
      camLayer = l;
    },
  });
  panels.setOn(on);

  function show(v: OverlayViews | null): void {
    latest = v;
    // A view not in yet (the predictor keeps its maps from the next prediction on) leaves the last one drawn.
    const keep = (k: OverlayKind): boolean => !!v?.waiting && v.from[k] === null;
    if (on.saliency && !keep('saliency')) panels.showSaliency(v?.saliency ?? null);
    if (on.layers && !keep('layers')) panels.showLayers(v?.layers ?? []);
    if (on.gates && !keep('gates')) {
      const kind = host.autopilot.model ? '' : 'No model loaded: engage the autopilot (M). ';
      const note = v?.gates
        ? `${v.gates.kind.toUpperCase()}, ${v.gates.units} units over ${v.gates.steps} frames (oldest left): thick = mean, thin = units 1-3`
        : v ? 'This model is the single-frame CNN: no recurrent layer.' : `${kind}Waiting for a frame.`;
      panels.showGates(v?.gates ?? null, note);
    }
    if (v) panels.setCost(costLine(on, v, method));
  }

  async function pollDriving(): Promise<void> {
    const req = overlayRequest(on, method, camLayer);
    const w = host.autopilot.worker;
    if (!req || !w || w.dead || !host.autopilot.model || !pacer.canStart(w)) return;
    const call = w.api.overlayViews(req);
    pacer.started(w, call);
    try {
      show(await w.within(DEADLINE_MS, call));
    } catch (e) {
      panels.setCost(`overlay failed: ${(e as Error).message}`);
      // An answer after the deadline is still shown (its cost line replaces the message).
      const late = await call.catch(() => undefined);
      if (late !== undefined) show(late);
    }
  }

  async function pollTraining(): Promise<void> {
    if (!on.gates || !host.training.running) return;
    const w = await host.training.ensureWorker();
    const samples: TimeGradSample[] = await w.api.timeGradients();
    if (samples.length !== gradsShown) {
      gradsShown = samples.length;
      panels.showTimeGrads(samples);
    }
  }

  let gatesLeft = false;
  const timer = setInterval(() => {
    const left = host.panelOpen?.() ?? false;
    if (left !== gatesLeft) panels.setGatesLeft((gatesLeft = left));
    void pollDriving();
    const now = performance.now();
    if (now - trainingPolled >= TRAINING_POLL_MS) {
      trainingPolled = now;
      void pollTraining().catch(() => {});
    }
  }, 1000 / OVERLAY_HZ);

  const feature: OverlaysFeature = {
    get on() {
      return on;
    },
    get latest() {
      return latest;
    },
    toggle(kind) {
      on[kind] = !on[kind];
      panels.setOn(on);
      pacer.hurry();
      if (on[kind]) void pollDriving();
    },
    place(l, pip) {
      const { left, right } = overlayColumns(l, pip);
      panels.place(pip, left, right);
    },
    async saliencyOf(frame, width, height) {
      const ap = host.autopilot;
      const w = await ap.ensureWorker();
      if (!ap.model) {
        const models = await w.api.listModels();
        if (models.length === 0) return null;
        await ap.loadModel(models[models.length - 1].id);
      }
      const v = await w.within(DEADLINE_MS, w.api.overlayViews({ saliency: 'vbp' }, { pixels: frame, width, height }));
      return v?.saliency ?? null;
    },
    dispose() {
      clearInterval(timer);
      panels.dispose();
    },
  };
  return feature;
}
