// The growing training set (growingClipSet.ts): fuzzed arrivals interleaved with epochs never put
// a validation clip in an epoch's training list, every clip that may train joins from the next
// epoch that begins and stays, an epoch's list never changes once asked; and the choice of the
// validation clips at the start (first clip of each track and theme with two or more).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chooseValidation, GrowingClipSet, type OfferedClip } from './growingClipSet.ts';

const W = 16;
const H = 12;
const clip = (id: string, o: Partial<OfferedClip> = {}): OfferedClip => ({ id, frameWidth: W, frameHeight: H, complete: true, tag: null, ...o });

/** A run's events: clips offered (ids from a small pool, so repeats and validation ids come back) and epochs beginning. */
const events = fc.array(
  fc.oneof(
    fc.record({
      kind: fc.constant('offer' as const),
      clips: fc.array(fc.record({
        id: fc.integer({ min: 0, max: 15 }).map((i) => `c${i}`),
        complete: fc.boolean(), wide: fc.boolean(), val: fc.boolean(),
      }, { requiredKeys: ['id', 'complete', 'wide', 'val'] }), { maxLength: 5 }),
    }),
    fc.record({ kind: fc.constant('epoch' as const) }),
  ),
  { maxLength: 30 },
);

describe('GrowingClipSet', () => {
  it('never lists a validation clip for training, whatever arrives when; a clip that may train joins at the next epoch and stays', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 15 }), { minLength: 2, maxLength: 8 }), fc.integer({ min: 1, max: 3 }), events, (start, nVal, evs) => {
        const val = start.slice(0, Math.min(nVal, start.length - 1)).map((i) => `c${i}`);
        const train = start.slice(val.length).map((i) => `c${i}`);
        const set = new GrowingClipSet({ train, val, frameWidth: W, frameHeight: H });
        const valIds = new Set(val);
        const taggedVal = new Set<string>();
        const mayTrain = new Set(train); // every clip that joined
        let epoch = 0;
        const lists: (readonly string[])[] = [set.trainingClips(epoch)];
        const check = (list: readonly string[]): void => {
          for (const id of list) {
            expect(valIds.has(id)).toBe(false);
            expect(taggedVal.has(id) && !mayTrain.has(id)).toBe(false);
          }
          expect(new Set(list).size).toBe(list.length);
        };
        check(lists[0]);
        for (const e of evs) {
          if (e.kind === 'offer') {
            const offered = e.clips.map((c) => clip(c.id, { complete: c.complete, frameWidth: c.wide ? W * 2 : W, tag: c.val ? 'val' : null }));
            const { joined, refused } = set.offer(offered);
            for (const c of offered) if (c.tag === 'val') taggedVal.add(c.id);
            for (const id of joined) {
              // Only a complete clip of the run's size, neither validation nor present, joins.
              expect(valIds.has(id) || mayTrain.has(id)).toBe(false);
              expect(offered.some((c) => c.id === id && c.tag !== 'val' && c.complete && c.frameWidth === W)).toBe(true);
              mayTrain.add(id);
            }
            expect(joined.length + refused.length).toBe(offered.length);
            // The current epoch's list does not change when clips arrive.
            expect(set.trainingClips(epoch)).toBe(lists[epoch]);
          } else {
            epoch++;
            const list = set.trainingClips(epoch);
            check(list);
            expect([...list].sort()).toEqual([...mayTrain].sort()); // everything joined so far, nothing else
            expect(list.slice(0, lists[epoch - 1].length)).toEqual(lists[epoch - 1]); // clips stay, in joining order
            lists.push(list);
          }
        }
        // Asked again, each epoch gives its own list.
        lists.forEach((l, i) => expect(set.trainingClips(i)).toBe(l));
      }),
      { numRuns: 300 },
    );
  });

  it('refuses training and validation sharing a clip, and says why each offered clip was refused', () => {
    expect(() => new GrowingClipSet({ train: ['a', 'b'], val: ['b'], frameWidth: W, frameHeight: H })).toThrow(/both training and validation/);
    const set = new GrowingClipSet({ train: ['a'], val: ['v'], frameWidth: W, frameHeight: H });
    const r = set.offer([clip('v'), clip('a'), clip('r', { complete: false }), clip('w', { frameHeight: H + 1 }), clip('t', { tag: 'val' }), clip('n'), clip('n')]);
    expect(r.joined).toEqual(['n']);
    expect(r.refused).toEqual([
      { id: 'v', why: 'validation' }, { id: 'a', why: 'present' }, { id: 'r', why: 'incomplete' },
      { id: 'w', why: 'frame-size' }, { id: 't', why: 'validation' }, { id: 'n', why: 'present' },
    ]);
    // A clip being recorded joins once complete.
    expect(set.offer([clip('r')]).joined).toEqual(['r']);
  });
});

describe('chooseValidation', () => {
  const m = (id: string, trackId: string, theme: string, tag: 'train' | 'val' | null = null) => ({ id, trackId, theme, tag });

  it('takes the first clip of each track and theme that has two or more, earliest groups first, up to the cap', () => {
    const clips = [m('a1', 'oval', 'day'), m('b1', 'hills', 'day'), m('a2', 'oval', 'day'), m('c1', 'oval', 'night'), m('b2', 'hills', 'day'), m('c2', 'oval', 'night')];
    expect(chooseValidation(clips, 8)).toEqual(['a1', 'b1', 'c1']);
    expect(chooseValidation(clips, 2)).toEqual(['a1', 'b1']);
    expect(chooseValidation(clips.slice(0, 2), 8)).toEqual([]); // one clip per place: all train
  });

  it("keeps the player's tags: 'val' always validates, 'train' never does", () => {
    const clips = [m('a1', 'oval', 'day', 'train'), m('a2', 'oval', 'day'), m('a3', 'oval', 'day'), m('v', 'hills', 'day', 'val')];
    expect(chooseValidation(clips, 0)).toEqual(['v']);
    expect(chooseValidation(clips, 5)).toEqual(['v', 'a2']);
  });
});
