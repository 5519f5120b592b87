// A BatchSource over a set of clips that grows while the run trains (issue 15, "overlap the
// phases"): when made and at the start of every later epoch it asks `discover` for the clips there
// are now (auto-record adds them), offers them to the data layer's GrowingClipSet (which refuses validation clips,
// clips still being recorded, and other frame sizes), and trains that epoch on the set's list
// for it, through a dataset batch source rebuilt when the list changed. Validation clips are the
// set's, fixed when it was made; its validation source is built once over them.
//
// What train.ts reads once at the start stays that of the first clips: the targets() for the
// normalisation, the baselines and the steer-bin weights. exampleCount follows the epoch being
// trained (train.ts reads it per step for the progress and the learning-rate schedule).

import type { ClipSource } from '../data/clipStore.ts';
import type { GrowingClipSet, OfferedClip, OfferResult } from '../data/growingClipSet.ts';
import { type BatchSource, createDatasetBatchSource, type TrainingBatch } from './batchSource.ts';
import type { ModelConfig } from './config.ts';
import { ModelError } from './modelErrors.ts';

export interface GrowingBatchSourceOptions {
  readonly source: ClipSource;
  readonly clips: GrowingClipSet;
  readonly config: ModelConfig;
  /** The clips there are now (e.g. those recorded since the run started); called when made and before every later epoch. Absent: the set grows only through its offer(). */
  readonly discover?: () => Promise<readonly OfferedClip[]>;
  /** Clips that join (from `epoch` on) or are refused when an epoch begins (the run tells the player); each refusal told once. */
  readonly onOffer?: (epoch: number, result: OfferResult) => void;
  readonly cacheChunks?: number;
}

export interface GrowingBatchSource extends BatchSource {
  /** The training clips of the epoch trained last (or of the first, before any). */
  readonly clipIds: readonly string[];
}

export async function createGrowingBatchSource(o: GrowingBatchSourceOptions): Promise<GrowingBatchSource> {
  /** Refusals told already (a clip of another size is found again every epoch). */
  const told = new Set<string>();
  /** Offers what discover() finds now; what joins trains from `epoch` on. */
  async function offer(epoch: number): Promise<void> {
    if (!o.discover) return;
    const result = o.clips.offer(await o.discover());
    // Not news: clips already in, and the run's own validation clips.
    const news = result.refused.filter((r) => r.why !== 'present' && !(r.why === 'validation' && o.clips.val.includes(r.id)));
    const refused = news.filter((r) => !told.has(`${r.id} ${r.why}`));
    for (const r of refused) told.add(`${r.id} ${r.why}`);
    if (result.joined.length > 0 || refused.length > 0) o.onOffer?.(epoch, { joined: result.joined, refused });
  }
  const build = (clipIds: readonly string[]): Promise<BatchSource> => createDatasetBatchSource({
    source: o.source, clipIds, config: o.config, shuffle: true, ...(o.cacheChunks ? { cacheChunks: o.cacheChunks } : {}),
  });
  await offer(0);
  let ids = o.clips.trainingClips(0);
  if (ids.length === 0) throw new ModelError('invalid-input', 'choose at least one clip to train on');
  const first = await build(ids);
  let current = first;
  if (first.frameWidth !== o.clips.frameWidth || first.frameHeight !== o.clips.frameHeight) {
    throw new ModelError('invalid-input', `the clips are ${first.frameWidth}x${first.frameHeight}, the set takes ${o.clips.frameWidth}x${o.clips.frameHeight}`);
  }

  /** The source of epoch `epoch`'s clips (epoch 0's was made with the source), after offering what discover() finds. */
  async function sourceFor(epoch: number): Promise<BatchSource> {
    if (epoch > 0) await offer(epoch);
    const next = o.clips.trainingClips(epoch);
    if (!sameList(next, ids)) {
      current = await build(next);
      ids = next;
    }
    return current;
  }

  return {
    frameWidth: first.frameWidth,
    frameHeight: first.frameHeight,
    window: first.window,
    hasCurvature: first.hasCurvature,
    get exampleCount() {
      return current.exampleCount;
    },
    get clipIds() {
      return ids;
    },
    async *batches(epoch: number): AsyncGenerator<TrainingBatch> {
      yield* (await sourceFor(epoch)).batches(epoch);
    },
    targets: () => first.targets(),
  };
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
