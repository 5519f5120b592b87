// Developer preview of the HUD: the expert drives a real simulation and the HUD shows it over
// a stand-in for the 3D view. The model, recording and autopilot figures are made up here
// (this page has no model), so every block of the HUD can be looked at. Query parameters:
// track=<preset or seed>, model=0, rec=0, auto=0, ghost=0, warn=off|wrong, paused=<tick>.

import { carSpeed } from '../sim/car.ts';
import { createExpert } from '../sim/expert.ts';
import { resolveTrack } from '../sim/tracks.ts';
import { createWorld, stepWorld, type World } from '../sim/world.ts';
import { createHud } from './createHud.ts';
import { type HudExtras, hudView } from './hudView.ts';

const params = new URLSearchParams(location.search);
const flag = (name: string) => params.get(name) !== '0';
const track = resolveTrack(params.get('track') ?? 'oval');
const view = document.getElementById('view') as HTMLElement;
const backdrop = document.getElementById('backdrop') as HTMLCanvasElement;

const expert = createExpert(track, { seed: 1, steerNoise: 0.04 });
const ghostExpert = createExpert(track, { seed: 2, pace: 0.6 });
let world: World = createWorld(track);
let ghost: World = createWorld(track);
// Fast-forward: ?paused=<tick> freezes the scene there, for screenshots.
const frozenAt = params.has('paused') ? Number(params.get('paused')) : null;
const ffTicks = frozenAt ?? Number(params.get('start') ?? 0);
for (let i = 0; i < ffTicks; i++) step();

function step(): void {
  world = stepWorld(world, expert.control(world));
  ghost = stepWorld(ghost, ghostExpert.control(ghost));
}

const hud = createHud({ container: view, track });

/** A made-up model: the expert's steering plus a slow, wandering error. */
function fakeModelSteer(w: World): number {
  const t = w.tick / 60;
  return Math.max(-1, Math.min(1, w.applied.steer + 0.28 * Math.sin(t * 0.9) * Math.sin(t * 0.23 + 1)));
}

function extras(w: World, fps: number): HudExtras {
  const t = w.tick / 60;
  return {
    fps,
    modelSteer: flag('model') ? fakeModelSteer(w) : null,
    recording: flag('rec') ? { elapsedS: t, frames: Math.floor(w.tick / 6), bytes: Math.floor(w.tick / 6) * 23_800 } : null,
    autopilot: flag('auto')
      ? { latencyMs: 9 + 3 * Math.sin(t * 2), rateHz: 30, backend: 'webgl', autonomy: 0.962, interventions: 2 }
      : null,
    humanSteer: flag('auto') ? 0 : undefined,
    ghosts: flag('ghost') ? [{ x: ghost.car.x, y: ghost.car.y, heading: ghost.car.heading }] : [],
    referenceLap: track.id === 'oval' ? { ticks: 2640, sectorTicks: [900, 880, 860] } : null,
  };
}

/** A stand-in for the 3D view: sky, grass and a road in perspective that bends with the steering. */
function drawBackdrop(w: World): void {
  const dpr = Math.min(2, devicePixelRatio || 1);
  const cw = Math.round(backdrop.clientWidth * dpr);
  const ch = Math.round(backdrop.clientHeight * dpr);
  if (backdrop.width !== cw || backdrop.height !== ch) {
    backdrop.width = cw;
    backdrop.height = ch;
  }
  const g = backdrop.getContext('2d');
  if (!g) return;
  const horizon = ch * 0.45;
  const sky = g.createLinearGradient(0, 0, 0, horizon);
  sky.addColorStop(0, '#5b8fd0');
  sky.addColorStop(1, '#c9dcef');
  g.fillStyle = sky;
  g.fillRect(0, 0, cw, horizon);
  const grass = g.createLinearGradient(0, horizon, 0, ch);
  grass.addColorStop(0, '#5f7f47');
  grass.addColorStop(1, '#3f6a2c');
  g.fillStyle = grass;
  g.fillRect(0, horizon, cw, ch - horizon);
  const bend = -w.car.steerAngle * cw * 1.2;
  const rows = 80;
  const s0 = w.trackPos.s;
  for (let i = rows; i > 0; i--) {
    const z0 = i / rows;
    const z1 = (i - 1) / rows;
    const y0 = horizon + (ch - horizon) * (1 - z0) ** 2.2;
    const y1 = horizon + (ch - horizon) * (1 - z1) ** 2.2;
    const half0 = cw * 0.04 + cw * 0.5 * (1 - z0) ** 2.2;
    const half1 = cw * 0.04 + cw * 0.5 * (1 - z1) ** 2.2;
    const x0 = cw / 2 + bend * z0 * z0 - w.trackPos.lateral * half0 * 0.12;
    const x1 = cw / 2 + bend * z1 * z1 - w.trackPos.lateral * half1 * 0.12;
    const stripe = Math.floor((s0 + z0 * 120) / 4) % 2 === 0;
    g.fillStyle = stripe ? '#3b3f46' : '#40444b';
    g.beginPath();
    g.moveTo(x0 - half0, y0);
    g.lineTo(x0 + half0, y0);
    g.lineTo(x1 + half1, y1);
    g.lineTo(x1 - half1, y1);
    g.fill();
    g.fillStyle = stripe ? '#d23c3c' : '#f2f2f2';
    g.fillRect(x0 - half0 - half0 * 0.06, y0, half0 * 0.06, y1 - y0 + 1);
    g.fillRect(x0 + half0, y0, half0 * 0.06, y1 - y0 + 1);
    if (stripe) {
      g.fillStyle = '#e8e8e8';
      g.fillRect(x0 - half0 * 0.015, y0, half0 * 0.03, y1 - y0 + 1);
    }
  }
}

// Fixed-step loop: 60 ticks per simulated second whatever the frame rate (at most 8 per frame).
let last = -1;
let lag = 0;
let fps = 60;
const stats = { updates: 0, updateMs: 0 };
(window as unknown as { hudPreview: unknown }).hudPreview = { stats, hud, get tick() { return world.tick; }, get speedKmh() { return Math.abs(carSpeed(world.car)) * 3.6; } };

function frame(t: number): void {
  const dt = last < 0 ? 0 : Math.min(250, t - last);
  last = t;
  if (dt > 0) fps += (1000 / dt - fps) * 0.1;
  if (frozenAt === null) {
    lag += dt;
    let n = 0;
    while (lag >= 1000 / 60 && n < 8) {
      step();
      lag -= 1000 / 60;
      n++;
    }
    if (n === 8) lag = 0;
  }
  drawBackdrop(world);
  let v = hudView(world, extras(world, fps));
  const warn = params.get('warn');
  if (warn === 'off') v = { ...v, offRoad: true };
  if (warn === 'wrong') v = { ...v, wrongWay: true };
  const t0 = performance.now();
  hud.update(v);
  stats.updateMs += performance.now() - t0;
  stats.updates++;
  requestAnimationFrame(frame);
}
requestAnimationFrame(frame);

window.addEventListener('resize', () => hud.resize());
