// Developer preview of the renderer (served by `vite` at /src/render/preview.html; not part of
// the production build): the expert drives a chosen track while the page renders the main view
// and, at 20 Hz, the dash frame shown as PiP, the way the app is meant to drive the renderer.
//
// URL parameters: track (preset or seed), theme, camera, dash (WxH), pip (model|live|off),
// ghosts (count), ratio (pixel ratio), shadows (1). Keys: c camera, t theme, d PiP, space pause.
// window.__preview exposes hooks for scripted screenshots and benchmarks.

import { TICK_HZ } from '../sim/constants.ts';
import { createExpert, type Expert } from '../sim/expert.ts';
import { resolveTrack } from '../sim/tracks.ts';
import { createWorld, stepWorld, type World } from '../sim/world.ts';
import { CAMERA_MODES, type CameraMode } from './cameraRig.ts';
import type { DashPip } from './dashPip.ts';
import { interpolatePose, poseOfCar, type CarPose } from './pose.ts';
import { createRenderer, NoWebGLError, type Renderer } from './renderer.ts';
import { isThemeName, THEME_NAMES, type ThemeName } from './themes.ts';

const params = new URLSearchParams(location.search);
const canvas = document.getElementById('view') as HTMLCanvasElement;
const info = document.getElementById('info') as HTMLDivElement;
const errorBox = document.getElementById('error') as HTMLDivElement;

const track = resolveTrack(params.get('track') ?? 'oval');
const themeParam = params.get('theme') ?? 'day';
let theme: ThemeName = isThemeName(themeParam) ? themeParam : 'day';
let camera: CameraMode = (CAMERA_MODES as readonly string[]).includes(params.get('camera') ?? '') ? (params.get('camera') as CameraMode) : 'chase';
const [dashW, dashH] = (params.get('dash') ?? '200x66').split('x').map(Number);
let pipMode: DashPip = (params.get('pip') as DashPip | null) ?? 'model';
const ghostCount = Number(params.get('ghosts') ?? 1);

/** Ticks between dash frames: 20 Hz, as recording and autopilot use. */
const DASH_EVERY = TICK_HZ / 20;

interface Driver {
  world: World;
  prev: World;
  expert: Expert;
}

function newDriver(pace: number, seed: number, headStart: number): Driver {
  let world = createWorld(track);
  const expert = createExpert(track, { pace, seed });
  for (let i = 0; i < headStart; i++) world = stepWorld(world, expert.control(world));
  return { world, prev: world, expert };
}

let renderer: Renderer;
try {
  renderer = createRenderer({
    canvas,
    track,
    theme,
    dashWidth: dashW,
    dashHeight: dashH,
    quality: { ...(params.has('ratio') ? { pixelRatio: Number(params.get('ratio')) } : {}), shadows: params.get('shadows') === '1' },
    onContextLost: () => {
      contextEvents.push('lost');
    },
    onContextRestored: () => {
      contextEvents.push('restored');
    },
  });
} catch (e) {
  errorBox.style.display = 'grid';
  errorBox.textContent = e instanceof NoWebGLError ? e.message : `Renderer failed: ${String(e)}`;
  throw e;
}
const contextEvents: string[] = [];

const player = newDriver(0.72, 1, 0);
const ghosts = Array.from({ length: ghostCount }, (_, i) => newDriver(0.6, 2 + i, 240 + i * 120));
let paused = false;
let lag = 0;
let last = performance.now();
let tick = 0;
let dashMs = 0;
let frames = 0;
let fpsWindowStart = performance.now();
let fps = 0;

function stepAll(): void {
  for (const d of [player, ...ghosts]) {
    d.prev = d.world;
    d.world = stepWorld(d.world, d.expert.control(d.world));
  }
  tick++;
  if (tick % DASH_EVERY === 0 && pipMode === 'model') {
    const t0 = performance.now();
    renderer.renderDash(poseOfCar(player.world.car));
    dashMs = performance.now() - t0;
  }
}

function view(alpha: number): { car: CarPose; ghosts: CarPose[] } {
  return {
    car: interpolatePose(poseOfCar(player.prev.car), poseOfCar(player.world.car), alpha),
    ghosts: ghosts.map((g) => interpolatePose(poseOfCar(g.prev.car), poseOfCar(g.world.car), alpha)),
  };
}

function frame(now: number): void {
  const dt = Math.min(0.25, (now - last) / 1000);
  last = now;
  if (!paused) {
    lag += dt;
    let steps = 0;
    while (lag >= 1 / TICK_HZ && steps < 8) {
      stepAll();
      lag -= 1 / TICK_HZ;
      steps++;
    }
    if (steps === 8) lag = 0;
  }
  const v = view(paused ? 1 : lag * TICK_HZ);
  renderer.render({ car: v.car, camera, ghosts: v.ghosts, dash: pipMode });
  frames++;
  if (now - fpsWindowStart > 1000) {
    fps = (frames * 1000) / (now - fpsWindowStart);
    frames = 0;
    fpsWindowStart = now;
  }
  info.textContent = `${track.name} (${track.id})  theme ${theme}  camera ${camera}  PiP ${pipMode}\n` +
    `${fps.toFixed(1)} fps (ratio ${renderer.quality.pixelRatio}${renderer.softwareGl ? ', software GL' : ''})  dash ${renderer.dashWidth}x${renderer.dashHeight} ${dashMs.toFixed(1)} ms  lap ${player.world.laps.count}  ${(poseOfCar(player.world.car).speed * 3.6).toFixed(0)} km/h`;
  requestAnimationFrame(frame);
}

function fit(): void {
  renderer.resize(canvas.clientWidth, canvas.clientHeight);
}
window.addEventListener('resize', fit);
fit();

window.addEventListener('keydown', (e) => {
  if (e.key === 'c') camera = CAMERA_MODES[(CAMERA_MODES.indexOf(camera) + 1) % CAMERA_MODES.length];
  if (e.key === 't') {
    theme = THEME_NAMES[(THEME_NAMES.indexOf(theme) + 1) % THEME_NAMES.length];
    renderer.setTheme(theme);
  }
  if (e.key === 'd') pipMode = pipMode === 'model' ? 'live' : pipMode === 'live' ? 'off' : 'model';
  if (e.key === ' ') paused = !paused;
});

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

let loseExt: WEBGL_lose_context | null = null;

/** Hooks for scripted screenshots and benchmarks (Playwright). */
const hooks = {
  track: track.id,
  contextEvents,
  setTheme(t: ThemeName): void {
    theme = t;
    renderer.setTheme(t);
  },
  setCamera(c: CameraMode): void {
    camera = c;
  },
  setPip(p: DashPip): void {
    pipMode = p;
  },
  pause(p: boolean): void {
    paused = p;
  },
  /** Restarts every car and steps to `ticks` (while paused): a repeatable place on the lap. */
  resetTo(ticks: number): void {
    Object.assign(player, newDriver(0.72, 1, 0));
    ghosts.forEach((g, i) => Object.assign(g, newDriver(0.6, 2 + i, 240 + i * 120)));
    tick = 0;
    for (let i = 0; i < ticks; i++) stepAll();
  },
  /** Steps the simulation by hand (while paused), rendering a dash frame every 3rd tick as the loop does. */
  step(ticks: number): void {
    for (let i = 0; i < ticks; i++) stepAll();
  },
  pose(): CarPose {
    return poseOfCar(player.world.car);
  },
  /** Distance from the player to the first ghost, m (Infinity without ghosts). */
  ghostGap(): number {
    const g = ghosts[0]?.world.car;
    return g ? Math.hypot(g.x - player.world.car.x, g.y - player.world.car.y) : Infinity;
  },
  /** The dash frame at the player's pose, as a PNG data URL upscaled by `scale` (nearest). */
  dashPng(scale = 4, lateralM = 0, yawRad = 0): string {
    const rgb = renderer.renderDash(poseOfCar(player.world.car), { lateralM, yawRad });
    if (!rgb) throw new Error('context lost');
    const w = renderer.dashWidth;
    const h = renderer.dashHeight;
    const small = document.createElement('canvas');
    small.width = w;
    small.height = h;
    const img = new ImageData(w, h);
    for (let i = 0; i < w * h; i++) img.data.set([rgb[i * 3], rgb[i * 3 + 1], rgb[i * 3 + 2], 255], i * 4);
    small.getContext('2d')?.putImageData(img, 0, 0);
    const big = document.createElement('canvas');
    big.width = w * scale;
    big.height = h * scale;
    const ctx = big.getContext('2d') as CanvasRenderingContext2D;
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(small, 0, 0, w * scale, h * scale);
    return big.toDataURL('image/png');
  },
  /** A copy of the dash frame at the player's pose (for checks: size, non-blank, repeatable). */
  dashBytes(): number[] | null {
    const rgb = renderer.renderDash(poseOfCar(player.world.car));
    return rgb ? Array.from(rgb) : null;
  },
  /** Median and 90th percentile ms of renderDash (render + synchronous readback) over `count` frames along a lap. */
  benchDash(width: number, height: number, count = 100, withSamples = false): { width: number; height: number; median: number; p90: number; samples?: number[] } {
    renderer.setDashSize(width, height);
    const d = newDriver(0.72, 1, 0);
    const poses: CarPose[] = [];
    for (let i = 0; i < (count + 10) * DASH_EVERY; i++) {
      d.world = stepWorld(d.world, d.expert.control(d.world));
      if (i % DASH_EVERY === 0) poses.push(poseOfCar(d.world.car));
    }
    const times: number[] = [];
    poses.forEach((p, i) => {
      const t0 = performance.now();
      renderer.renderDash(p);
      const t = performance.now() - t0;
      if (i >= 10) times.push(t);
    });
    const sorted = [...times].sort((a, b) => a - b);
    return { width, height, median: median(times), p90: sorted[Math.floor(sorted.length * 0.9)], ...(withSamples ? { samples: times } : {}) };
  },
  /** Median ms of render() (chase, PiP showing the last dash frame) plus a 1-pixel read to wait for it. */
  benchMain(count = 20): number {
    const gl = canvas.getContext('webgl2') as WebGL2RenderingContext;
    const px = new Uint8Array(4);
    const times: number[] = [];
    const v = view(1);
    for (let i = 0; i < count + 3; i++) {
      const t0 = performance.now();
      renderer.render({ car: v.car, camera, ghosts: v.ghosts, dash: pipMode });
      gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, px);
      if (i >= 3) times.push(performance.now() - t0);
    }
    return median(times);
  },
  /** Frames per second of the running loop over `ms` milliseconds. */
  async measureFps(ms: number): Promise<{ fps: number; frames: number; frameMsMedian: number }> {
    const stamps: number[] = [];
    const end = performance.now() + ms;
    await new Promise<void>((resolve) => {
      const tickFn = (t: number): void => {
        stamps.push(t);
        if (t < end) requestAnimationFrame(tickFn);
        else resolve();
      };
      requestAnimationFrame(tickFn);
    });
    const gaps = stamps.slice(1).map((t, i) => t - stamps[i]);
    return { fps: ((stamps.length - 1) * 1000) / (stamps[stamps.length - 1] - stamps[0]), frames: stamps.length, frameMsMedian: median(gaps) };
  },
  resize(w: number, h: number): void {
    renderer.resize(w, h);
  },
  setRatio(pixelRatio: number): void {
    renderer.setQuality({ pixelRatio });
  },
  /** Drops and restores the WebGL context (WEBGL_lose_context), to exercise the recovery path. */
  loseContext(): boolean {
    loseExt = (canvas.getContext('webgl2') as WebGL2RenderingContext).getExtension('WEBGL_lose_context');
    loseExt?.loseContext();
    return loseExt !== null;
  },
  restoreContext(): void {
    loseExt?.restoreContext();
  },
  contextLost(): boolean {
    return renderer.contextLost;
  },
};
(window as unknown as { __preview: typeof hooks }).__preview = hooks;

requestAnimationFrame(frame);
