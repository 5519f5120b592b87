import { describe, expect, it } from 'vitest';
import { CENTER_CAMERA } from '../../data/index.ts';
import { fineTuneRequestConfig, QUICK_HOLDOUT_PERCENT, quickChoice, quickPlan } from './quickTrain.ts';
import type { ClipInfo } from './trainingContract.ts';

function clip(id: string, over: Partial<ClipInfo> = {}): ClipInfo {
  return {
    id, name: `clip ${id}`, trackId: 'oval', theme: 'day', frameCount: 100, rateHz: 20, frameWidth: 200, frameHeight: 66,
    tag: null, complete: true, cameras: [CENTER_CAMERA], ...over,
  };
}

describe('Quick train', () => {
  it('holds out whole clips for validation by default', () => {
    const clips = ['a', 'b', 'c', 'd', 'e'].map((id) => clip(id));
    expect(quickChoice(clips)).toMatchObject({ mode: 'holdout', percent: QUICK_HOLDOUT_PERCENT });
    const q = quickPlan(clips, 6);
    expect(q.plan.error).toBeNull();
    expect(q.plan.valClipIds).toHaveLength(1);
    expect(q.plan.trainClipIds).toHaveLength(4);
    expect(new Set([...q.plan.trainClipIds, ...q.plan.valClipIds]).size).toBe(5);
    expect(q.note).toMatch(/on 4 clips and checks it on 1 clip it never sees \(a 20% hold-out\)/);
  });

  it('validates on at least one clip from two clips on', () => {
    const q = quickPlan([clip('a'), clip('b')], 6);
    expect(q.plan.valClipIds).toHaveLength(1);
    expect(q.plan.trainClipIds).toHaveLength(1);
  });

  it("follows the player's 'val' tags when there are any", () => {
    const clips = [clip('a'), clip('b', { tag: 'val' }), clip('c', { tag: 'train' })];
    expect(quickChoice(clips)).toEqual({ mode: 'tags', untagged: 'train' });
    const q = quickPlan(clips, 6);
    expect(q.plan.valClipIds).toEqual(['b']);
    expect(q.plan.trainClipIds).toEqual(['a', 'c']);
    expect(q.note).toMatch(/your 'val' tags/);
  });

  it('says why it cannot validate with one clip, and why it cannot start with none', () => {
    const one = quickPlan([clip('a')], 6);
    expect(one.plan.error).toBeNull();
    expect(one.plan.valClipIds).toEqual([]);
    expect(one.note).toMatch(/record or auto-record another/);
    const none = quickPlan([], 6);
    expect(none.plan.error).toMatch(/No clips yet/);
    expect(none.note).toBe(none.plan.error);
  });

  it('says when it fine-tunes the starter model', () => {
    const q = quickPlan([clip('a'), clip('b')], 6, true);
    expect(q.note).toMatch(/^Fine-tunes the starter model .* on 1 clip and checks it on 1 clip it never sees/);
    expect(quickPlan([clip('a'), clip('b')], 6).note).toMatch(/^Trains the default network/);
  });

  it("fine-tunes a model made before the speed input with that network's meaning, not the defaults'", () => {
    const starter = { version: 1, input: { height: 33, width: 100, resize: 'area' }, heads: { hidden: 0 }, training: { learningRate: 1e-3 } };
    const c = fineTuneRequestConfig(starter);
    expect(c.input).toEqual({ height: 33, width: 100, resize: 'area', speed: false });
    expect(c.heads).toEqual({ hidden: 0, speedAheadS: 0 });
    expect(c.training).toEqual(starter.training);
    expect(starter.input).not.toHaveProperty('speed'); // the base is not changed
    const newer = { input: { speed: true }, heads: { speedAheadS: 1 } };
    expect(fineTuneRequestConfig(newer)).toEqual(newer);
  });
});
