// Where each HUD panel sits on screen, and how the track fits the minimap. Pure geometry in CSS
// pixels, shared by the pixi layer (panel backgrounds, gauges) and the DOM text layer, so the
// two line up. Panels hug the screen edges and stay out of `roadZone`, where the road ahead is.
// The HUD's layer may cover only the top of the 3D view (the touch controls take the bottom):
// the road ahead is then placed by the view's height, not the layer's.

import type { Track } from '../sim/track.ts';

export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

export interface HudLayout {
  readonly width: number;
  readonly height: number;
  /** Scale of every size (1 at 1280 x 720), so the HUD keeps its proportions. */
  readonly unit: number;
  /**
   * A short layer (a phone held sideways, the touch controls below: under COMPACT_BELOW px):
   * the lap panel folds to one row (lap and time) and the autopilot block to its title and
   * autonomy, beside the lap panel; the minimap is only as tall as the room above the speed panel;
   * the status and warning chips sit side by side under the autopilot block and its model switch,
   * between the bottom panels, over the sky of the taller view (they used to cover the block).
   */
  readonly compact: boolean;
  /** Where the road ahead is in this layer (roadZone of the view, cut to the layer): no panel covers it. */
  readonly road: Rect;
  /** Top left: lap number, lap times, sectors. */
  readonly lap: Rect;
  /** Top right: the largest box the minimap may use (fitMinimap picks the part it needs). */
  readonly minimapBox: Rect;
  /** Top centre: the recording chip. */
  readonly status: Rect;
  /** Top centre, under the status: off-road and wrong-way banners (over the sky, not the road). */
  readonly warning: Rect;
  /** Bottom left: steering wheels, human and model. */
  readonly steering: Rect;
  /** Left, above the steering: the autopilot block. */
  readonly autopilot: Rect;
  /** The model switch (a DOM select): above the autopilot block, or under it when compact. */
  readonly modelSlot: Rect;
  /** Bottom right: speed gauge, throttle and brake. */
  readonly speed: Rect;
  /** Inside `speed`: the gauge arc (centre, radius, stroke width) that the speed figure sits in. */
  readonly gauge: { readonly cx: number; readonly cy: number; readonly r: number; readonly width: number };
  /** Inside `speed`: the throttle and brake bars (left edges), from `top` down `h`. */
  readonly pedals: { readonly throttleX: number; readonly brakeX: number; readonly top: number; readonly h: number; readonly w: number };
  /** Inside `steering`: wheel centres (one alone, or human and model side by side) and radius. */
  readonly wheels: { readonly y: number; readonly r: number; readonly soloX: number; readonly humanX: number; readonly modelX: number };
  /** Inside `steering`: the steering bar under the wheels (+ steer is left of the centre). */
  readonly steerBar: { readonly cx: number; readonly y: number; readonly half: number };
}

/** Smallest and largest HUD scale. */
const MIN_UNIT = 0.7;
const MAX_UNIT = 2;
/** Layers shorter than this (px) get the compact layout: 844x390 with touch controls is 192. */
export const COMPACT_BELOW = 300;

/**
 * Where the road ahead is, as the chase and dash cameras frame it: the middle of the screen
 * from a little above the horizon down to the bottom edge. No panel may cover it.
 */
export function roadZone(width: number, height: number): Rect {
  return { x: width * 0.28, y: height * 0.42, w: width * 0.44, h: height * 0.58 };
}

/**
 * The layout of a `width` x `height` layer over a 3D view `viewHeight` px tall from the layer's
 * top (default: the layer's height; taller when the touch controls cover the view's bottom).
 */
export function hudLayout(width: number, height: number, viewHeight = height): HudLayout {
  const w = Math.max(1, width);
  const h = Math.max(1, height);
  const view = roadZone(w, Math.max(h, viewHeight));
  const road = view.y + view.h <= h ? view : { ...view, h: Math.max(0, h - view.y) };
  const u = Math.min(MAX_UNIT, Math.max(MIN_UNIT, Math.min(w / 1280, h / 720)));
  const m = 18 * u;
  const gap = 10 * u;
  const side = 250 * u;
  const bottomH = 150 * u;
  const steering = { x: m, y: h - m - bottomH, w: side, h: bottomH };
  const autopilotH = 112 * u;
  const statusW = 420 * u;
  const statusH = 34 * u;
  const warningW = 360 * u;
  const minimapW = 240 * u;
  const speed = { x: w - m - side, y: h - m - bottomH, w: side, h: bottomH };
  const compact = h < COMPACT_BELOW;
  const lap = { x: m, y: m, w: 260 * u, h: (compact ? 44 : 182) * u };
  // Compact: the autopilot block beside the lap panel, as there is no room between it and the
  // steering panel, and its model switch under it.
  const autopilot = compact
    ? { x: lap.x + lap.w + gap, y: m, w: side, h: 56 * u }
    : { x: m, y: steering.y - gap - autopilotH, w: side, h: autopilotH };
  const slotH = 30 * u;
  const modelSlot = { x: autopilot.x, y: compact ? autopilot.y + autopilot.h + 4 * u : autopilot.y - 4 * u - slotH, w: autopilot.w, h: slotH };
  let status: Rect = { x: (w - statusW) / 2, y: m, w: statusW, h: statusH };
  let warning: Rect = { x: (w - warningW) / 2, y: m + statusH + gap, w: warningW, h: 52 * u };
  if (compact) {
    // The top row is full (lap, autopilot block, dash picture, minimap): the chips go in one row
    // under the model switch, between the bottom panels, the status left and the warning right.
    const left = Math.max(lap.x + lap.w, steering.x + steering.w) + gap;
    const room = Math.max(0, speed.x - gap - left - gap);
    const y = modelSlot.y + modelSlot.h + gap;
    status = { x: left, y, w: room * 0.58, h: statusH };
    warning = { x: left + room * 0.58 + gap, y, w: room * 0.42, h: 44 * u };
  }
  return {
    width: w,
    height: h,
    unit: u,
    compact,
    road,
    lap,
    minimapBox: { x: w - m - minimapW, y: m, w: minimapW, h: compact ? Math.max(0, Math.min(170 * u, speed.y - gap - m)) : 170 * u },
    status,
    warning,
    steering,
    autopilot,
    modelSlot,
    speed,
    gauge: { cx: speed.x + 92 * u, cy: speed.y + 78 * u, r: 56 * u, width: 9 * u },
    pedals: { throttleX: speed.x + side - 72 * u, brakeX: speed.x + side - 36 * u, top: speed.y + 22 * u, h: bottomH - 54 * u, w: 14 * u },
    wheels: { y: steering.y + 56 * u, r: 34 * u, soloX: steering.x + side / 2, humanX: steering.x + side * 0.28, modelX: steering.x + side * 0.72 },
    steerBar: { cx: steering.x + side / 2, y: steering.y + bottomH - 22 * u, half: side / 2 - 26 * u },
  };
}

export interface Bounds {
  readonly minX: number;
  readonly maxX: number;
  readonly minY: number;
  readonly maxY: number;
}

/** The track's extent including the road's half width, m. */
export function trackBounds(track: Pick<Track, 'xs' | 'ys' | 'width'>): Bounds {
  let minX = Infinity;
  let maxX = -Infinity;
  let minY = Infinity;
  let maxY = -Infinity;
  for (let i = 0; i < track.xs.length; i++) {
    const x = track.xs[i];
    const y = track.ys[i];
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  }
  const r = track.width / 2;
  return { minX: minX - r, maxX: maxX + r, minY: minY - r, maxY: maxY + r };
}

/** How world metres map onto the minimap: north up (world y grows up, screen y down). */
export interface MinimapFit {
  /** The part of the box the map uses (right- and top-aligned in it), px. */
  readonly rect: Rect;
  /** px per metre. */
  readonly scale: number;
  /** Screen position of world (minX, maxY), the map's top-left corner, px. */
  readonly originX: number;
  readonly originY: number;
  readonly bounds: Bounds;
}

/** Fits the bounds into `box`, keeping the aspect ratio, with `pad` px inside the edges. */
export function fitMinimap(bounds: Bounds, box: Rect, pad: number): MinimapFit {
  const dx = Math.max(1e-6, bounds.maxX - bounds.minX);
  const dy = Math.max(1e-6, bounds.maxY - bounds.minY);
  const scale = Math.max(0, Math.min((box.w - 2 * pad) / dx, (box.h - 2 * pad) / dy));
  const w = dx * scale + 2 * pad;
  const h = dy * scale + 2 * pad;
  const rect = { x: box.x + box.w - w, y: box.y, w, h };
  return { rect, scale, originX: rect.x + pad, originY: rect.y + pad, bounds };
}

/** Screen x of world x on the minimap, px. */
export function mapX(fit: MinimapFit, x: number): number {
  return fit.originX + (x - fit.bounds.minX) * fit.scale;
}

/** Screen y of world y on the minimap, px. */
export function mapY(fit: MinimapFit, y: number): number {
  return fit.originY + (fit.bounds.maxY - y) * fit.scale;
}

/** Screen rotation (clockwise, rad) of a world heading (counter-clockwise from +x, rad). */
export function mapHeading(heading: number): number {
  return -heading;
}
