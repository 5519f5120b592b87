// The HUD's pixi scene: panel backgrounds, steering wheels (human and model) with the
// disagreement bar, the speed gauge with throttle and brake bars, the minimap, and the edge
// glow of a warning. Every display object is made once; `layout` redraws the static shapes
// (on resize or a new track) and `apply` only moves, turns, scales and tints, redrawing the
// one shape that must change (the gauge arc) when the speed moves by a whole step.
// It holds no truth: everything it shows comes from the last HudView. Owns its pixi objects.

import { Container, Graphics } from 'pixi.js';
import type { Track } from '../sim/track.ts';
import type { HudView } from './hudView.ts';
import { MAX_GHOSTS } from './hudView.ts';
import { type HudLayout, mapHeading, mapX, mapY, type MinimapFit } from './layout.ts';

export const COLORS = {
  panel: 0x0b1018,
  panelEdge: 0xffffff,
  accent: 0x38bdf8,
  throttle: 0x3ddc84,
  brake: 0xff4d5e,
  warning: 0xff3b4e,
  wrongWay: 0xffb020,
  road: 0x9aa4b5,
  ghost: 0xb18cff,
  dim: 0x2a3340,
} as const;

/** Wheel rotation at full steering lock, rad (135 degrees: readable, never ambiguous). */
export const WHEEL_LOCK_ANGLE = (3 * Math.PI) / 4;
/** Speed at the end of the gauge, km/h. */
export const GAUGE_MAX_KMH = 180;
const GAUGE_START = 0.75 * Math.PI;
const GAUGE_SWEEP = 1.5 * Math.PI;

/** Stands for "no model" where a steering value is remembered (outside -1..1, unlike NaN equal to itself). */
const NO_MODEL = -9;

/** Where apply() puts things: computed by layout(), in px. */
interface Geometry {
  u: number;
  wheelR: number;
  wheelY: number;
  wheelSolo: number;
  wheelHuman: number;
  wheelModel: number;
  barY: number;
  barX0: number;
  barHalf: number;
  gaugeX: number;
  gaugeY: number;
  gaugeR: number;
  gaugeW: number;
  pedalTop: number;
  pedalH: number;
  pedalW: number;
  fit: MinimapFit | null;
}

export interface HudScene {
  readonly stage: Container;
  /** Redraws everything static for this layout and track (fit null: no minimap). */
  layout(layout: HudLayout, fit: MinimapFit | null, track: Track | null): void;
  /** Shows a view; returns whether anything on screen changed (then the caller renders). */
  apply(view: HudView): boolean;
  destroy(): void;
}

/** A 1 x 1 white square with its origin at the left middle (scaled into bars, tinted). */
function unitBar(): Graphics {
  return new Graphics().rect(0, -0.5, 1, 1).fill(0xffffff);
}

/** Rounds to a step, so tiny changes do not cost a redraw. */
function q(x: number, step: number): number {
  return Math.round(x / step) * step;
}

export function createHudScene(): HudScene {
  const stage = new Container({ label: 'hud' });
  // Labelled so tests (and pixi devtools) can find them.
  const named = <T extends Container>(label: string, obj: T): T => {
    obj.label = label;
    return obj;
  };
  const panels = named('panels', new Graphics());
  const autopilotPanel = named('autopilot-panel', new Graphics());
  const glow = named('warning-glow', new Graphics());
  const wheelHuman = named('wheel-human', new Graphics());
  const wheelModel = named('wheel-model', new Graphics());
  const barTrack = named('steer-bar', new Graphics());
  const humanFill = named('steer-human-fill', unitBar());
  const gapFill = named('steer-gap', unitBar());
  const humanMark = named('steer-human', unitBar());
  const modelMark = named('steer-model', unitBar());
  const gaugeBase = named('gauge-base', new Graphics());
  const gaugeFill = named('gauge-fill', new Graphics());
  const pedalBase = named('pedal-base', new Graphics());
  const throttleBar = named('throttle', unitBar());
  const brakeBar = named('brake', unitBar());
  const minimapRoad = named('minimap-road', new Graphics());
  const minimapLayer = named('minimap', new Container());
  const car = named('minimap-car', new Graphics());
  const ghosts = Array.from({ length: MAX_GHOSTS }, (_, i) => named(`minimap-ghost-${i}`, new Graphics()));
  throttleBar.tint = COLORS.throttle;
  brakeBar.tint = COLORS.brake;
  glow.visible = false;
  autopilotPanel.visible = false;
  humanFill.alpha = 0.35;
  gapFill.alpha = 0.55;
  for (const gh of ghosts) {
    gh.visible = false;
    gh.alpha = 0.75;
  }
  minimapLayer.addChild(minimapRoad, ...ghosts, car);
  stage.addChild(glow, panels, autopilotPanel, barTrack, humanFill, gapFill, humanMark, modelMark, wheelHuman, wheelModel,
    gaugeBase, gaugeFill, pedalBase, throttleBar, brakeBar, minimapLayer);

  let g: Geometry | null = null;
  // What is on screen now (quantised), to skip work when a view changes nothing visible.
  // NaN and '' mean "unknown": the next apply() places that part again.
  const shown = {
    human: Number.NaN, model: Number.NaN, hasModel: false, color: -1, speed: Number.NaN,
    throttle: Number.NaN, brake: Number.NaN, carX: Number.NaN, carY: Number.NaN, carH: Number.NaN,
    warn: '', autopilot: false, ghosts: '',
  };

  function drawWheel(w: Graphics, r: number, u: number): void {
    const t = 5.5 * u;
    w.clear();
    w.circle(0, 0, r).stroke({ width: t, color: 0xffffff });
    // Spokes: left, right and bottom, as on a road car's wheel; a bright notch marks the top.
    w.moveTo(-r, 0).lineTo(-r * 0.3, r * 0.05).moveTo(r, 0).lineTo(r * 0.3, r * 0.05).moveTo(0, r).lineTo(0, r * 0.35)
      .stroke({ width: t * 0.8, color: 0xffffff, cap: 'round' });
    w.circle(0, 0, r * 0.3).fill({ color: 0xffffff, alpha: 0.9 });
    w.roundRect(-2.2 * u, -r - t * 0.9, 4.4 * u, t * 1.8, 1.5 * u).fill(COLORS.accent);
  }

  /** A car marker pointing along +x, with a soft halo so it stands out on the road. */
  function drawArrow(m: Graphics, len: number, color: number, u: number): void {
    m.clear();
    m.circle(0, 0, len * 0.75).fill({ color, alpha: 0.22 });
    m.poly([len * 0.6, 0, -len * 0.4, len * 0.4, -len * 0.18, 0, -len * 0.4, -len * 0.4]).fill(color)
      .stroke({ width: 1.25 * u, color: COLORS.panel, alpha: 0.9, join: 'round' });
  }

  function drawGauge(speedKmh: number): void {
    if (!g) return;
    const f = Math.min(1, Math.max(0, speedKmh / GAUGE_MAX_KMH));
    gaugeFill.clear();
    if (f <= 0.002) return;
    gaugeFill.arc(g.gaugeX, g.gaugeY, g.gaugeR, GAUGE_START, GAUGE_START + f * GAUGE_SWEEP)
      .stroke({ width: g.gaugeW, color: COLORS.accent, cap: 'round' });
  }

  function placeBar(bar: Graphics, from: number, to: number, y: number, h: number): void {
    const w = Math.abs(to - from);
    bar.visible = w > 0.5;
    bar.position.set(Math.min(from, to), y);
    bar.scale.set(Math.max(w, 0.001), h);
  }

  function layout(l: HudLayout, fit: MinimapFit | null, track: Track | null): void {
    const u = l.unit;
    const panel = (x: number, y: number, w: number, h: number, target = panels) =>
      target.roundRect(x, y, w, h, 14 * u).fill({ color: COLORS.panel, alpha: 0.62 })
        .stroke({ width: 1, color: COLORS.panelEdge, alpha: 0.1, alignment: 1 });
    panels.clear();
    panel(l.lap.x, l.lap.y, l.lap.w, l.lap.h);
    panel(l.steering.x, l.steering.y, l.steering.w, l.steering.h);
    panel(l.speed.x, l.speed.y, l.speed.w, l.speed.h);
    if (fit) panel(fit.rect.x, fit.rect.y, fit.rect.w, fit.rect.h);
    autopilotPanel.clear();
    panel(l.autopilot.x, l.autopilot.y, l.autopilot.w, l.autopilot.h, autopilotPanel);
    autopilotPanel.roundRect(l.autopilot.x, l.autopilot.y, 4 * u, l.autopilot.h, 2 * u).fill(COLORS.accent);

    // Warning glow: nested strokes fading inwards from the screen edge (tinted per warning).
    glow.clear();
    const rings = 8;
    for (let i = 0; i < rings; i++) {
      const inset = i * 4 * u;
      glow.rect(inset, inset, l.width - 2 * inset, l.height - 2 * inset)
        .stroke({ width: 4 * u, color: 0xffffff, alpha: 0.42 * (1 - i / rings) ** 2, alignment: 1 });
    }

    // Steering: one wheel centred, or human left and model right; the bar underneath.
    const wheelR = l.wheels.r;
    const barHalf = l.steerBar.half;
    const geom: Geometry = {
      u,
      wheelR,
      wheelY: l.wheels.y,
      wheelSolo: l.wheels.soloX,
      wheelHuman: l.wheels.humanX,
      wheelModel: l.wheels.modelX,
      barY: l.steerBar.y,
      barX0: l.steerBar.cx,
      barHalf,
      gaugeX: l.gauge.cx,
      gaugeY: l.gauge.cy,
      gaugeR: l.gauge.r,
      gaugeW: l.gauge.width,
      pedalTop: l.pedals.top,
      pedalH: l.pedals.h,
      pedalW: l.pedals.w,
      fit,
    };
    g = geom;
    drawWheel(wheelHuman, wheelR, u);
    drawWheel(wheelModel, wheelR, u);
    wheelHuman.position.set(geom.wheelSolo, geom.wheelY);
    wheelModel.position.set(geom.wheelModel, geom.wheelY);
    barTrack.clear();
    barTrack.roundRect(geom.barX0 - barHalf, geom.barY - 3 * u, 2 * barHalf, 6 * u, 3 * u).fill({ color: 0xffffff, alpha: 0.12 });
    barTrack.rect(geom.barX0 - 0.75 * u, geom.barY - 7 * u, 1.5 * u, 14 * u).fill({ color: 0xffffff, alpha: 0.45 });
    humanMark.scale.set(3 * u, 18 * u);
    modelMark.scale.set(3 * u, 18 * u);

    // Speed gauge: a dim track with ticks every 20 km/h; the fill is drawn by apply().
    gaugeBase.clear();
    gaugeBase.arc(geom.gaugeX, geom.gaugeY, geom.gaugeR, GAUGE_START, GAUGE_START + GAUGE_SWEEP)
      .stroke({ width: geom.gaugeW, color: 0xffffff, alpha: 0.1, cap: 'round' });
    for (let k = 0; k <= GAUGE_MAX_KMH; k += 20) {
      const a = GAUGE_START + (k / GAUGE_MAX_KMH) * GAUGE_SWEEP;
      const r0 = geom.gaugeR + geom.gaugeW * 0.9;
      const r1 = r0 + (k % 60 === 0 ? 7 : 4) * u;
      gaugeBase.moveTo(geom.gaugeX + Math.cos(a) * r0, geom.gaugeY + Math.sin(a) * r0)
        .lineTo(geom.gaugeX + Math.cos(a) * r1, geom.gaugeY + Math.sin(a) * r1);
    }
    gaugeBase.stroke({ width: 1.5 * u, color: 0xffffff, alpha: 0.45 });
    pedalBase.clear();
    for (const x of [l.pedals.throttleX, l.pedals.brakeX]) {
      pedalBase.roundRect(x, geom.pedalTop, geom.pedalW, geom.pedalH, 4 * u).fill({ color: 0xffffff, alpha: 0.1 });
    }
    throttleBar.position.x = l.pedals.throttleX;
    brakeBar.position.x = l.pedals.brakeX;

    // Minimap: the road (dark rim, grey surface), the start line and the sector lines.
    minimapRoad.clear();
    minimapLayer.visible = fit !== null && track !== null;
    if (fit && track) {
      const pts: number[] = [];
      const every = Math.max(1, Math.floor(2 / Math.max(1e-6, track.ds * fit.scale)));
      for (let i = 0; i < track.n; i += every) pts.push(mapX(fit, track.xs[i]), mapY(fit, track.ys[i]));
      const roadW = Math.max(3 * u, track.width * fit.scale);
      minimapRoad.poly(pts, true).stroke({ width: roadW + 3 * u, color: 0x000000, alpha: 0.45, join: 'round' });
      minimapRoad.poly(pts, true).stroke({ width: roadW, color: COLORS.road, alpha: 0.85, join: 'round' });
      const tick = (s: number, color: number, len: number) => {
        const i = Math.round(s / track.ds) % track.n;
        const x = mapX(fit, track.xs[i]);
        const y = mapY(fit, track.ys[i]);
        const a = mapHeading(track.headings[i]) + Math.PI / 2;
        minimapRoad.moveTo(x - Math.cos(a) * len, y - Math.sin(a) * len).lineTo(x + Math.cos(a) * len, y + Math.sin(a) * len)
          .stroke({ width: 2 * u, color, cap: 'round' });
      };
      for (let k = 1; k < track.sectorStarts.length; k++) tick(track.checkpoints[track.sectorStarts[k]], COLORS.accent, roadW * 0.5 + 2 * u);
      tick(0, 0xffffff, roadW * 0.5 + 3.5 * u);
      drawArrow(car, 15 * u, COLORS.accent, u);
      for (const gh of ghosts) drawArrow(gh, 13 * u, 0xffffff, u);
    }
    // Everything moved: the next apply() must place it all again.
    shown.human = shown.model = shown.speed = shown.throttle = shown.brake = shown.carX = Number.NaN;
    shown.warn = shown.ghosts = '';
  }

  function apply(view: HudView): boolean {
    if (!g) return false;
    const geom = g;
    let changed = false;

    const human = q(view.steer.human, 0.002);
    const model = view.steer.model === null ? null : q(view.steer.model, 0.002);
    const hasModel = model !== null;
    const modelKey = model ?? NO_MODEL;
    if (human !== shown.human || modelKey !== shown.model || hasModel !== shown.hasModel || view.steer.color !== shown.color) {
      if (hasModel !== shown.hasModel || Number.isNaN(shown.human)) {
        wheelHuman.position.x = hasModel ? geom.wheelHuman : geom.wheelSolo;
        wheelModel.visible = hasModel;
        modelMark.visible = hasModel;
      }
      const x = (steer: number) => geom.barX0 - steer * geom.barHalf; // + steer is left
      wheelHuman.rotation = -human * WHEEL_LOCK_ANGLE;
      humanMark.position.set(x(human) - 1.5 * geom.u, geom.barY);
      placeBar(humanFill, geom.barX0, x(human), geom.barY, 6 * geom.u);
      if (model !== null) {
        wheelModel.rotation = -model * WHEEL_LOCK_ANGLE;
        wheelModel.tint = view.steer.color;
        modelMark.tint = view.steer.color;
        modelMark.position.set(x(model) - 1.5 * geom.u, geom.barY);
        placeBar(gapFill, x(human), x(model), geom.barY, 6 * geom.u);
        gapFill.tint = view.steer.color;
      } else {
        gapFill.visible = false;
      }
      // The wheel in control is bright, the other one dimmed.
      wheelHuman.alpha = hasModel && view.steer.driver === 'model' ? 0.5 : 1;
      wheelModel.alpha = view.steer.driver === 'model' ? 1 : 0.8;
      shown.human = human;
      shown.model = modelKey;
      shown.hasModel = hasModel;
      shown.color = view.steer.color;
      changed = true;
    }

    const speed = q(view.speedKmh, 1); // 1 km/h is 1.5 degrees of arc
    if (speed !== shown.speed) {
      drawGauge(speed);
      shown.speed = speed;
      changed = true;
    }

    const throttle = q(view.throttle, 0.005);
    const brake = q(view.brake, 0.005);
    if (throttle !== shown.throttle || brake !== shown.brake) {
      const bottom = geom.pedalTop + geom.pedalH;
      const pw = geom.pedalW;
      throttleBar.visible = throttle > 0;
      throttleBar.position.y = bottom - (throttle * geom.pedalH) / 2;
      throttleBar.scale.set(pw, Math.max(0.001, throttle * geom.pedalH));
      brakeBar.visible = brake > 0;
      brakeBar.position.y = bottom - (brake * geom.pedalH) / 2;
      brakeBar.scale.set(pw, Math.max(0.001, brake * geom.pedalH));
      shown.throttle = throttle;
      shown.brake = brake;
      changed = true;
    }

    const fit = geom.fit;
    if (fit) {
      const cx = q(mapX(fit, view.car.x), 0.25);
      const cy = q(mapY(fit, view.car.y), 0.25);
      const ch = q(mapHeading(view.car.heading), 0.01);
      if (cx !== shown.carX || cy !== shown.carY || ch !== shown.carH) {
        car.position.set(cx, cy);
        car.rotation = ch;
        shown.carX = cx;
        shown.carY = cy;
        shown.carH = ch;
        changed = true;
      }
      let ghostKey = '';
      for (const gh of view.ghosts) ghostKey += `${q(mapX(fit, gh.x), 0.25)},${q(mapY(fit, gh.y), 0.25)},${q(gh.heading, 0.01)},${gh.color ?? ''};`;
      if (ghostKey !== shown.ghosts) {
        for (let i = 0; i < ghosts.length; i++) {
          const v = view.ghosts[i];
          ghosts[i].visible = v !== undefined;
          if (v) {
            ghosts[i].position.set(mapX(fit, v.x), mapY(fit, v.y));
            ghosts[i].rotation = mapHeading(v.heading);
            ghosts[i].tint = v.color ?? COLORS.ghost;
          }
        }
        shown.ghosts = ghostKey;
        changed = true;
      }
    }

    const warn = view.offRoad ? 'off' : view.wrongWay ? 'wrong' : 'none';
    if (warn !== shown.warn) {
      glow.visible = warn !== 'none';
      glow.tint = warn === 'wrong' ? COLORS.wrongWay : COLORS.warning;
      shown.warn = warn;
      changed = true;
    }
    const autopilot = view.autopilot !== null;
    if (autopilot !== shown.autopilot) {
      autopilotPanel.visible = autopilot;
      shown.autopilot = autopilot;
      changed = true;
    }
    return changed;
  }

  return {
    stage,
    layout,
    apply,
    destroy() {
      stage.destroy({ children: true });
      g = null;
    },
  };
}
