// Which clips train and which validate: by the library's tags, or a seeded hold-out of whole
// clips, over the clips the player left in; with the frame and example counts the panel shows
// and the reason a split cannot train. Pure: the split itself is the data layer's splitClips.

import type { ClipMeta } from '../../data/index.ts';
import { splitClips } from '../../data/index.ts';
import type { ClipInfo } from './trainingContract.ts';

export type SplitChoice =
  /** train = tagged 'train', val = tagged 'val'; untagged clips go where `untagged` says. */
  | { readonly mode: 'tags'; readonly untagged: 'train' | 'val' | 'skip' }
  /** Tags ignored: `percent` of the clips (whole clips, seeded) validate, the rest train. */
  | { readonly mode: 'holdout'; readonly percent: number; readonly seed: number };

export const DEFAULT_SPLIT: SplitChoice = { mode: 'tags', untagged: 'train' };
export const MAX_HOLDOUT_PERCENT = 90;

export type ClipRole = 'train' | 'val' | 'unused';

export interface ClipPlan {
  readonly id: string;
  readonly role: ClipRole;
  /** Why an unused clip is unused. */
  readonly reason: string | null;
  readonly frames: number;
  /** Windows it yields (every camera counts). */
  readonly examples: number;
}

export interface SetCounts {
  readonly clips: number;
  readonly frames: number;
  readonly examples: number;
}

export interface SplitPlan {
  readonly trainClipIds: string[];
  readonly valClipIds: string[];
  /** One per clip, in the clips' order. */
  readonly clips: ClipPlan[];
  readonly train: SetCounts;
  readonly val: SetCounts;
  /** Why training cannot start with this split, or null. */
  readonly error: string | null;
  /** Things that allow training but the player should know. */
  readonly warnings: string[];
}

/** splitClips reads a clip's id and tag only. */
const asMetas = (clips: readonly ClipInfo[]): readonly ClipMeta[] => clips as readonly ClipMeta[];

/** Examples a clip yields with windows of `framesPerExample`: one per window end, per camera. */
export function clipExamples(clip: Pick<ClipInfo, 'frameCount' | 'cameras'>, framesPerExample: number): number {
  const cameras = Math.max(1, clip.cameras?.length ?? 1);
  return cameras * Math.max(0, clip.frameCount - framesPerExample + 1);
}

/** Splits the usable clips by the choice. `excluded`: clips the player unticked. */
export function planSplit(input: {
  readonly clips: readonly ClipInfo[];
  readonly excluded: ReadonlySet<string>;
  readonly choice: SplitChoice;
  /** Frames per example: the window T, 1 for the single-frame CNN. */
  readonly framesPerExample: number;
}): SplitPlan {
  const { clips, excluded, choice } = input;
  const T = Math.max(1, input.framesPerExample);
  const reasons = new Map<string, string>();
  const usable: ClipInfo[] = [];
  for (const c of clips) {
    if (!c.complete) reasons.set(c.id, 'incomplete (recover it in the Library)');
    else if (excluded.has(c.id)) reasons.set(c.id, 'left out');
    else if (c.frameCount < T) reasons.set(c.id, `shorter than the window (${c.frameCount} < ${T} frames)`);
    else usable.push(c);
  }
  const warnings: string[] = [];
  let split: { train: string[]; val: string[] };
  let error: string | null = null;
  if (choice.mode === 'tags') {
    split = splitClips(asMetas(usable), { by: 'tag', untagged: choice.untagged });
    if (choice.untagged === 'skip') for (const c of usable) if (c.tag === null) reasons.set(c.id, 'untagged');
  } else if (!(choice.percent >= 0 && choice.percent <= MAX_HOLDOUT_PERCENT)) {
    split = { train: [], val: [] };
    error = `The hold-out must be 0..${MAX_HOLDOUT_PERCENT}% of the clips.`;
  } else {
    split = splitClips(asMetas(usable.map((c) => ({ ...c, tag: null }))), { by: 'fraction', valFraction: choice.percent / 100, seed: choice.seed });
  }
  const role = new Map<string, ClipRole>();
  for (const id of split.train) role.set(id, 'train');
  for (const id of split.val) role.set(id, 'val');
  const plans: ClipPlan[] = clips.map((c) => {
    const r = role.get(c.id) ?? 'unused';
    return {
      id: c.id,
      role: r,
      reason: r === 'unused' ? (reasons.get(c.id) ?? 'not chosen') : null,
      frames: c.frameCount,
      examples: c.complete ? clipExamples(c, T) : 0,
    };
  });
  const counts = (r: ClipRole): SetCounts => {
    const of = plans.filter((p) => p.role === r);
    return { clips: of.length, frames: of.reduce((s, p) => s + p.frames, 0), examples: of.reduce((s, p) => s + p.examples, 0) };
  };
  const train = counts('train');
  const val = counts('val');
  // Keep the training set's ids in library order, so a run's request reads naturally.
  const order = (ids: readonly string[]): string[] => clips.map((c) => c.id).filter((id) => ids.includes(id));

  if (!error) error = emptyTrainingMessage(clips, usable, choice, train, val, T);
  if (!error) {
    const chosen = clips.filter((c) => role.has(c.id));
    const sizes = [...new Set(chosen.map((c) => `${c.frameWidth}x${c.frameHeight}`))];
    if (sizes.length > 1) error = `The chosen clips have different frame sizes (${sizes.join(', ')}); train on clips of one size (leave the others out).`;
  }
  if (!error && val.clips === 0) {
    warnings.push('No validation clips: the loss and RMSE shown, and early stopping, use the training set, which flatters the model.');
  }
  return { trainClipIds: order(split.train), valClipIds: order(split.val), clips: plans, train, val, error, warnings };
}

function emptyTrainingMessage(clips: readonly ClipInfo[], usable: readonly ClipInfo[], choice: SplitChoice, train: SetCounts, val: SetCounts, T: number): string | null {
  if (train.clips > 0 && train.examples > 0) return null;
  if (clips.length === 0) return 'No clips yet: record some driving in Record mode (or import clips in the Library) first.';
  if (usable.length === 0) {
    const complete = clips.filter((c) => c.complete);
    if (complete.length === 0) return 'No complete clip: recover or finish a recording in the Library first.';
    if (complete.every((c) => c.frameCount < T)) return `Every clip is shorter than the window of ${T} frames: record longer clips or shorten the window.`;
    return 'Every clip is left out: tick at least one to train on.';
  }
  if (choice.mode === 'tags') {
    if (choice.untagged === 'skip') return "No clip is tagged 'train': tag some in the Library, or count untagged clips as training.";
    if (choice.untagged === 'val') return "No clip trains: untagged clips go to validation and none is tagged 'train'.";
    return val.clips > 0 ? "Every clip is tagged 'val': tag some 'train' in the Library, or hold out a share instead." : 'The training set is empty.';
  }
  return 'The training set is empty: hold out a smaller share, or leave more clips in.';
}
