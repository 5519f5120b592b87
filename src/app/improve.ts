// "Improve": one round of DAgger with the expert as the teacher. The model drives (steering and
// pedals, lockstep) generated tracks no round drove before, or its training tracks
// (daggerRoundPlan); the expert labels every state the model visits;
// the new clips join the training set and the model is fine-tuned on the aggregate from its own
// weights. Each round reports the model's autonomy during its rollout, so a player sees whether
// rounds help. Pure of DOM and workers: the app injects recording, prediction and training.

import type { ClipMeta, ModelMeta } from '../data/index.ts';
import type { Trainable } from '../model/config.ts';
import type { TrainOutcome, TrainRequest } from '../../workers/steeringApi.ts';
import type { AutoRecordPlan, AutoRecordResult, Learner } from './autoRecord.ts';

export interface ImproveRequest {
  readonly model: Pick<ModelMeta, 'id' | 'name' | 'config'>;
  /** 1-based, for names and messages. */
  readonly round: number;
  /** Where the model drives and the expert labels. */
  readonly trackIds: readonly string[];
  readonly themes: readonly string[];
  /** Simulated minutes of rollout in all. */
  readonly minutes: number;
  /** The training set so far (the rollout's clips are added to it) and the fixed validation set. */
  readonly trainClipIds: readonly string[];
  readonly valClipIds: readonly string[];
  /** The recording's cameras, rate and frame size (as auto-record takes them). */
  readonly recording: Pick<AutoRecordPlan, 'cameras' | 'rateHz' | 'frameWidth' | 'frameHeight' | 'pace' | 'start'>;
  /** Fine-tuning length: seconds of training, and/or the epochs in the model's config. */
  readonly budgetSeconds?: number;
  readonly epochs?: number;
  /** The fine-tune's learning rate (the model's config's otherwise); a cosine schedule's floor is kept at or below it. */
  readonly learningRate?: number;
  /** What the fine-tune updates (ModelConfig training.trainable): every weight unless given. */
  readonly trainable?: Trainable;
  readonly seed?: number;
}

export interface ImproveDeps {
  /** A learner that steers with the saved model `id` (loads it for inference). */
  learner(id: string): Promise<Learner>;
  record(plan: AutoRecordPlan, learner: Learner): Promise<AutoRecordResult>;
  train(req: TrainRequest): Promise<TrainOutcome>;
  onMessage?(text: string): void;
}

export interface ImproveResult {
  /** The rollout: the model's interventions and autonomy on the round's tracks before retraining. */
  readonly rollout: { interventions: number; seconds: number; autonomyPct: number };
  readonly clips: readonly ClipMeta[];
  /** The training set after this round (for the next one). */
  readonly trainClipIds: readonly string[];
  readonly outcome: TrainOutcome;
}

export async function improveRound(req: ImproveRequest, deps: ImproveDeps): Promise<ImproveResult> {
  if (req.trackIds.length === 0 || req.themes.length === 0) throw new Error('DAgger needs at least one track and one theme to drive');
  if (!(req.minutes > 0)) throw new Error('DAgger needs some minutes of driving');
  const say = (t: string): void => deps.onMessage?.(t);
  say(`DAgger round ${req.round}: ${req.model.name} drives ${req.trackIds.length} track${req.trackIds.length === 1 ? '' : 's'}, the expert labels what it sees`);
  const learner = await deps.learner(req.model.id);
  const rec = await deps.record({
    minutes: req.minutes,
    trackIds: req.trackIds,
    themes: req.themes,
    steerNoise: 0,
    weaveRate: 0,
    seed: req.seed ?? req.round,
    namePrefix: `DAgger round ${req.round}`,
    ...req.recording,
  }, learner);
  if (rec.error) throw rec.error;
  if (rec.cancelled) throw new Error('DAgger round cancelled');
  const rollout = rec.learner ?? { interventions: 0, seconds: 0, autonomyPct: 100 };
  say(`DAgger round ${req.round}: autonomy ${rollout.autonomyPct.toFixed(1)}% over ${rollout.seconds.toFixed(0)} s (${rollout.interventions} intervention${rollout.interventions === 1 ? '' : 's'}); retraining on ${rec.clips.length} new clip${rec.clips.length === 1 ? '' : 's'}`);
  const trainClipIds = [...req.trainClipIds, ...rec.clips.map((c) => c.id)];
  const config = withTraining(req.model.config, req.epochs, req.learningRate, req.trainable ?? 'all');
  const outcome = await deps.train({
    name: `${baseName(req.model.name)} + DAgger ${req.round}`,
    config,
    trainClipIds,
    valClipIds: [...req.valClipIds],
    runId: `dagger-${req.model.id}-${req.round}`,
    fromModelId: req.model.id,
    ...(req.budgetSeconds !== undefined ? { budgetSeconds: req.budgetSeconds } : {}),
  });
  return { rollout, clips: rec.clips, trainClipIds, outcome };
}

/** The first seed of the generated tracks DAgger's rounds drive ('fresh'): round r's are FRESH_TRACK_SEED + 100 r + i. */
export const FRESH_TRACK_SEED = 5000;

/**
 * Where round `round` (1-based) drives: by `themes`, every theme on half as many tracks (the
 * default: as many clips), or half the themes, the other half each round (the rounds before
 * 2026-12-07, which swung the model between fast and unsafe after day rounds and slow and safe
 * after night rounds: bench/results/lap-time-probes.md, sixth round); and by `where`
 * - 'fresh' (the default): `maxTracks` generated tracks no round drove before (seeds
 *   FRESH_TRACK_SEED + 100 x round + i, as `bench:autonomy`'s rounds, which every reported figure
 *   comes from). The model meets bends it has not learned by heart: judged on the validation
 *   tracks, three such rounds helped where rounds on the training tracks harmed
 *   (bench/results/dagger-fresh.md);
 * - 'train': half the training tracks, the other half each round, at most `maxTracks` of them,
 *   moving on through the half on later rounds of the same parity.
 */
export function daggerRoundPlan(
  trackIds: readonly string[], themes: readonly string[], round: number,
  opts: { maxTracks?: number; where?: 'fresh' | 'train'; themes?: 'half' | 'all' } = {},
): { trackIds: string[]; themes: string[] } {
  const { where = 'fresh' } = opts;
  const half = <T>(xs: readonly T[]): T[] => xs.filter((_, i) => xs.length < 2 || i % 2 === round % 2);
  const everyTheme = (opts.themes ?? 'all') === 'all' && themes.length >= 2;
  const roundThemes = everyTheme ? [...themes] : half(themes);
  const maxTracks = everyTheme ? Math.ceil((opts.maxTracks ?? 4) / 2) : opts.maxTracks ?? 4;
  if (where === 'fresh') return { trackIds: Array.from({ length: maxTracks }, (_, i) => String(FRESH_TRACK_SEED + 100 * round + i)), themes: roundThemes };
  const tracks = half(trackIds);
  const n = Math.min(maxTracks, tracks.length);
  const first = tracks.length === 0 ? 0 : (Math.floor((round - 1) / 2) * n) % tracks.length;
  return { trackIds: Array.from({ length: n }, (_, i) => tracks[(first + i) % tracks.length]), themes: roundThemes };
}

const DAGGER_SUFFIX = / \+ DAgger (\d+)$/;

/** "Model + DAgger 2" -> "Model", so names do not grow with each round. */
function baseName(name: string): string {
  return name.replace(DAGGER_SUFFIX, '');
}

/** The next round for a model named by earlier rounds: "Model + DAgger 2" -> 3, "Model" -> 1. */
export function nextDaggerRound(name: string): number {
  return Number(DAGGER_SUFFIX.exec(name)?.[1] ?? 0) + 1;
}

function withTraining(config: unknown, epochs: number | undefined, learningRate: number | undefined, trainable: NonNullable<ImproveRequest['trainable']>): unknown {
  if (typeof config !== 'object' || config === null) return config;
  const c = config as { training?: Record<string, unknown> };
  if (epochs === undefined && learningRate === undefined && (c.training?.trainable ?? 'all') === trainable) return config;
  const training: Record<string, unknown> = { ...(c.training ?? {}) };
  // A round updates what it is asked to, never what an earlier head-only round left in the config.
  if (trainable === 'all') delete training.trainable;
  else training.trainable = trainable;
  if (epochs !== undefined) training.epochs = epochs;
  if (learningRate !== undefined) {
    training.learningRate = learningRate;
    const schedule = training.schedule as { minLearningRate?: number } | undefined;
    if (typeof schedule?.minLearningRate === 'number' && schedule.minLearningRate > learningRate) training.schedule = { ...schedule, minLearningRate: learningRate };
  }
  return { ...c, training };
}
