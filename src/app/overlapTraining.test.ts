// Recording and training at once (overlapTraining.ts): when a run may start, which clips
// validate, and when the run is stopped; then the whole over a fake recording that adds a clip
// every few ms and a fake trainer that reads the clips there are at each epoch, as the worker does.
import { describe, expect, it } from 'vitest';
import type { TrainOutcome } from '../../workers/steeringApi.ts';
import type { AutoRecordResult } from './autoRecord.ts';
import {
  finalSplit, fullEpochs, isHeldOut, openEndedConfig, type OverlapDeps, overlapSplit, overlapStopDue, recordAndTrain, type SplitClip,
} from './overlapTraining.ts';

const clip = (i: number, o: Partial<SplitClip> = {}): SplitClip => ({ id: `c${i}`, createdAt: i, complete: true, tag: null, ...o });

describe('which clips validate and when training may start', () => {
  it('holds out every 6th clip recorded, as the benchmark does', () => {
    expect([...Array(13).keys()].filter((i) => isHeldOut(i))).toEqual([5, 11]);
    expect([...Array(7).keys()].filter((i) => isHeldOut(i, 3))).toEqual([2, 5]);
  });

  it('starts once a held-out clip and a training clip are complete, on whole clips in recording order', () => {
    const five = [0, 1, 2, 3, 4].map((i) => clip(i));
    expect(overlapSplit(five)).toBeNull();
    expect(overlapSplit([...five, clip(5, { tag: 'val', complete: false })])).toBeNull();
    expect(overlapSplit([clip(5, { tag: 'val' }), ...five.reverse(), clip(6, { complete: false })])).toEqual({ train: ['c0', 'c1', 'c2', 'c3', 'c4'], val: ['c5'] });
    expect(overlapSplit([clip(5, { tag: 'val' })])).toBeNull();
  });

  it('a recording too short to start early validates on its last clip', () => {
    expect(finalSplit([clip(1), clip(0), clip(2, { complete: false })])).toEqual({ train: ['c0'], val: ['c1'] });
    expect(finalSplit([clip(0)])).toEqual({ train: ['c0'], val: [] });
    expect(finalSplit([])).toEqual({ train: [], val: [] });
  });
});

describe('when the run stops', () => {
  it('never while recording, and counts only epochs that began after recording ended', () => {
    expect(overlapStopDue({ trainingS: 1e6, epochsDone: 50, epochsAtRecordingEnd: null }, { kind: 'epochs', epochs: 1 })).toBe(false);
    expect(overlapStopDue({ trainingS: 1e6, epochsDone: 50, epochsAtRecordingEnd: null }, { kind: 'budget', seconds: 1 })).toBe(false);
    // Recording ended during epoch 3 (3 done): epoch 3 does not count, 4 and 5 do.
    expect(fullEpochs({ trainingS: 0, epochsDone: 4, epochsAtRecordingEnd: 3 })).toBe(0);
    expect(fullEpochs({ trainingS: 0, epochsDone: 6, epochsAtRecordingEnd: 3 })).toBe(2);
    expect(overlapStopDue({ trainingS: 0, epochsDone: 5, epochsAtRecordingEnd: 3 }, { kind: 'epochs', epochs: 2 })).toBe(false);
    expect(overlapStopDue({ trainingS: 0, epochsDone: 6, epochsAtRecordingEnd: 3 }, { kind: 'epochs', epochs: 2 })).toBe(true);
    // Recorded before the run began (-1): its first epoch counts.
    expect(fullEpochs({ trainingS: 0, epochsDone: 1, epochsAtRecordingEnd: -1 })).toBe(1);
  });

  it('a budget stops it only after one epoch over every clip', () => {
    expect(overlapStopDue({ trainingS: 100, epochsDone: 4, epochsAtRecordingEnd: 3 }, { kind: 'budget', seconds: 60 })).toBe(false);
    expect(overlapStopDue({ trainingS: 100, epochsDone: 5, epochsAtRecordingEnd: 3 }, { kind: 'budget', seconds: 60 })).toBe(true);
    expect(overlapStopDue({ trainingS: 59, epochsDone: 9, epochsAtRecordingEnd: 3 }, { kind: 'budget', seconds: 60 })).toBe(false);
  });

  it('the run is asked to train open-ended (no epoch count or early stop of its own), other settings kept', () => {
    const c = openEndedConfig({ seed: 3, training: { learningRate: 1e-4, earlyStopping: { patience: 3, restoreBest: true } } });
    expect(c).toEqual({ seed: 3, training: { learningRate: 1e-4, epochs: 1000, earlyStopping: { patience: 0, restoreBest: true } } });
  });
});

/** A fake library: the recording adds `n` clips, one every `ms`; the trainer runs epochs of `epochMs` over the clips it finds. */
function fakeRig(o: { n: number; ms: number; epochMs: number }) {
  let now = 1000;
  const clips: { id: string; createdAt: number; complete: boolean; tag: SplitClip['tag'] }[] = [];
  const listeners: ((e: { kind: string }) => void)[] = [];
  let cancelled = false;
  const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
  const trained: { epoch: number; ids: string[] }[] = [];
  let trainStartedWhenClips = -1;
  const deps: OverlapDeps = {
    async record(onClipStarted) {
      for (let i = 0; i < o.n; i++) {
        const c = { id: `c${i}`, createdAt: now++, complete: false, tag: null as SplitClip['tag'] };
        clips.push(c);
        await onClipStarted(c.id, i);
        await sleep(o.ms);
        c.complete = true;
      }
      return { clips: [], cancelled: false, error: null } as unknown as AutoRecordResult;
    },
    clipsSince: async (since) => clips.filter((c) => c.createdAt >= since).map((c) => ({ ...c })),
    async holdOut(id) {
      clips.find((c) => c.id === id)!.tag = 'val';
    },
    async train(split) {
      trainStartedWhenClips = clips.filter((c) => c.complete).length;
      const set = new Set(split.trainClipIds);
      let epoch = 0;
      while (!cancelled) {
        // As growingClipSet: complete clips since followClipsSince join, unless tagged 'val' or validating.
        if (split.followClipsSince !== undefined) {
          for (const c of clips) if (c.complete && c.tag !== 'val' && !split.valClipIds.includes(c.id) && c.createdAt >= split.followClipsSince) set.add(c.id);
        }
        trained.push({ epoch, ids: [...set] });
        await sleep(o.epochMs);
        if (cancelled) break;
        for (const l of [...listeners]) l({ kind: 'epoch' });
        epoch++;
      }
      return { status: 'cancelled', modelId: 'm', epochsDone: epoch, backend: 'cpu', rmse: null, baselineRmse: null } satisfies TrainOutcome;
    },
    onTrainEvent(cb) {
      listeners.push(cb);
      return () => listeners.splice(listeners.indexOf(cb), 1);
    },
    cancelTraining() {
      cancelled = true;
    },
    now: () => now,
    sleep,
  };
  return { deps, clips, trained, started: () => trainStartedWhenClips };
}

describe('recordAndTrain', () => {
  it('starts training before recording ends; later clips join, held-out clips never train; stops after the epochs over every clip', async () => {
    const rig = fakeRig({ n: 14, ms: 30, epochMs: 40 });
    const r = await recordAndTrain(rig.deps, { kind: 'epochs', epochs: 2 });
    expect(r.startedWhileRecording).toBe(true);
    expect(rig.started()).toBeLessThan(14);
    expect(r.valClipIds).toEqual(['c5']);
    expect(r.heldOut).toEqual(['c5', 'c11']);
    expect(rig.clips.filter((c) => c.tag === 'val').map((c) => c.id)).toEqual(['c5', 'c11']);
    for (const e of rig.trained) expect(e.ids.filter((id) => id === 'c5' || id === 'c11')).toEqual([]);
    // The last epochs trained on every clip but the held-out ones.
    const everyTraining = rig.clips.filter((c) => c.tag !== 'val').map((c) => c.id).sort();
    const last = rig.trained.slice(-2).map((e) => [...e.ids].sort());
    expect(last[0]).toEqual(everyTraining);
    expect(rig.trained[0].ids.length).toBeLessThan(everyTraining.length);
    expect(r.outcome?.status).toBe('completed'); // stopped by its rule, not cancelled by the player
    expect(r.trainEndMs).toBeGreaterThanOrEqual(r.recordEndMs);
  }, 20_000);

  it('a recording too short to start early trains once it ends, on every clip from the first epoch', async () => {
    const rig = fakeRig({ n: 3, ms: 20, epochMs: 20 });
    const r = await recordAndTrain(rig.deps, { kind: 'epochs', epochs: 1 });
    expect(r.startedWhileRecording).toBe(false);
    expect(r.valClipIds).toEqual(['c2']);
    expect(rig.trained).toHaveLength(1);
    expect(rig.trained[0].ids).toEqual(['c0', 'c1']);
  }, 20_000);
});
