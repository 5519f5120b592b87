import { describe, expect, it } from 'vitest';
import { CENTER_CAMERA, type CameraSpec } from '../../data/index.ts';
import { clipExamples, planSplit, type SplitChoice } from './dataSplit.ts';
import type { ClipInfo } from './trainingContract.ts';

const LEFT = { id: 'left', lateralM: 0.8, yawRad: 0.05 } as unknown as CameraSpec;
const RIGHT = { id: 'right', lateralM: -0.8, yawRad: -0.05 } as unknown as CameraSpec;

function clip(id: string, over: Partial<ClipInfo> = {}): ClipInfo {
  return {
    id, name: `clip ${id}`, trackId: 'oval', theme: 'day', frameCount: 100, rateHz: 20, frameWidth: 200, frameHeight: 66,
    tag: null, complete: true, cameras: [CENTER_CAMERA], ...over,
  };
}
const plan = (clips: ClipInfo[], choice: SplitChoice, framesPerExample = 8, excluded: string[] = []) =>
  planSplit({ clips, choice, framesPerExample, excluded: new Set(excluded) });

describe('clipExamples', () => {
  it('counts one example per window end and camera', () => {
    expect(clipExamples({ frameCount: 100, cameras: [CENTER_CAMERA] }, 8)).toBe(93);
    expect(clipExamples({ frameCount: 100, cameras: [CENTER_CAMERA, LEFT, RIGHT] }, 1)).toBe(300);
    expect(clipExamples({ frameCount: 5, cameras: [CENTER_CAMERA] }, 8)).toBe(0);
  });
});

describe('planSplit by tags', () => {
  const clips = [clip('a', { tag: 'train' }), clip('b', { tag: 'val', frameCount: 50 }), clip('c'), clip('d', { tag: 'train', cameras: [CENTER_CAMERA, LEFT, RIGHT] })];

  it('follows the tags; untagged clips go where asked', () => {
    const p = plan(clips, { mode: 'tags', untagged: 'train' });
    expect(p.trainClipIds).toEqual(['a', 'c', 'd']);
    expect(p.valClipIds).toEqual(['b']);
    expect(p.train).toEqual({ clips: 3, frames: 300, examples: 93 + 93 + 3 * 93 });
    expect(p.val).toEqual({ clips: 1, frames: 50, examples: 43 });
    expect(p.error).toBeNull();
    expect(p.warnings).toEqual([]);

    expect(plan(clips, { mode: 'tags', untagged: 'val' }).valClipIds).toEqual(['b', 'c']);
    const skip = plan(clips, { mode: 'tags', untagged: 'skip' });
    expect(skip.trainClipIds).toEqual(['a', 'd']);
    expect(skip.clips.find((c) => c.id === 'c')).toMatchObject({ role: 'unused', reason: 'untagged' });
  });

  it('leaves out incomplete, unticked and too-short clips, saying why', () => {
    const p = plan([clip('a'), clip('b', { complete: false }), clip('c', { frameCount: 5 }), clip('d')], { mode: 'tags', untagged: 'train' }, 8, ['d']);
    expect(p.trainClipIds).toEqual(['a']);
    expect(p.clips.map((c) => [c.id, c.role, c.reason])).toEqual([
      ['a', 'train', null],
      ['b', 'unused', 'incomplete (recover it in the Library)'],
      ['c', 'unused', 'shorter than the window (5 < 8 frames)'],
      ['d', 'unused', 'left out'],
    ]);
  });

  it('refuses an empty training set with a message that says what to do', () => {
    expect(plan([], { mode: 'tags', untagged: 'train' }).error).toMatch(/^No clips yet/);
    expect(plan([clip('a', { tag: 'val' })], { mode: 'tags', untagged: 'train' }).error).toMatch(/tagged 'val'/);
    expect(plan([clip('a')], { mode: 'tags', untagged: 'skip' }).error).toMatch(/No clip is tagged 'train'/);
    expect(plan([clip('a')], { mode: 'tags', untagged: 'val' }).error).toMatch(/untagged clips go to validation/);
    expect(plan([clip('a')], { mode: 'tags', untagged: 'train' }, 8, ['a']).error).toMatch(/tick at least one/);
    expect(plan([clip('a', { frameCount: 3 })], { mode: 'tags', untagged: 'train' }).error).toMatch(/shorter than the window of 8/);
    expect(plan([clip('a', { complete: false })], { mode: 'tags', untagged: 'train' }).error).toMatch(/No complete clip/);
  });

  it('refuses clips of different frame sizes', () => {
    const p = plan([clip('a'), clip('b', { frameWidth: 320, frameHeight: 160 })], { mode: 'tags', untagged: 'train' });
    expect(p.error).toBe('The chosen clips have different frame sizes (200x66, 320x160); train on clips of one size (leave the others out).');
    expect(plan([clip('a'), clip('b', { frameWidth: 320, frameHeight: 160 })], { mode: 'tags', untagged: 'train' }, 8, ['b']).error).toBeNull();
  });

  it('warns when nothing validates', () => {
    expect(plan([clip('a')], { mode: 'tags', untagged: 'train' }).warnings[0]).toMatch(/No validation clips/);
  });
});

describe('planSplit by hold-out', () => {
  const ten = Array.from({ length: 10 }, (_, i) => clip(`c${i}`, { tag: i < 3 ? 'val' : null, frameCount: 100 + i }));

  it('holds out whole clips, the share asked, ignoring tags', () => {
    const p = plan(ten, { mode: 'holdout', percent: 20, seed: 7 });
    expect(p.valClipIds).toHaveLength(2);
    expect(p.trainClipIds).toHaveLength(8);
    expect([...p.trainClipIds, ...p.valClipIds].sort()).toEqual(ten.map((c) => c.id).sort());
    const frames = p.valClipIds.reduce((s, id) => s + ten.find((c) => c.id === id)!.frameCount, 0);
    expect(p.val.frames).toBe(frames);
  });

  it('is the same for the same seed and differs across seeds', () => {
    const a = plan(ten, { mode: 'holdout', percent: 30, seed: 1 });
    expect(plan(ten, { mode: 'holdout', percent: 30, seed: 1 }).valClipIds).toEqual(a.valClipIds);
    const others = [2, 3, 4, 5, 6].map((seed) => plan(ten, { mode: 'holdout', percent: 30, seed }).valClipIds.join());
    expect(others.some((o) => o !== a.valClipIds.join())).toBe(true);
  });

  it('0% validates nothing; an impossible share is refused', () => {
    expect(plan(ten, { mode: 'holdout', percent: 0, seed: 1 }).valClipIds).toEqual([]);
    expect(plan(ten, { mode: 'holdout', percent: 95, seed: 1 }).error).toMatch(/0\.\.90%/);
    expect(plan(ten, { mode: 'holdout', percent: Number.NaN, seed: 1 }).error).toMatch(/0\.\.90%/);
  });

  it('refuses a hold-out that leaves nothing to train on', () => {
    const p = plan([clip('a'), clip('b')], { mode: 'holdout', percent: 90, seed: 3 });
    expect(p.valClipIds).toEqual(expect.arrayContaining(['a', 'b']));
    expect(p.error).toBe('The training set is empty: hold out a smaller share, or leave more clips in.');
  });
});
