// Suite 'dash': what the dash camera costs through the real renderer (src/render createRenderer
// + renderDash: render, synchronous readback, RGBA bottom-up to RGB top-down) at every dash
// size the game offers, and the main view's frame rate while the game also reads the dash
// camera back at 20 Hz (chase camera, PiP showing the last dash frame), against the main view
// alone. The expert drives the oval; poses are the simulation's own.
// Params: sizes=200x66,128x48,... track=oval.
import { TICK_HZ } from '../../../src/sim/constants.ts';
import { createExpert } from '../../../src/sim/expert.ts';
import { presetTrack } from '../../../src/sim/trackPresets.ts';
import { createWorld, stepWorld } from '../../../src/sim/world.ts';
import { interpolatePose, poseOfCar, type DashPip, type Renderer } from '../../../src/render/index.ts';
import { figure, listParam, median, type Figure, type SuiteOptions, type SuiteResult } from '../../lib/stats.ts';
import { DASH_EVERY, expertDrive, withRenderer } from '../drive.ts';
import { progress } from '../progress.ts';

/** The dash sizes the settings offer (width x height). */
const DASH_SIZES = ['200x66', '160x64', '128x48', '100x33'];
const MAIN = { width: 1280, height: 720 };

/** The main view with the dash camera read back at 20 Hz (shown as the PiP), and without it. */
type MainMode = 'chase_dash' | 'chase';
const PIP: Record<MainMode, DashPip> = { chase_dash: 'model', chase: 'off' };

/**
 * Frames per second of a rAF loop shaped like the game's: the expert drives at 60 Hz on a
 * fixed step, every animation frame draws the main view, and in 'chase_dash' windows every
 * third tick also reads the dash camera back. The two modes take turns window by window, so
 * load from other work on a shared machine hits both alike; one sample per window, after one
 * window of each as warm-up (shader compilation, first uploads).
 */
async function mainViewFps(r: Renderer, trackId: string, windowsEach: number, windowMs: number): Promise<Record<MainMode, { fps: number[]; frameMs: number[] }>> {
  const track = presetTrack(trackId);
  const expert = createExpert(track);
  let world = createWorld(track);
  let prev = world;
  let lag = 0;
  const out: Record<MainMode, { fps: number[]; frameMs: number[] }> = { chase_dash: { fps: [], frameMs: [] }, chase: { fps: [], frameMs: [] } };
  const modes: MainMode[] = ['chase_dash', 'chase'];
  const total = 2 * (windowsEach + 1);
  await new Promise<void>((resolve) => {
    let last = performance.now();
    let windowStart = last;
    let frames = 0;
    let w = 0;
    const frame = (now: number): void => {
      const mode = modes[w % 2];
      const timed = w >= 2;
      const dt = Math.min(0.25, (now - last) / 1000);
      if (timed && frames > 0) out[mode].frameMs.push(now - last);
      last = now;
      lag += dt;
      let steps = 0;
      while (lag >= 1 / TICK_HZ && steps < 8) {
        prev = world;
        world = stepWorld(world, expert.control(world));
        if (mode === 'chase_dash' && world.tick % DASH_EVERY === 0) r.renderDash(poseOfCar(world.car));
        lag -= 1 / TICK_HZ;
        steps++;
      }
      if (steps === 8) lag = 0;
      r.render({ car: interpolatePose(poseOfCar(prev.car), poseOfCar(world.car), lag * TICK_HZ), camera: 'chase', dash: PIP[mode] });
      frames++;
      if (now - windowStart >= windowMs) {
        if (timed) out[mode].fps.push((frames * 1000) / (now - windowStart));
        w++;
        frames = 0;
        windowStart = now;
      }
      if (w < total) requestAnimationFrame(frame);
      else resolve();
    };
    requestAnimationFrame((t) => {
      last = t;
      windowStart = t;
      requestAnimationFrame(frame);
    });
  });
  return out;
}

export async function run(options: SuiteOptions): Promise<SuiteResult> {
  const { quick } = options;
  const trackId = options.params.track ?? 'oval';
  const sizes = (listParam(options, 'sizes') ?? DASH_SIZES).map((s) => s.split('x').map(Number) as [number, number]);
  const rounds = quick ? 2 : 5;
  const perRound = quick ? 10 : 40;
  const figures: Record<string, Figure> = {};
  const ratios: Record<string, number> = {};
  const notes: string[] = [];
  // Poses a lap apart from the grid on: straights, corners, scenery in view.
  const drive = expertDrive(trackId, rounds * perRound + 1, 60);

  await withRenderer({ trackId, width: MAIN.width, height: MAIN.height }, async (r) => {
    notes.push(`${r.softwareGl ? 'software' : 'hardware'} WebGL; main view ${MAIN.width}x${MAIN.height} CSS px at pixel ratio ${r.quality.pixelRatio}`);
    // Sizes take turns in rounds so load from other work on a shared machine hits all alike.
    const samples = new Map<string, number[]>(sizes.map(([w, h]) => [`${w}x${h}`, []]));
    for (let round = 0; round < rounds; round++) {
      for (const [w, h] of sizes) {
        r.setDashSize(w, h);
        r.renderDash(drive.poses[0]); // the first frame after a resize allocates the target
        const poses = drive.poses.slice(1 + round * perRound, 1 + (round + 1) * perRound);
        for (const p of poses) {
          const t0 = performance.now();
          if (!r.renderDash(p)) throw new Error('the WebGL context was lost');
          samples.get(`${w}x${h}`)!.push(performance.now() - t0);
        }
      }
      progress(`dash: round ${round + 1}/${rounds}: ${[...samples].map(([k, v]) => `${k} ${median(v).toFixed(1)} ms`).join(', ')}`);
    }
    for (const [k, v] of samples) figures[`dash_ms.${k}`] = figure(v, 'ms');
    notes.push(`dash_ms: renderDash (render + synchronous readback + RGB conversion), ${rounds} rounds x ${perRound} poses per size, 20 Hz poses of the expert on ${trackId}`);

    // Auto-record's three cameras (centre and the default side cameras): one renderDash each,
    // against renderDashViews (the three side by side, one readback), pose by pose in turns.
    r.setDashSize(200, 66);
    const views = [undefined, { lateralM: 1.8, yawRad: 0.08 }, { lateralM: -1.8, yawRad: -0.08 }];
    const outs = views.map(() => new Uint8Array(200 * 66 * 3));
    const three = { separate: [] as number[], one_pass: [] as number[] };
    let mismatches = 0;
    r.renderDashViews(drive.poses[0], views, outs); // allocates the strip
    for (const [i, p] of drive.poses.slice(1).entries()) {
      const order = i % 2 === 0 ? (['separate', 'one_pass'] as const) : (['one_pass', 'separate'] as const);
      for (const mode of order) {
        const t0 = performance.now();
        if (mode === 'separate') views.forEach((v, k) => outs[k].set(r.renderDash(p, v)!));
        else r.renderDashViews(p, views, outs);
        three[mode].push(performance.now() - t0);
      }
      if (i % 20 === 0) {
        const one = outs.map((o) => o.slice());
        views.forEach((v, k) => outs[k].set(r.renderDash(p, v)!));
        if (one.some((o, k) => o.some((b, j) => b !== outs[k][j]))) mismatches++;
      }
    }
    figures['dash_views_ms.200x66x3.separate'] = figure(three.separate, 'ms');
    figures['dash_views_ms.200x66x3.one_pass'] = figure(three.one_pass, 'ms');
    ratios['dash_views_separate_vs_one_pass'] = figures['dash_views_ms.200x66x3.separate'].median / figures['dash_views_ms.200x66x3.one_pass'].median;
    notes.push(`dash_views_ms: auto-record's 3 cameras (centre, +-1.8 m +-0.08 rad) at 200x66, one renderDash each (separate) or renderDashViews (one pass, one readback), alternating first pose by pose over ${drive.poses.length - 1} poses; one-pass frames differing from separate ones at every 20th pose: ${mismatches}`);
    if (mismatches > 0) throw new Error(`renderDashViews differed from renderDash at ${mismatches} poses`);
    progress(`dash: 3 views ${figures['dash_views_ms.200x66x3.separate'].median.toFixed(1)} ms one by one, ${figures['dash_views_ms.200x66x3.one_pass'].median.toFixed(1)} ms in one pass`);

    const windows = quick ? 1 : 6;
    const windowMs = quick ? 400 : 2_000;
    const main = await mainViewFps(r, trackId, windows, windowMs);
    figures['main_fps.chase_dash'] = figure(main.chase_dash.fps, 'fps');
    figures['main_fps.chase'] = figure(main.chase.fps, 'fps');
    figures['main_frame_ms.chase_dash'] = figure(main.chase_dash.frameMs, 'ms');
    figures['main_frame_ms.chase'] = figure(main.chase.frameMs, 'ms');
    ratios['main_fps_with_dash_vs_without'] = figures['main_fps.chase_dash'].median / figures['main_fps.chase'].median;
    notes.push(`main_fps: rAF loop, ${windows} window(s) of ${windowMs} ms per mode, the modes taking turns, after one window of each as warm-up; chase_dash reads the 200x66 dash camera back every third 60 Hz tick and shows it as the PiP, chase draws the main view only`);
    progress(`dash: main view ${figures['main_fps.chase_dash'].median.toFixed(1)} fps with the dash camera, ${figures['main_fps.chase'].median.toFixed(1)} without`);
  });
  return { figures, ratios, notes };
}
