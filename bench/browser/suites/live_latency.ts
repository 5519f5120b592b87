// Suite 'live_latency': frame-to-control of the real-time autopilot in the running app (not the
// isolated worker), read from the app's own probe (src/app/latencyProbe.ts) through the test
// hook, while the main view renders at 1280x720, and the main view's frame rate with and without
// the autopilot, side by side. The app runs in an iframe sized so its scene canvas is 1280x720
// CSS px; `ratio` (default 1) sets drawing-buffer pixels per CSS pixel (the game's own default on
// software GL is 0.5). Four modes take turns window by window, so load from other work on a
// shared machine hits them alike:
// - 'autopilot': the model drives in real time; the driving worker renders each control tick's
//   frame with its own dash camera (OffscreenCanvas, src/render/dashCamera.ts) and predicts; the
//   step after the control tick waits (up to REALTIME_WAIT_MS) for that prediction;
// - 'autopilot_pagedash': the same with the frame rendered and read back on the page, behind the
//   main view (how the game drove before the worker's dash camera);
// - 'autopilot_nowait': page frames and no wait: the answer is applied at the first tick after it
//   arrives, i.e. the next animation frame (how the game drove before the wait);
// - 'expert': the expert drives, no autopilot: the main view's frame rate without it.
// Frame-to-control runs from the start of the dash capture to the first simulation step with the
// prediction. Params: ratio=1, windows=3, windowMs=8000, track=oval. Figures are named `.live.`
// at ratio 1 (the 1280x720 drawing buffer the issue asks for), `.live_r<ratio>.` at another.
import type { TestHook } from '../../../src/app/testHook.ts';
import type { ControlRecord } from '../../../src/app/latencyProbe.ts';
import { figure, median, percentile, type Figure, type SuiteOptions, type SuiteResult } from '../../lib/stats.ts';
import { progress } from '../progress.ts';

type LiveMode = 'autopilot' | 'autopilot_pagedash' | 'autopilot_nowait' | 'expert';
const MODES: readonly LiveMode[] = ['autopilot', 'autopilot_pagedash', 'autopilot_nowait', 'expert'];
const MAIN = { width: 1280, height: 720 };

type HookWindow = Window & { __deepsteer?: TestHook };

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The app in an iframe whose scene canvas is MAIN's size in CSS px; resolves with its hook. */
async function openApp(trackId: string): Promise<{ frame: HTMLIFrameElement; hook: TestHook; canvas: HTMLCanvasElement }> {
  const frame = document.createElement('iframe');
  frame.style.cssText = `position:fixed;left:0;top:0;width:${MAIN.width}px;height:${MAIN.height}px;border:0`;
  frame.src = `../index.html?track=${encodeURIComponent(trackId)}`;
  document.body.appendChild(frame);
  const win = (): HookWindow => frame.contentWindow as HookWindow;
  for (let i = 0; i < 600 && !win().__deepsteer; i++) await sleep(100);
  const hook = win().__deepsteer;
  if (!hook) throw new Error('the app did not start in the iframe (no test hook after 60 s)');
  const canvas = frame.contentDocument!.querySelector<HTMLCanvasElement>('canvas.ds-scene');
  if (!canvas) throw new Error('the app has no scene canvas');
  // The top bar takes some of the frame's height: grow the frame until the canvas is MAIN.
  for (let i = 0; i < 5 && canvas.clientHeight !== MAIN.height; i++) {
    frame.style.height = `${frame.clientHeight + MAIN.height - canvas.clientHeight}px`;
    await sleep(300);
  }
  return { frame, hook, canvas };
}

interface WindowResult {
  fps: number;
  ticksPerS: number;
  records: ControlRecord[];
  controlTicks: number;
  violations: number;
}

async function measureWindow(hook: TestHook, doc: Document, mode: LiveMode, windowMs: number): Promise<WindowResult> {
  if (mode === 'expert') {
    doc.querySelector<HTMLElement>('[data-testid="mode-drive"]')!.click();
    await sleep(200);
    hook.setDriver('expert');
  } else if (!(await hook.engageAutopilot('realtime', mode === 'autopilot' ? {} : { workerDash: false, ...(mode === 'autopilot_nowait' ? { realtimeWaitMs: 0 } : {}) }))) {
    throw new Error('the autopilot did not engage');
  }
  await sleep(1500); // settle: the first predictions, the frame rate of the new mode
  hook.latencyProbe({ reset: true });
  const t0 = performance.now();
  const s0 = hook.state();
  const fps: number[] = [];
  while (performance.now() - t0 < windowMs) {
    await sleep(1000);
    fps.push(hook.state().fps);
  }
  const s1 = hook.state();
  const seconds = (performance.now() - t0) / 1000;
  const probe = hook.latencyProbe({ records: true, reset: true });
  const dash = hook.workerDash();
  if (mode === 'autopilot' && dash.source !== 'worker') throw new Error(`the worker did not render the frames: ${dash.problem ?? 'not ready'}`);
  return {
    fps: median(fps),
    ticksPerS: (s1.tick - s0.tick) / seconds,
    records: mode === 'expert' ? [] : (probe.records ?? []),
    controlTicks: probe.summary.controlTicks,
    violations: probe.summary.violations,
  };
}

const f2c = (r: ControlRecord): number => r.appliedMs! - r.captureStartMs;

export async function run(options: SuiteOptions): Promise<SuiteResult> {
  const { quick } = options;
  const trackId = options.params.track ?? 'oval';
  const ratio = Number(options.params.ratio ?? 1);
  const windows = Number(options.params.windows ?? (quick ? 1 : 3));
  const windowMs = Number(options.params.windowMs ?? (quick ? 3000 : 8000));
  const figures: Record<string, Figure> = {};
  const ratios: Record<string, number> = {};
  const notes: string[] = [];

  const { frame, hook, canvas } = await openApp(trackId);
  try {
    const buffer = hook.setPixelRatio(ratio);
    notes.push(`the app in an iframe: scene canvas ${canvas.clientWidth}x${canvas.clientHeight} CSS px, drawing buffer ${buffer.width}x${buffer.height} (pixel ratio ${ratio}), chase camera, HUD on, track ${trackId}`);
    const doc = frame.contentDocument!;
    // Warm-up: the starter model is installed and loaded, the worker compiles; the first window of each mode is not timed.
    for (const mode of MODES) await measureWindow(hook, doc, mode, quick ? 1000 : 3000);
    const per = new Map<LiveMode, WindowResult[]>(MODES.map((m) => [m, []]));
    for (let w = 0; w < windows; w++) {
      for (const mode of MODES) {
        const r = await measureWindow(hook, doc, mode, windowMs);
        per.get(mode)!.push(r);
        const applied = r.records.filter((x) => x.appliedMs !== null);
        progress(`live_latency: window ${w + 1}/${windows} ${mode}: ${r.fps.toFixed(1)} fps, ${r.ticksPerS.toFixed(1)} ticks/s${applied.length ? `, frame-to-control p50 ${percentile(applied.map(f2c), 50).toFixed(1)} ms p95 ${percentile(applied.map(f2c), 95).toFixed(1)} ms, ${r.violations}/${r.controlTicks} control ticks without their own frame` : ''}`);
      }
    }
    const live = ratio === 1 ? 'live' : `live_r${ratio}`;
    for (const mode of MODES) {
      const rs = per.get(mode)!;
      figures[`main_fps.${live}.${mode}`] = figure(rs.map((r) => r.fps), 'fps');
      figures[`sim_ticks_per_s.${live}.${mode}`] = figure(rs.map((r) => r.ticksPerS), 'ticks/s');
      if (mode === 'expert') continue;
      const key = mode === 'autopilot' ? live : `${live}_${mode.slice('autopilot_'.length)}`;
      const applied = rs.map((r) => r.records.filter((x) => x.appliedMs !== null));
      if (applied.some((a) => a.length === 0)) throw new Error(`${mode}: a window had no applied prediction`);
      // Per window the percentile; the figure is their median (min, max over windows).
      figures[`frame_to_control_ms.${key}.p50`] = figure(applied.map((a) => percentile(a.map(f2c), 50)), 'ms');
      figures[`frame_to_control_ms.${key}.p95`] = figure(applied.map((a) => percentile(a.map(f2c), 95)), 'ms');
      const all = applied.flat().filter((x) => x.sentMs !== null && x.readyMs !== null);
      figures[`frame_to_control_parts_ms.${key}.capture`] = figure(all.map((x) => x.capturedMs - x.captureStartMs), 'ms');
      figures[`frame_to_control_parts_ms.${key}.round_trip`] = figure(all.map((x) => x.readyMs! - x.sentMs!), 'ms');
      figures[`frame_to_control_parts_ms.${key}.worker`] = figure(all.map((x) => x.workerMs!), 'ms');
      figures[`frame_to_control_parts_ms.${key}.wait_to_apply`] = figure(all.map((x) => x.appliedMs! - x.readyMs!), 'ms');
      figures[`control_ticks_without_own_frame_pct.${key}`] = figure(rs.map((r) => (100 * r.violations) / Math.max(1, r.controlTicks)), '%');
    }
    ratios[`main_fps_autopilot_vs_expert.${live}`] = figures[`main_fps.${live}.autopilot`].median / figures[`main_fps.${live}.expert`].median;
    ratios[`main_fps_autopilot_nowait_vs_expert.${live}`] = figures[`main_fps.${live}.autopilot_nowait`].median / figures[`main_fps.${live}.expert`].median;
    ratios[`frame_to_control_p50_nowait_vs_wait.${live}`] = figures[`frame_to_control_ms.${live}_nowait.p50`].median / figures[`frame_to_control_ms.${live}_pagedash.p50`].median;
    ratios[`frame_to_control_p50_pagedash_vs_worker.${live}`] = figures[`frame_to_control_ms.${live}_pagedash.p50`].median / figures[`frame_to_control_ms.${live}.p50`].median;
    ratios[`frame_to_control_p95_pagedash_vs_worker.${live}`] = figures[`frame_to_control_ms.${live}_pagedash.p95`].median / figures[`frame_to_control_ms.${live}.p95`].median;
    ratios[`main_fps_autopilot_pagedash_vs_expert.${live}`] = figures[`main_fps.${live}.autopilot_pagedash`].median / figures[`main_fps.${live}.expert`].median;
    notes.push(`${windows} window(s) of ${windowMs} ms per mode, the modes taking turns (${MODES.join(', ')}), after one untimed window of each; 1.5 s settle after each switch. frame_to_control: dash capture start (the page's render, or posting the pose to the worker) -> first simulation step with the prediction (src/app/latencyProbe.ts); p50/p95 per window, figure = median over windows. parts: medians over every applied prediction (worker: its render and prediction)`);
    notes.push('autopilot: the driving worker renders the frame with its own dash camera and predicts; the step after a control tick waits up to REALTIME_WAIT_MS for that prediction; autopilot_pagedash: the page renders the frame (the previous behaviour), same wait; autopilot_nowait: page frames, no wait, the answer is applied at the first tick after it arrives (before the wait); expert: no autopilot, the expert drives (main view without the autopilot)');
  } finally {
    frame.remove();
  }
  return { figures, ratios, notes };
}
