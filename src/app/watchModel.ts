// "Download a model and watch it drive": imports a downloaded model zip, loads it into the
// autopilot's steering worker, and drives the downloaded lap's replay in lockstep on its track
// and theme (lapReproduction.ts), showing the car as it goes, then says whether the lap
// reproduces here. The game loop is paused meanwhile (the watch steps its own world and shows it
// as the session's world, which the paused loop keeps drawing with the HUD; the track is set
// again afterwards, a fresh session) and the autopilot disengaged; its public API is used as is
// (loadModel, the worker, Autopilot's receive/modelControls), the calls its lockstep mode makes.

import type { Replay, ReplayAutopilotSettings } from '../scoring/replay.ts';
import { poseOfCar, type Renderer, isThemeName, type ThemeName } from '../render/index.ts';
import { carSpeed } from '../sim/car.ts';
import type { World } from '../sim/world.ts';
import { type AutopilotOptions, PROPORTIONAL_SPEED_CONTROL } from './autopilot.ts';
import type { AutopilotController } from './autopilotController.ts';
import { driveReproduction, type ReproductionVerdict } from './lapReproduction.ts';
import type { ModeName } from './modes/mode.ts';
import { transferBytes } from './steeringClient.ts';

/** What the watch needs from the app (app.ts passes itself). */
export interface WatchHost {
  readonly autopilot: AutopilotController;
  readonly renderer: Renderer | null;
  readonly training: { importModel(bytes: Uint8Array): Promise<{ id: string; name: string }> };
  readonly loop: { readonly paused: boolean; setPaused(p: boolean): void };
  /** The world the app draws (NOTE the watch writes it; the loop is paused meanwhile). */
  readonly session: { world: World; prev: World };
  setMode(m: ModeName): void;
  setTrack(id: string): void;
  setTheme(t: ThemeName): void;
}

export interface WatchResult extends ReproductionVerdict {
  modelName: string;
  backend: string;
}

/**
 * The autopilot options a replayed lap was driven with at segment tick `t` (default: its first):
 * the settings recorded at the start and the last change at or before `t`. Laps from before
 * replays recorded them: the speed head through the proportional controller; before they
 * recorded the governor: the lap's `assists.governor`.
 */
export function replayAutopilotOptions(replay: Replay, t = 0): Pick<AutopilotOptions, 'governor' | 'throttle' | 'speedControl'> {
  const a = replay.driver.autopilot;
  let s = a;
  for (const c of a?.changes ?? []) if (c.tick <= t) s = c;
  return optionsOf(replay, s);
}

function optionsOf(replay: Replay, s: ReplayAutopilotSettings | undefined): Pick<AutopilotOptions, 'governor' | 'throttle' | 'speedControl'> {
  return { governor: s?.governor ?? replay.assists.governor, throttle: s?.throttle ?? 'speed', speedControl: s?.speedControl ?? PROPORTIONAL_SPEED_CONTROL };
}

const nextFrame = (): Promise<void> => new Promise((r) => (typeof requestAnimationFrame === 'function' ? requestAnimationFrame(() => r()) : setTimeout(r, 0)));

/** Imports `zip`, drives `replay` with it in lockstep while drawing the car, and reports. */
export async function watchModelLap(host: WatchHost, replay: Replay, zip: Uint8Array): Promise<WatchResult> {
  const renderer = host.renderer;
  if (!renderer) throw new Error('watching a model drive needs WebGL (the dash camera is what the model sees)');
  if (replay.track.file) throw new Error('this lap was driven on a custom track file: only preset and generated tracks can be watched here');
  const meta = await host.training.importModel(zip);
  host.setMode('drive');
  host.setTrack(replay.track.id);
  if (isThemeName(replay.theme)) host.setTheme(replay.theme);
  const ctl = host.autopilot;
  await ctl.loadModel(meta.id);
  const worker = ctl.worker;
  if (!worker) throw new Error('the steering worker did not start');
  const ap = ctl.autopilot;
  const savedOpts = ap.opts;
  // As the lap was driven: its governor, throttle source and speed controller (laps from before
  // replays recorded them drove the speed head through the proportional controller), in lockstep.
  ap.opts = { ...ap.opts, ...replayAutopilotOptions(replay), timing: 'lockstep' };
  ap.resetStats();
  await worker.api.resetPredictor();
  const changes = replay.driver.autopilot?.changes ?? [];
  let nextChange = 0;
  const wasPaused = host.loop.paused;
  host.loop.setPaused(true);
  try {
    const verdict = await driveReproduction(replay, {
      async predict(world: World) {
        const frame = renderer.renderDash(poseOfCar(world.car));
        if (!frame) throw new Error('the dash camera gave no frame');
        const p = await worker.api.predict(transferBytes(frame.slice()), carSpeed(world.car));
        ap.receive(p, world.tick, 0, world.tick);
      },
      atTick(t) {
        // A lap in which the player switched a setting: the switch happens here at the same tick
        // (ticks come in order, so a cursor walks the changes once).
        while (nextChange < changes.length && changes[nextChange].tick <= t) ap.opts = { ...ap.opts, ...optionsOf(replay, changes[nextChange++]) };
      },
      controls: (world) => ap.modelControls(world),
      reset: () => worker.api.resetPredictor(),
    }, {
      every: ap.every,
      async onTick(world, t) {
        if (t % ap.every !== 0) return;
        host.session.prev = host.session.world;
        host.session.world = world;
        await nextFrame();
      },
    });
    return { ...verdict, modelName: meta.name, backend: ctl.status?.backend ?? 'unknown' };
  } finally {
    ap.opts = savedOpts;
    ap.resetStats();
    host.setTrack(replay.track.id); // a fresh session (its recorder never saw the watched ticks)
    host.loop.setPaused(wasPaused);
  }
}
