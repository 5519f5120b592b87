// A training set that grows while a run trains (issue 15, "overlap the phases"): auto-record keeps
// adding clips, and each epoch trains on the clips that had joined when it began, so a clip
// recorded during epoch e trains from epoch e+1 on. The validation clips are fixed when the set
// is made (the run's start) and never train: a clip offered later is refused if it validates, is
// tagged 'val', is already in, is still being recorded or has another frame size. An epoch's
// clip list, once asked, stays the same (its batches are reproducible). Pure: ids and metas only.

import type { ClipMeta } from './clipTypes.ts';
import { DataError } from './dataErrors.ts';

/** What the set needs to know of a clip offered to it. */
export type OfferedClip = Pick<ClipMeta, 'id' | 'frameWidth' | 'frameHeight' | 'complete' | 'tag'>;

export interface OfferResult {
  /** Ids that joined, in order: they train from the next epoch that begins. */
  readonly joined: readonly string[];
  /** Ids refused and why (a validation clip, already in, still recording, another frame size). */
  readonly refused: readonly { readonly id: string; readonly why: 'validation' | 'present' | 'incomplete' | 'frame-size' }[];
}

/**
 * Validation clips chosen when a run starts: the first clip (in the given order) of each track and
 * theme that has at least two clips, so every such place keeps clips to train on; at most
 * `maxClips`, earliest groups first. Clips tagged 'train' never validate, clips tagged 'val' always
 * do (and do not count toward the cap).
 */
export function chooseValidation(clips: readonly Pick<ClipMeta, 'id' | 'trackId' | 'theme' | 'tag'>[], maxClips: number): string[] {
  const tagged = clips.filter((c) => c.tag === 'val').map((c) => c.id);
  const free = clips.filter((c) => c.tag === null);
  const groups = new Map<string, string[]>();
  for (const c of free) {
    const key = JSON.stringify([c.trackId, c.theme]);
    const g = groups.get(key);
    if (g) g.push(c.id);
    else groups.set(key, [c.id]);
  }
  const firsts = [...groups.values()].filter((g) => g.length >= 2).map((g) => g[0]);
  return [...tagged, ...firsts.slice(0, Math.max(0, maxClips))];
}

export class GrowingClipSet {
  readonly val: readonly string[];
  readonly frameWidth: number;
  readonly frameHeight: number;
  readonly #valIds: ReadonlySet<string>;
  /** Training clips in joining order. */
  readonly #train: string[] = [];
  readonly #present = new Set<string>();
  /** Each epoch's list, fixed when first asked. */
  readonly #epochs = new Map<number, readonly string[]>();

  /** `train` and `val` must not share a clip; the frame size is that of every clip (the run's). */
  constructor(o: { readonly train: readonly string[]; readonly val: readonly string[]; readonly frameWidth: number; readonly frameHeight: number }) {
    this.val = [...new Set(o.val)];
    this.#valIds = new Set(this.val);
    this.frameWidth = o.frameWidth;
    this.frameHeight = o.frameHeight;
    const both = o.train.filter((id) => this.#valIds.has(id));
    if (both.length > 0) throw new DataError('invalid-input', `clips ${both.join(', ')} are both training and validation clips`);
    for (const id of o.train) this.#join(id);
  }

  /** Training clips so far (those that joined after the last epoch began included). */
  get trainIds(): readonly string[] {
    return [...this.#train];
  }

  /** Offers clips (e.g. every clip in the library, or those recorded since the run started); those that may train join. */
  offer(clips: readonly OfferedClip[]): OfferResult {
    const joined: string[] = [];
    const refused: { id: string; why: OfferResult['refused'][number]['why'] }[] = [];
    for (const c of clips) {
      const why = this.#valIds.has(c.id) || c.tag === 'val' ? 'validation'
        : this.#present.has(c.id) ? 'present'
          : !c.complete ? 'incomplete'
            : c.frameWidth !== this.frameWidth || c.frameHeight !== this.frameHeight ? 'frame-size'
              : null;
      if (why) {
        refused.push({ id: c.id, why });
      } else {
        this.#join(c.id);
        joined.push(c.id);
      }
    }
    return { joined, refused };
  }

  /** The training clips of epoch `epoch`: every clip that had joined when it was first asked, the same list on every later ask. */
  trainingClips(epoch: number): readonly string[] {
    let list = this.#epochs.get(epoch);
    if (!list) this.#epochs.set(epoch, (list = [...this.#train]));
    return list;
  }

  #join(id: string): void {
    if (this.#present.has(id)) return;
    this.#present.add(id);
    this.#train.push(id);
  }
}
