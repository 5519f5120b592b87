// Modes as objects and the one function that changes mode. Each mode owns what it starts (a
// recording, an engaged autopilot, a paused loop, a race restart) and releases it in exit().
// A mode that needs slow preparation (Autopilot loads a model in the worker) does it in
// prepare(), while the previous mode still runs; a newer transition requested meanwhile wins
// and the stale preparation is dropped. No DOM, no timers: tests drive it directly.

import type { HumanSample } from '../../input/humanInput.ts';
import type { ModeName } from '../../ui/shell.ts';
import type { Session } from '../session.ts';

export type { ModeName };
export const MODE_NAMES: readonly ModeName[] = ['drive', 'record', 'train', 'autopilot', 'race'];

export interface Mode {
  readonly name: ModeName;
  /** Slow set-up before the switch (the previous mode still runs). False: stay where we are. */
  prepare?(): Promise<boolean>;
  /** Starts what this mode owns. False: it could not (the machine falls back to Drive). */
  enter(from: ModeName): boolean | void;
  /** Releases what this mode owns; what it stops stops now, what it saves may finish later. */
  exit(to: ModeName): void | Promise<void>;
  /** Steps the world for one tick; without it the human drives. */
  tick?(sample: HumanSample): void;
  /** Runs after every tick of the world while this mode is current (recording). */
  afterTick?(): void;
  dispose?(): void | Promise<void>;
}

export interface ModeMachineHost {
  session: Session;
  /** Shows the mode the player asked for (the top bar), before and after the switch. */
  showMode(m: ModeName): void;
  /** Forgets held keys, so a key held across the switch does not steer the next mode. */
  clearInput(): void;
  notify(text: string, kind: 'info' | 'ok' | 'warn' | 'error'): void;
}

export class ModeMachine {
  private current: Mode;
  /** Bumped by every request; a preparation finishing under an older number is stale. */
  private generation = 0;
  private pendingTo: ModeName | null = null;

  constructor(
    private readonly host: ModeMachineHost,
    private readonly modes: Readonly<Record<ModeName, Mode>>,
  ) {
    this.current = modes.drive;
  }

  /** The mode in force (a pending switch does not count until its preparation succeeds). */
  get mode(): ModeName {
    return this.current.name;
  }

  /** The mode being prepared, if a switch is under way. */
  get pending(): ModeName | null {
    return this.pendingTo;
  }

  /** The one way to change mode. Resolves once the switch has happened, been refused or been superseded. */
  async transition(to: ModeName): Promise<void> {
    const gen = ++this.generation;
    this.pendingTo = null;
    if (to === this.current.name) {
      this.host.showMode(to);
      return;
    }
    const next = this.modes[to];
    this.host.showMode(to);
    if (next.prepare) {
      this.pendingTo = to;
      let ok: boolean;
      try {
        ok = await next.prepare();
      } catch (e) {
        this.host.notify((e as Error).message, 'error');
        ok = false;
      }
      if (gen !== this.generation) return; // a newer request took over
      this.pendingTo = null;
      if (!ok) {
        this.host.showMode(this.current.name);
        return;
      }
    }
    const prev = this.current;
    this.current = next;
    this.host.clearInput();
    const exiting = prev.exit(to);
    if (next.enter(prev.name) === false) {
      this.current = this.modes.drive;
      this.host.showMode('drive');
      this.modes.drive.enter(to);
    }
    await exiting;
  }

  /** One tick of the world under the current mode. */
  tick(sample: HumanSample): void {
    if (this.current.tick) this.current.tick(sample);
    else this.host.session.tick({ human: sample.controls });
    this.current.afterTick?.();
  }

  /** Leaves the current mode (releasing what it owns) and disposes every mode. */
  async dispose(): Promise<void> {
    this.generation++;
    this.pendingTo = null;
    const prev = this.current;
    this.current = this.modes.drive;
    await prev.exit('drive');
    for (const m of Object.values(this.modes)) await m.dispose?.();
  }
}
