// Developer preview of the Library panel in the real page frame, on a throwaway clip store
// ('deepsteer-library-preview'). It fills the store with synthetic clips driven by the sim's
// expert (frames are a flat perspective sketch of the road, not the three.js renderer, which
// ui may not import), one of them left incomplete, and stands in for the app's auto-record
// engine with the same sketch, so every part of the panel can be tried. ?reset=1 refills it;
// ?reset=1&seed=0 leaves it empty.

import '../styles.css';
import type { Meters, MetersPerSecond, Radians, Ticks } from '../../core/units.ts';
import type { CameraSpec, ClipStore, Driver, LabelRow } from '../../data/index.ts';
import { CENTER_CAMERA, browserImageCodec, importClipsZip, importUdacityZip, isDataError, openClipStore } from '../../data/index.ts';
import { carSpeed } from '../../sim/car.ts';
import { SIM_VERSION, TICK_HZ } from '../../sim/constants.ts';
import { createExpert } from '../../sim/expert.ts';
import { recoverySteer } from '../../sim/recovery.ts';
import { curvatureAhead } from '../../sim/track.ts';
import { PRESET_NAMES, resolveTrack } from '../../sim/tracks.ts';
import { createWorld, headingError, lapProgress, stepWorld, type World } from '../../sim/world.ts';
import { createShell } from '../shell.ts';
import type { AutoRecordRequest } from './libraryPanel.ts';
import { createLibraryPanel, sideCameraSpecs } from './libraryPanel.ts';

const DB_NAME = 'deepsteer-library-preview';
const THEMES = ['day', 'dusk', 'overcast', 'night'];
const PALETTE: Record<string, { sky: [number, number, number]; horizon: [number, number, number]; grass: [number, number, number]; road: [number, number, number]; line: number }> = {
  day: { sky: [90, 150, 225], horizon: [190, 215, 240], grass: [70, 130, 60], road: [95, 95, 100], line: 235 },
  dusk: { sky: [60, 50, 110], horizon: [240, 140, 80], grass: [50, 70, 40], road: [70, 65, 70], line: 210 },
  overcast: { sky: [150, 155, 160], horizon: [200, 200, 205], grass: [85, 110, 75], road: [105, 105, 108], line: 220 },
  night: { sky: [8, 10, 25], horizon: [25, 30, 55], grass: [15, 25, 15], road: [35, 35, 40], line: 170 },
};

/**
 * A dash frame sketched from the car's place on the road: sky, grass, and the road with edge
 * and centre lines in perspective, bent by the curvature ahead. NOTE fills `out`.
 */
function sketchFrame(out: Uint8Array, w: number, h: number, world: World, theme: string, cam: CameraSpec): void {
  const p = PALETTE[theme] ?? PALETTE.day;
  const horizon = Math.round(h * 0.4);
  const focal = h * 1.1;
  const camHeight = 1.3;
  const half = world.track.width / 2;
  const lateral = world.trackPos.lateral + cam.lateralM;
  const yaw = headingError(world) + cam.yawRad;
  const k = curvatureAhead(world.track, world.trackPos.s, 40);
  const grassDark = p.grass.map((v) => v * 0.85) as [number, number, number];
  const line: [number, number, number] = [p.line, p.line, p.line];
  const put = (o: number, c: readonly number[]): void => {
    out[o] = c[0];
    out[o + 1] = c[1];
    out[o + 2] = c[2];
  };
  for (let y = 0; y < h; y++) {
    if (y <= horizon) {
      const t = y / horizon;
      const sky = [0, 1, 2].map((i) => p.sky[i] + (p.horizon[i] - p.sky[i]) * t);
      for (let x = 0; x < w; x++) put((y * w + x) * 3, sky);
      continue;
    }
    const d = (camHeight * focal) / (y - horizon);
    // Where the centreline is at distance d, metres to the right of the camera's axis.
    const centre = lateral + yaw * d - (k * d * d) / 2;
    const dashOn = (d + world.trackPos.s) % 6 < 3;
    const grass = (Math.floor(d / 3) + Math.floor(world.trackPos.s / 3)) % 2 === 0 ? p.grass : grassDark;
    for (let x = 0; x < w; x++) {
      const u = ((x - w / 2) * d) / focal - centre;
      const a = Math.abs(u);
      const c = a < half ? (Math.abs(a - half) < 0.18 || (a < 0.1 && dashOn) ? line : p.road) : grass;
      put((y * w + x) * 3, c);
    }
  }
}

function labelsOf(world: World, driver: Driver, cameras: readonly CameraSpec[]): LabelRow {
  const cameraSteer: Partial<Record<CameraSpec['id'], number>> = {};
  for (const cam of cameras) if (cam.id !== 'center') cameraSteer[cam.id] = recoverySteer(world, world.applied.steer, cam.lateralM, cam.yawRad);
  return {
    tick: world.tick as Ticks,
    steer: world.applied.steer,
    steerRad: world.car.steerAngle as Radians,
    speed: carSpeed(world.car) as MetersPerSecond,
    torque: world.applied.torque,
    brake: Math.max(0, -world.applied.torque),
    x: world.car.x as Meters,
    y: world.car.y as Meters,
    heading: world.car.heading as Radians,
    lateralOffset: world.trackPos.lateral as Meters,
    headingError: headingError(world) as Radians,
    curvatureAhead: curvatureAhead(world.track, world.trackPos.s, 20),
    lapProgress: lapProgress(world),
    driver,
    ...(cameras.length > 1 ? { cameraSteer } : {}),
  };
}

interface SynthClip {
  name: string;
  trackId: string;
  theme: string;
  seconds: number;
  rateHz?: number;
  frameWidth?: number;
  frameHeight?: number;
  cameras?: readonly CameraSpec[];
  steerNoise?: number;
  weaveRate?: number;
  seed?: number;
  /** Driver of step i of n. */
  driver?: (i: number, n: number) => Driver;
  createdAt: number;
  /** Leave it unfinished, as a closed tab would. */
  abandon?: boolean;
}

/** Records one synthetic clip; yields to the page now and then. Returns false if cancelled. */
async function recordClip(target: ClipStore, c: SynthClip, onStep?: (done: number, total: number) => boolean): Promise<boolean> {
  const rateHz = c.rateHz ?? 20;
  const w = c.frameWidth ?? 200;
  const h = c.frameHeight ?? 66;
  const cameras = c.cameras ?? [CENTER_CAMERA];
  const track = resolveTrack(c.trackId);
  const expert = createExpert(track, { seed: c.seed ?? 1, steerNoise: c.steerNoise ?? 0.03, weaveRate: c.weaveRate ?? 0 });
  let world = createWorld(track);
  const writer = await target.startRecording({ name: c.name, createdAt: c.createdAt, trackId: c.trackId, theme: c.theme, simVersion: String(SIM_VERSION), rateHz, frameWidth: w, frameHeight: h, cameras });
  const frames = cameras.map(() => new Uint8Array(w * h * 3));
  const steps = Math.round(c.seconds * rateHz);
  const every = TICK_HZ / rateHz;
  for (let i = 0; i < steps; i++) {
    for (let t = 0; t < every; t++) world = stepWorld(world, expert.control(world));
    cameras.forEach((cam, k) => sketchFrame(frames[k], w, h, world, c.theme, cam));
    writer.append({ frames, labels: labelsOf(world, c.driver?.(i, steps) ?? 'expert', cameras) });
    if (i % 40 === 39) {
      await new Promise((r) => setTimeout(r, 0));
      if (onStep && !onStep(i + 1, steps)) {
        await writer.discard();
        return false;
      }
    }
  }
  if (c.abandon) await writer.flush();
  else await writer.finish();
  return true;
}

async function seed(store: ClipStore): Promise<void> {
  const day = 24 * 3600 * 1000;
  const t = Date.now();
  const sides: CameraSpec[] = sideCameraSpecs({ sideCameras: { lateralM: 0.6 as Meters, yawRad: ((5 * Math.PI) / 180) as Radians } });
  const clips: SynthClip[] = [
    { name: 'Oval warm-up', trackId: 'oval', theme: 'day', seconds: 40, createdAt: t - 40 * day },
    { name: 'Kidney, small frames', trackId: 'kidney', theme: 'overcast', seconds: 30, rateHz: 15, frameWidth: 100, frameHeight: 33, createdAt: t - 2 * day, seed: 4 },
    { name: 'Twister with side cameras', trackId: 'twister', theme: 'dusk', seconds: 30, cameras: sides, steerNoise: 0.08, weaveRate: 0.2, createdAt: t - day + 3600e3, seed: 2 },
    { name: 'Hairpins at night, takeover at the end', trackId: 'hairpins', theme: 'night', seconds: 35, createdAt: t - 3600e3, driver: (i, n) => (i < n * 0.7 ? 'autopilot' : 'takeover'), seed: 3 },
    { name: 'Seed 12345 long run', trackId: '12345', theme: 'day', seconds: 90, createdAt: t - 600e3, seed: 5 },
  ];
  for (const c of clips) await recordClip(store, c);
  // A tab closed mid-recording: written through a second connection that never finishes.
  const other = await openClipStore({ name: DB_NAME });
  await recordClip(other, { name: 'Interrupted recording', trackId: 'kidney', theme: 'day', seconds: 12, createdAt: t - 120e3, abandon: true, seed: 6 });
  other.close();
}

/** Stands in for the app's recording engine: the same request, sketched frames, real clips. */
function previewEngine(store: ClipStore, report: (p: { fraction: number; frames: number; message: string } | null) => void) {
  let cancelled = false;
  return {
    cancel() {
      cancelled = true;
    },
    async run(req: AutoRecordRequest): Promise<void> {
      cancelled = false;
      const ids = req.tracks.kind === 'current' ? ['oval'] : req.tracks.kind === 'list' ? [...req.tracks.ids] : Array.from({ length: req.tracks.count }, (_, i) => String((req.seed * 7919 + i * 104729) % 1_000_000));
      const jobs = ids.flatMap((trackId) => req.themes.map((theme) => ({ trackId, theme })));
      const seconds = (req.minutes * 60) / jobs.length;
      const total = Math.round(req.minutes * 60 * req.rateHz);
      let done = 0;
      for (const [k, job] of jobs.entries()) {
        const before = done;
        const ok = await recordClip(
          store,
          {
            name: `Auto ${job.trackId} ${job.theme}`, trackId: job.trackId, theme: job.theme, seconds, rateHz: req.rateHz,
            frameWidth: req.frameWidth, frameHeight: req.frameHeight, cameras: sideCameraSpecs(req), steerNoise: req.steerNoiseG,
            weaveRate: req.weaveRatePerS, seed: req.seed + k, createdAt: Date.now(),
          },
          (n) => {
            done = before + n;
            report({ fraction: done / total, frames: done, message: `Clip ${k + 1} of ${jobs.length}: ${job.trackId}, ${job.theme}` });
            return !cancelled;
          },
        );
        if (!ok) return;
        done = before + Math.round(seconds * req.rateHz);
      }
    },
  };
}

async function main(): Promise<void> {
  const root = document.getElementById('app') as HTMLElement;
  const shell = createShell(
    root,
    { presets: PRESET_NAMES.map((id) => ({ id, name: resolveTrack(id).name })), themes: THEMES, cameras: ['chase'] },
    { mode: () => {}, track: () => {}, randomTrack: () => {}, theme: () => {}, camera: () => {}, panel: (p) => shell.openPanel(p), help: () => {} },
  );
  shell.setBadge('preview');
  shell.viewport.style.background = 'linear-gradient(#1d2a3a, #0c0f14)';
  const store = await openClipStore({ name: DB_NAME });
  const params = new URLSearchParams(location.search);
  if (params.get('reset') === '1') for (const c of await store.list()) await store.remove(c.id);
  if (params.get('seed') !== '0' && (await store.list()).length === 0) {
    shell.notify('Filling the preview library with synthetic clips…', 'info', 3000);
    await seed(store);
  }
  const engine = previewEngine(store, (p) => panel.setAutoRecordProgress(p));
  const codec = browserImageCodec();
  const panel = createLibraryPanel({
    container: shell.panelBody('library'),
    store,
    // The preview performs intents straight on its store (no undo); the game uses src/app/libraryCommands.ts.
    commands: {
      rename: async (id, name) => void (await store.rename(id, name)),
      setTag: async (ids, tag) => {
        for (const id of ids) await store.setTag(id, tag);
      },
      remove: async (ids) => {
        for (const id of ids) await store.remove(id);
      },
      recover: (id) => store.recover(id),
      importArchive: async (file, { layout, name, createdAt, ...o }) =>
        layout === 'udacity' ? [await importUdacityZip(store, file, { ...o, codec, name, createdAt })] : importClipsZip(store, file, o),
    },
    codec,
    notify: (text, kind) => shell.notify(text, kind),
    onAutoRecord: (req) => engine.run(req),
    onCancelAutoRecord: () => engine.cancel(),
    now: () => Date.now(),
  });
  shell.openPanel('library');
  (window as unknown as { libraryPreview: unknown }).libraryPreview = { store, panel, ready: true };
}

main().catch((e: unknown) => {
  const message = isDataError(e) ? e.message : String(e);
  document.body.textContent = `Preview failed: ${message}`;
  console.error(e);
});
