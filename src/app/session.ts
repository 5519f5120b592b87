// A driving session: the world, who drives it, and what each tick leaves behind (the replay of
// every control and of who produced it, lap events with their verifiable replays). No DOM and
// no timers: the app's loop calls tick(); tests call it directly.

import { ReplayRecorder, type Replay, type ReplayAutopilot, type ReplayAutopilotSettings, type ReplayDriver } from '../scoring/replay.ts';
import type { LapClass, TickDriver } from '../scoring/rules.ts';
import { type Expert, type ExpertOptions, createExpert } from '../sim/expert.ts';
import type { LapRecord } from '../sim/laps.ts';
import type { Track } from '../sim/track.ts';
import { type Controls, createWorld, NO_CONTROLS, stepWorld, type World } from '../sim/world.ts';

/** Who produces the controls this tick. */
export type DriverKind = 'human' | 'expert' | 'autopilot';

export interface LapEvent {
  lap: LapRecord;
  replay: Replay;
  /** The lap's class as the verifier will derive it from the per-tick driver record. */
  driver: LapClass;
}

/** The model that drives autopilot ticks: written into replays (sha256: of its weights). */
export interface SessionModel {
  id: string;
  name: string;
  sha256?: string;
  /** How the autopilot turns its outputs into throttle now (the lap's replay gets them tick by tick). */
  autopilot?: ReplayAutopilotSettings;
}

/** The autopilot settings from a tick on (a world tick). */
type SettingsFrom = ReplayAutopilotSettings & { tick: number };

function sameSettings(a: ReplayAutopilotSettings, b: ReplayAutopilotSettings): boolean {
  const x = a.speedControl;
  const y = b.speedControl;
  const sameControl = x.kind === 'proportional'
    ? y.kind === 'proportional' && x.accelerate === y.accelerate && x.brake === y.brake
    : y.kind === 'dynamics' && x.horizonS === y.horizonS && x.brakeHorizonS === y.brakeHorizonS && (x.softBrakeMps ?? 0) === (y.softBrakeMps ?? 0);
  return sameControl && a.throttle === b.throttle && a.governor === b.governor;
}

/**
 * The settings of a replay's segment [from, end) out of the log: those in force at its first
 * tick (or at its first model tick if the model began later), and each change after, at segment
 * ticks. Null if no model tick of the segment was logged.
 */
export function segmentAutopilot(log: readonly SettingsFrom[], from: number, end: number): ReplayAutopilot | null {
  let first = -1;
  for (let i = 0; i < log.length && log[i].tick < end; i++) if (log[i].tick <= from || first < 0) first = i;
  if (first < 0) return null;
  const strip = ({ tick: _t, ...settings }: SettingsFrom): ReplayAutopilotSettings => settings;
  const changes = log.slice(first + 1).filter((e) => e.tick < end).map((e) => ({ ...strip(e), tick: e.tick - from }));
  return { ...strip(log[first]), ...(changes.length ? { changes } : {}) };
}

export interface SessionOptions {
  track: Track;
  theme: string;
  expert?: ExpertOptions;
  /** Names written into replays. */
  playerName?: string;
  /** ISO clock for replay dates (injected: the session reads no clock itself). */
  now?: () => string;
  /** The driving aids in force (the autopilot's speed governor), read on every model tick. */
  assists?: () => { governor: boolean };
  /** The model driving autopilot ticks, read when a lap ends. */
  model?: () => SessionModel | null;
}

const TICK_DRIVER: Record<DriverKind, TickDriver> = { human: 'human', expert: 'expert', autopilot: 'model' };

export interface TickInput {
  /** The human's controls this tick (keyboard, gamepad). */
  human: Controls;
  /** The autopilot's controls, when a model drives. */
  autopilot?: Controls;
}

export class Session {
  world: World;
  /** The world one tick earlier: rendering interpolates between prev and world. */
  prev: World;
  driver: DriverKind = 'human';
  theme: string;
  expert: Expert;
  /** Whether the governor was on for a model tick of the lap under way. */
  private lapGovernor = false;
  private replay = new ReplayRecorder();
  private pendingReset = false;
  private readonly listeners: ((e: LapEvent) => void)[] = [];
  private expertOptions: ExpertOptions;
  modelName = 'model';
  modelId: string | undefined;
  /** Name written into human laps' replays. */
  playerName: string;
  /** The driving aids in force and the driving model (the app wires them; options give the defaults). */
  assistsOf: () => { governor: boolean };
  modelOf: () => SessionModel | null;
  /** The model as of the last model tick of the lap under way. */
  private lapModel: SessionModel | null = null;
  /** The autopilot's settings on model ticks, each entry from the tick it began (pruned as laps end). */
  private settingsLog: SettingsFrom[] = [];

  constructor(private readonly opts: SessionOptions) {
    this.theme = opts.theme;
    this.playerName = opts.playerName ?? 'Player';
    this.expertOptions = opts.expert ?? {};
    this.assistsOf = opts.assists ?? (() => ({ governor: false }));
    this.modelOf = opts.model ?? (() => (this.modelId ? { id: this.modelId, name: this.modelName } : null));
    this.world = createWorld(opts.track);
    this.prev = this.world;
    this.expert = createExpert(opts.track, this.expertOptions);
  }

  get track(): Track {
    return this.world.track;
  }

  /** Starts over on a (new) track: a fresh world, expert and replay. */
  restart(track: Track = this.world.track, expert: ExpertOptions = this.expertOptions): void {
    this.expertOptions = expert;
    this.settingsLog = [];
    this.world = createWorld(track);
    this.prev = this.world;
    this.expert = createExpert(track, expert);
    this.replay = new ReplayRecorder();
    this.lapGovernor = false;
    this.pendingReset = false;
  }

  onLap(cb: (e: LapEvent) => void): () => void {
    this.listeners.push(cb);
    return () => this.listeners.splice(this.listeners.indexOf(cb), 1);
  }

  /** The car goes back onto the road on the next tick (R key, autopilot recovery). */
  requestReset(): void {
    this.pendingReset = true;
  }

  /** A human took the wheel from the model: counted in the lap's autonomy. */
  markIntervention(): void {
    this.replay.intervention();
  }

  /** Interventions in the lap under way. */
  get lapInterventions(): number {
    const start = this.world.laps.lapStartTick;
    return start < 0 ? 0 : this.replay.interventionsBetween(start, this.world.tick + 1);
  }

  /** Advances one tick with whoever drives; returns the controls applied. */
  tick(input: TickInput): Controls {
    let c: Controls;
    switch (this.driver) {
      case 'expert':
        c = this.expert.control(this.world);
        break;
      case 'autopilot':
        c = input.autopilot ?? NO_CONTROLS;
        break;
      default:
        c = input.human;
    }
    if (this.pendingReset) {
      c = { steer: 0, torque: 0, reset: true };
      this.pendingReset = false;
    }
    this.replay.push(this.world, c, TICK_DRIVER[this.driver]);
    if (this.driver === 'autopilot') {
      const governor = this.assistsOf().governor;
      if (governor) this.lapGovernor = true;
      this.lapModel = this.modelOf() ?? this.lapModel;
      const settings = this.lapModel?.autopilot;
      const last = this.settingsLog[this.settingsLog.length - 1];
      if (settings && (!last || !sameSettings(last, { ...settings, governor }))) this.settingsLog.push({ ...settings, governor, tick: this.world.tick });
    }
    this.prev = this.world;
    this.world = stepWorld(this.world, c);
    const done = this.world.laps.completed;
    if (done.length > this.prev.laps.completed.length) this.finishLap(done[done.length - 1]);
    if (this.world.laps.lapStartTick !== this.prev.laps.lapStartTick) this.lapGovernor = false;
    return this.world.applied;
  }

  private finishLap(lap: LapRecord): void {
    const model = this.modelOf() ?? this.lapModel;
    const replay0 = this.replay.replayOf(this.world, lap, {
      theme: this.theme,
      driver: { name: this.playerName },
      createdAt: this.opts.now?.() ?? '1970-01-01T00:00:00.000Z',
      assists: { governor: this.lapGovernor },
    });
    const cls = replay0.claim.driverClass;
    const driver: ReplayDriver = cls === 'expert'
      ? { name: 'Expert' }
      : cls === 'human' || !model
        ? { name: this.playerName }
        : { name: model.name, modelId: model.id, ...(model.sha256 ? { modelSha256: model.sha256 } : {}), ...(model.autopilot ? { autopilot: model.autopilot } : {}) };
    if (driver.autopilot) {
      // The settings as they were, tick by tick: "Watch it drive" reproduces a lap in which the player switched them.
      const from = replay0.start.kind === 'lap' ? replay0.start.tick : 0;
      driver.autopilot = segmentAutopilot(this.settingsLog, from, from + replay0.ticks) ?? driver.autopilot;
    }
    // The next lap's segment starts where this lap started: older entries are no longer needed.
    const keep = this.settingsLog.findLastIndex((e) => e.tick <= lap.startTick);
    if (keep > 0) this.settingsLog = this.settingsLog.slice(keep);
    const replay = { ...replay0, driver };
    for (const l of [...this.listeners]) l({ lap, replay, driver: cls });
  }
}
