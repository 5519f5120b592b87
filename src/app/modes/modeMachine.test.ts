// The transition matrix: every pair of modes (the same mode twice included), each also with the
// change requested while the Autopilot's worker call is still pending, checked against the
// invariants of issue 11: no recording open outside Record (takeover clips only under Autopilot,
// labelled 'takeover'), no model-driven tick recorded as human, the loop paused only in Train,
// the model engaged only in Autopilot, and no second worker started by a superseded switch.

import { describe, expect, it } from 'vitest';
import type { Driver } from '../../data/index.ts';
import type { HumanSample } from '../../input/humanInput.ts';
import { resolveTrack } from '../../sim/tracks.ts';
import type { World } from '../../sim/world.ts';
import type { ActiveRecording } from '../recorder.ts';
import { Session } from '../session.ts';
import { type AutopilotPort, createAutopilotMode } from './autopilotMode.ts';
import { MODE_NAMES, ModeMachine, type ModeName } from './mode.ts';
import { createRecordMode } from './recordMode.ts';
import { createDriveMode, createRaceMode, createTrainMode } from './simpleModes.ts';

interface FakeRec extends ActiveRecording {
  kind: 'player' | 'takeover';
  open: boolean;
  labels: { tick: number; driver: Driver }[];
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = (): void => {};
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

const settle = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0));
};

function harness() {
  const session = new Session({ track: resolveTrack('oval'), theme: 'day', now: () => '2026-01-01T00:00:00Z' });
  const recs: FakeRec[] = [];
  /** Who really drove each tick (session.driver after the tick). */
  const driverAt = new Map<number, string>();
  let paused = false;
  const workers = { drive: 0, train: 0 };
  let modelGate: Promise<void> | null = null;
  let openGate: Promise<void> | null = null;

  const fakeRec = (kind: FakeRec['kind'], world: World): FakeRec => {
    const r: FakeRec = {
      kind,
      open: true,
      labels: [],
      writer: { flush: async () => {} } as unknown as ActiveRecording['writer'],
      clipId: `clip-${recs.length}`,
      elapsedS: 0,
      bytes: 0,
      lastFrames: [],
      get frames() {
        return r.labels.length;
      },
      afterTick(w: World, driver: Driver) {
        if (!r.open) throw new Error('tick recorded into a closed clip');
        r.labels.push({ tick: w.tick, driver });
        return 0;
      },
      finish: async () => {
        r.open = false;
        return { name: kind, frameCount: r.labels.length, rateHz: 20 } as never;
      },
      discard: async () => {
        r.open = false;
      },
    };
    void world;
    recs.push(r);
    return r;
  };

  // A fake of the AutopilotController's contract: one worker started on demand (deduplicated
  // while starting), a model loaded through it, takeover clips opened on a takeover and closed
  // when the model has the wheel back or on disengage.
  let starting: Promise<void> | null = null;
  let workerUp = false;
  let takeoverRec: FakeRec | null = null;
  const ensureWorker = (): Promise<void> => {
    if (workerUp) return Promise.resolve();
    starting ??= (async () => {
      workers.drive++;
      await (modelGate ?? Promise.resolve());
      workerUp = true;
      starting = null;
    })();
    return starting;
  };
  const ap: AutopilotPort & { model: { id: string } | null } = {
    model: null,
    isEngaged: false,
    autopilot: { opts: { timing: 'realtime' } },
    engage() {
      if (!this.model) return false;
      (this as { isEngaged: boolean }).isEngaged = true;
      return true;
    },
    disengage() {
      (this as { isEngaged: boolean }).isEngaged = false;
      if (takeoverRec) void takeoverRec.finish();
      takeoverRec = null;
    },
    tick(sample: HumanSample) {
      if (sample.takeover && !takeoverRec) takeoverRec = fakeRec('takeover', session.world);
      if (!sample.takeover && takeoverRec) {
        void takeoverRec.finish();
        takeoverRec = null;
      }
      session.driver = sample.takeover ? 'human' : 'autopilot';
      session.tick({ human: sample.controls, autopilot: { steer: 0.1, torque: 0.6 } });
      takeoverRec?.afterTick(session.world, 'takeover');
    },
    lockstepControlTick: async () => {},
    async loadModel(id: string) {
      await ensureWorker();
      this.model = { id };
    },
  };

  let trainStarting: Promise<void> | null = null;
  let trainUp = false;
  const machine = new ModeMachine(
    { session, showMode: () => {}, clearInput: () => {}, notify: () => {} },
    {
      drive: createDriveMode(),
      record: createRecordMode({
        session,
        open: async (world) => {
          await (openGate ?? Promise.resolve());
          return fakeRec('player', world);
        },
        notify: () => {},
        saved: () => {},
        stopped: () => void machine.transition('drive'),
      }),
      train: createTrainMode({
        paused: () => paused,
        setPaused: (p) => (paused = p),
        showPanel: () => {},
        prepareTraining: () => {
          if (trainUp) return;
          trainStarting ??= (async () => {
            workers.train++;
            await (modelGate ?? Promise.resolve());
            trainUp = true;
          })();
        },
      }),
      autopilot: createAutopilotMode({
        session,
        autopilot: ap,
        models: {
          list: async () => {
            await ensureWorker();
            return [{ id: 'm1' }];
          },
          installStarter: async () => {},
        },
        notify: () => {},
        humanSample: () => sample(false),
        paused: () => paused,
        engaged: () => {},
        sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
        now: () => 0,
        controlPeriodMs: () => 50,
      }),
      race: createRaceMode({ session, ghostForTrack: () => {} }),
    },
  );

  function sample(takeover: boolean): HumanSample {
    return { controls: { steer: 0, torque: 1 }, activity: takeover ? 1 : 0, takeover, device: null };
  }

  function check(where: string): void {
    const mode = machine.mode;
    for (const r of recs.filter((x) => x.open)) {
      if (r.kind === 'player') expect(mode, `${where}: a recording is open outside Record`).toBe('record');
      else expect(mode, `${where}: a takeover clip is open outside Autopilot`).toBe('autopilot');
    }
    for (const r of recs) {
      for (const l of r.labels) {
        if (r.kind === 'takeover') expect(l.driver, `${where}: takeover clip label`).toBe('takeover');
        if (l.driver === 'human') expect(driverAt.get(l.tick), `${where}: a model tick (${l.tick}) labelled human`).toBe('human');
      }
    }
    expect(paused, `${where}: loop paused in ${mode}`).toBe(mode === 'train');
    expect(ap.isEngaged, `${where}: model engaged in ${mode}`).toBe(mode === 'autopilot');
    if (mode !== 'autopilot') expect(session.driver, `${where}: driver`).not.toBe('autopilot');
    expect(workers.drive, `${where}: driving workers started`).toBeLessThanOrEqual(1);
    expect(workers.train, `${where}: training workers started`).toBeLessThanOrEqual(1);
  }

  /** Ticks the way the app's loop does (no world steps while the loop is paused). */
  async function run(ticks: number, where: string, takeoverAt: number[] = []): Promise<void> {
    for (let i = 0; i < ticks; i++) {
      if (!paused) {
        machine.tick(sample(takeoverAt.includes(i)));
        driverAt.set(session.world.tick, session.driver);
      }
      if (i % 10 === 0) await settle();
      check(`${where} tick ${i}`);
    }
    await settle();
    check(`${where} end`);
  }

  return {
    machine,
    recs,
    session,
    run,
    check,
    setModelGate(p: Promise<void> | null) {
      modelGate = p;
    },
    setOpenGate(p: Promise<void> | null) {
      openGate = p;
    },
  };
}

/** Takeover ticks that leave a takeover clip open at the end of a 90-tick run under Autopilot. */
const TAKEOVER_AT = [20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89];

describe('mode machine: the transition matrix', () => {
  const pairs = MODE_NAMES.flatMap((from) => MODE_NAMES.map((to) => [from, to] as [ModeName, ModeName]));

  it.each(pairs)('%s -> %s keeps the invariants', async (from, to) => {
    const h = harness();
    await h.machine.transition(from);
    expect(h.machine.mode).toBe(from);
    await h.run(90, `in ${from}`, TAKEOVER_AT);
    if (from === 'record') expect(h.recs.some((r) => r.kind === 'player' && r.open)).toBe(true);
    if (from === 'autopilot') expect(h.recs.some((r) => r.kind === 'takeover' && r.open)).toBe(true);
    await h.machine.transition(to);
    expect(h.machine.mode).toBe(to);
    h.check(`right after ${from} -> ${to}`);
    await h.run(90, `${from} -> ${to}`, TAKEOVER_AT);
    await h.machine.dispose();
    await h.run(1, `after dispose`);
    expect(h.recs.filter((r) => r.open)).toEqual([]);
  });

  it.each(pairs)('%s -> autopilot, then %s while the worker call is pending', async (from, to) => {
    const h = harness();
    await h.machine.transition(from);
    await h.run(60, `in ${from}`);
    const gate = deferred();
    h.setModelGate(gate.promise);
    const toAutopilot = h.machine.transition('autopilot');
    await h.run(30, `${from}, autopilot pending`);
    // Until the model is ready the previous mode keeps running.
    expect(h.machine.mode).toBe(from === 'autopilot' ? 'autopilot' : from);
    const toOther = h.machine.transition(to);
    await h.run(10, `${from} -> (autopilot pending) -> ${to}`);
    gate.resolve();
    await Promise.all([toAutopilot, toOther]);
    await h.run(60, `${from} -> autopilot (superseded) -> ${to}`);
    expect(h.machine.mode).toBe(to);
    await h.machine.dispose();
    expect(h.recs.filter((r) => r.open)).toEqual([]);
  });

  it('a clip still opening when Record is left is discarded, not left open', async () => {
    const h = harness();
    const gate = deferred();
    h.setOpenGate(gate.promise);
    await h.machine.transition('record');
    await h.run(60, 'record, clip opening');
    expect(h.recs).toHaveLength(0);
    await h.machine.transition('autopilot');
    gate.resolve();
    await h.run(30, 'autopilot after the clip opened');
    expect(h.recs.filter((r) => r.kind === 'player')).toHaveLength(1);
    expect(h.recs.filter((r) => r.open)).toEqual([]);
  });

  it('Record -> Autopilot closes the clip before the model drives a tick, and the clip holds only human ticks', async () => {
    const h = harness();
    await h.machine.transition('record');
    await h.run(90, 'record');
    await h.machine.transition('autopilot');
    await h.run(90, 'autopilot');
    const clip = h.recs.find((r) => r.kind === 'player')!;
    expect(clip.open).toBe(false);
    expect(clip.labels.length).toBeGreaterThan(50);
    expect(new Set(clip.labels.map((l) => l.driver))).toEqual(new Set(['human']));
  });
});
