// The pixi scene in Node: pixi builds display objects and geometry without a renderer; it only
// reads `navigator` on import (Node 20 has none), hence the stub before the dynamic import.
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { Container } from 'pixi.js';
import { resolveTrack } from '../sim/tracks.ts';
import { createWorld } from '../sim/world.ts';
import type * as SceneModule from './hudScene.ts';
import type { HudScene } from './hudScene.ts';
import { hudView, type HudView } from './hudView.ts';
import { fitMinimap, hudLayout, mapX, mapY, trackBounds } from './layout.ts';

vi.stubGlobal('navigator', { userAgent: 'node' });
let mod: typeof SceneModule;
beforeAll(async () => {
  mod = await import('./hudScene.ts');
});

const track = resolveTrack('oval');
const world = createWorld(track);
const base = hudView(world, { fps: 60 });
const layout = hudLayout(1280, 720);
const fit = fitMinimap(trackBounds(track), layout.minimapBox, 14);

function withSteer(v: HudView, human: number, model: number | null, color = 0x3ddc84): HudView {
  return { ...v, steer: { ...v.steer, human, model, disagreement: model === null ? null : Math.abs(human - model), color } };
}

function setup(): { scene: HudScene; get: (label: string) => Container } {
  const scene = mod.createHudScene();
  scene.layout(layout, fit, track);
  const get = (label: string) => {
    const c = scene.stage.getChildByLabel(label, true);
    if (!c) throw new Error(`no ${label}`);
    return c;
  };
  return { scene, get };
}

describe('hud scene', () => {
  it('does nothing before it has a layout', () => {
    const scene = mod.createHudScene();
    expect(scene.apply(base)).toBe(false);
    scene.destroy();
  });

  it('reports a change only when something visible moved', () => {
    const { scene } = setup();
    expect(scene.apply(base)).toBe(true);
    expect(scene.apply(base)).toBe(false);
    expect(scene.apply({ ...base })).toBe(false); // a new but equal view
    expect(scene.apply(withSteer(base, 0.0004, null))).toBe(false); // below a visible step
    expect(scene.apply(withSteer(base, 0.1, null))).toBe(true);
    expect(scene.apply({ ...withSteer(base, 0.1, null), speedKmh: 0.2 })).toBe(false);
    expect(scene.apply({ ...withSteer(base, 0.1, null), speedKmh: 50 })).toBe(true);
    expect(scene.apply({ ...withSteer(base, 0.1, null), speedKmh: 50, fps: 30 })).toBe(false); // text only
    scene.destroy();
  });

  it('turns the wheel the way the car steers: left is counter-clockwise', () => {
    const { scene, get } = setup();
    scene.apply(withSteer(base, 1, null));
    expect(get('wheel-human').rotation).toBeCloseTo(-mod.WHEEL_LOCK_ANGLE, 9);
    scene.apply(withSteer(base, -0.5, null));
    expect(get('wheel-human').rotation).toBeCloseTo(mod.WHEEL_LOCK_ANGLE / 2, 9);
    // The bar marker goes left of centre for left steering.
    scene.apply(withSteer(base, 0.5, null));
    expect(get('steer-human').x).toBeLessThan(layout.steerBar.cx);
    scene.destroy();
  });

  it('shows the model wheel only with a model, tinted by the disagreement', () => {
    const { scene, get } = setup();
    scene.apply(withSteer(base, 0, null));
    expect(get('wheel-model').visible).toBe(false);
    expect(get('wheel-human').x).toBeCloseTo(layout.wheels.soloX, 9);
    scene.apply(withSteer(base, 0, 0.5, 0xff4d5e));
    expect(get('wheel-model').visible).toBe(true);
    expect(get('wheel-model').tint).toBe(0xff4d5e);
    expect(get('wheel-human').x).toBeCloseTo(layout.wheels.humanX, 9);
    expect(get('steer-gap').visible).toBe(true);
    expect(get('steer-gap').width).toBeCloseTo(0.5 * layout.steerBar.half, 6);
    scene.apply(withSteer(base, 0, null));
    expect(get('wheel-model').visible).toBe(false);
    expect(get('steer-gap').visible).toBe(false);
    scene.destroy();
  });

  it('grows the gauge arc with speed and the pedal bars with the pedals', () => {
    const { scene, get } = setup();
    scene.apply({ ...base, speedKmh: 40 });
    const slow = get('gauge-fill').getLocalBounds().width;
    scene.apply({ ...base, speedKmh: 150 });
    const fast = get('gauge-fill').getLocalBounds().width;
    expect(fast).toBeGreaterThan(slow);
    scene.apply({ ...base, throttle: 0.5, brake: 0 });
    expect(get('throttle').visible).toBe(true);
    expect(get('throttle').height).toBeCloseTo(0.5 * layout.pedals.h, 6);
    expect(get('brake').visible).toBe(false);
    scene.apply({ ...base, throttle: 0, brake: 1 });
    expect(get('brake').height).toBeCloseTo(layout.pedals.h, 6);
    expect(get('throttle').visible).toBe(false);
    scene.destroy();
  });

  it('puts the car and the ghosts where they are on the minimap', () => {
    const { scene, get } = setup();
    const ghosts = [{ x: track.xs[100], y: track.ys[100], heading: 0 }, { x: track.xs[300], y: track.ys[300], heading: 1 }];
    scene.apply({ ...base, ghosts });
    const car = get('minimap-car');
    expect(car.x).toBeCloseTo(mapX(fit, base.car.x), 0);
    expect(car.y).toBeCloseTo(mapY(fit, base.car.y), 0);
    expect(get('minimap-ghost-0').visible).toBe(true);
    expect(get('minimap-ghost-1').visible).toBe(true);
    expect(get('minimap-ghost-2').visible).toBe(false);
    expect(get('minimap-ghost-1').x).toBeCloseTo(mapX(fit, track.xs[300]), 6);
    scene.apply({ ...base, ghosts: [] });
    expect(get('minimap-ghost-0').visible).toBe(false);
    scene.destroy();
  });

  it('lights the screen edges for off-road (red) and wrong way (amber)', () => {
    const { scene, get } = setup();
    scene.apply(base);
    expect(get('warning-glow').visible).toBe(false);
    scene.apply({ ...base, offRoad: true });
    expect(get('warning-glow').visible).toBe(true);
    expect(get('warning-glow').tint).toBe(mod.COLORS.warning);
    scene.apply({ ...base, wrongWay: true });
    expect(get('warning-glow').tint).toBe(mod.COLORS.wrongWay);
    scene.destroy();
  });

  it('shows the autopilot panel only while the model drives', () => {
    const { scene, get } = setup();
    scene.apply(base);
    expect(get('autopilot-panel').visible).toBe(false);
    scene.apply({ ...base, autopilot: { latencyMs: 5, rateHz: 30, backend: 'cpu', autonomy: 1, interventions: 0 } });
    expect(get('autopilot-panel').visible).toBe(true);
    scene.destroy();
  });

  it('a new layout places everything again', () => {
    const { scene, get } = setup();
    scene.apply(withSteer(base, 0.5, null));
    expect(scene.apply(withSteer(base, 0.5, null))).toBe(false);
    const big = hudLayout(1920, 1080);
    scene.layout(big, fitMinimap(trackBounds(track), big.minimapBox, 21), track);
    expect(scene.apply(withSteer(base, 0.5, null))).toBe(true);
    expect(get('wheel-human').x).toBeCloseTo(big.wheels.soloX, 9);
    scene.destroy();
  });
});
