// Compile-time checks (npm run typecheck) that the worker's and data layer's real types fit the
// panel's contract, so the app passes them through unchanged. The runtime test only keeps
// vitest from calling the file empty.
import { describe, expect, it } from 'vitest';
import type { ClipMeta, ModelMeta } from '../../data/index.ts';
import type { Calibration } from '../../model/backendChoice.ts';
import type { ModelDescription } from '../../model/describe.ts';
import type { TrainEvent, TrainOutcome, TrainRequest, WorkerStatus } from '../../../workers/steeringApi.ts';
import type { BackendInfo, CalibrationLike, ClipInfo, ModelDescriptionLike, ModelInfo, TrainEventLike, TrainOutcomeLike, TrainRequestLike } from './trainingContract.ts';

type Fits<A, B> = [A] extends [B] ? true : false;
const checks: true[] = [
  true as Fits<TrainEvent, TrainEventLike>,
  true as Fits<TrainOutcome, TrainOutcomeLike>,
  true as Fits<TrainRequestLike, TrainRequest>,
  true as Fits<ModelDescription, ModelDescriptionLike>,
  true as Fits<Calibration, CalibrationLike>,
  true as Fits<WorkerStatus, BackendInfo>,
  true as Fits<ClipMeta, ClipInfo>,
  true as Fits<ModelMeta, ModelInfo>,
];

describe('contract', () => {
  it('the real types fit (checked by tsc)', () => {
    expect(checks.every(Boolean)).toBe(true);
  });
});
