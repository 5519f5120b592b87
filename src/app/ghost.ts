// A ghost: a lap replayed from its controls as a translucent car, started when the player's lap
// starts and kept at the same time into the lap, so the gap on screen is the gap on the clock.
// The ghost's world is re-simulated from its replay (never interpolated from stored positions).

import { checkCar } from '../scoring/carRules.ts';
import { type Replay, replayControls, segmentStartWorld } from '../scoring/replay.ts';
import { DEFAULT_CAR } from '../sim/car.ts';
import { resolveTrack } from '../sim/tracks.ts';
import { trackFromFile } from '../sim/trackJson.ts';
import { stepWorld, type World } from '../sim/world.ts';

export class Ghost {
  /** World tick at which the ghost's lap starts. */
  readonly lapStart: number;
  readonly lapTicks: number;
  private readonly controls: (tick: number) => ReturnType<ReturnType<typeof replayControls>>;
  private readonly startWorld: World;
  world: World;

  constructor(readonly replay: Replay, readonly label: string) {
    // Replays reach a ghost verified (stored by the game or imported through the verifier).
    const segment = replayControls(replay);
    const track = replay.track.file ? trackFromFile({ ...replay.track.file, id: replay.track.id }) : resolveTrack(replay.track.id);
    const car = checkCar(replay.car);
    let w = segmentStartWorld(replay.start, track, car.ok ? car.params : DEFAULT_CAR);
    const first = w.tick;
    this.controls = (tick) => segment(tick - first);
    this.lapTicks = replay.claim.ticks;
    this.lapStart = first + replay.claim.lapStart;
    while (w.tick < this.lapStart) w = stepWorld(w, this.controls(w.tick));
    this.startWorld = w;
    this.world = w;
  }

  get trackId(): string {
    return this.startWorld.track.id;
  }

  /** Moves the ghost to `ticksIntoLap` ticks after its lap start (clamped to its lap). */
  sync(ticksIntoLap: number): World {
    const target = this.lapStart + Math.max(0, Math.min(ticksIntoLap, this.lapTicks));
    if (target < this.world.tick) this.world = this.startWorld;
    while (this.world.tick < target) this.world = stepWorld(this.world, this.controls(this.world.tick));
    return this.world;
  }
}
