// The first-run guide's one-click auto-record: what the expert records when a newcomer presses
// "Let the expert record" on the guide's record-more step (src/ui/guide.ts), instead of finding
// Library > Auto-record. The clips must train together with the player's own, so they take the
// player's recording settings (dash frame size and recording rate); they add curves (the track
// on screen and a curvy preset) with the Library form's default steering noise, weaving and
// speed noise, so the model sees recoveries. Pure: the app runs the plan (libraryFeature.runAutoRecord).

import { CENTER_CAMERA } from '../data/index.ts';
import { DEFAULT_SPEED_NOISE } from '../ui/library/autoRecord.ts';
import type { AutoRecordPlan } from './autoRecord.ts';

/** Simulated minutes the guide's auto-record drives in all (split over its tracks). */
export const GUIDE_AUTO_MINUTES = 1;
/** The curvy preset added to the track on screen. */
export const GUIDE_CURVY_TRACK = 'kidney';
/** The Library form's defaults (src/ui/library/autoRecordForm.ts): g of steering noise, weaves per second. */
const STEER_NOISE_G = 0.05;
const WEAVE_RATE_PER_S = 0.05;

export interface GuideAutoRecordInput {
  /** The track on screen (the player's own clips are likely on it). */
  readonly trackId: string;
  /** The scenery theme on screen. */
  readonly theme: string;
  /** The dash camera's frame size, px: the player's recordings' size. */
  readonly frame: { readonly width: number; readonly height: number };
  /** The player's recording rate, Hz (Settings). */
  readonly rateHz: number;
  readonly seed: number;
}

export function guideAutoRecordPlan(input: GuideAutoRecordInput): AutoRecordPlan {
  const trackIds = input.trackId === GUIDE_CURVY_TRACK ? [input.trackId] : [input.trackId, GUIDE_CURVY_TRACK];
  return {
    minutes: GUIDE_AUTO_MINUTES,
    trackIds,
    themes: [input.theme],
    steerNoise: STEER_NOISE_G,
    weaveRate: WEAVE_RATE_PER_S,
    speedNoise: DEFAULT_SPEED_NOISE,
    cameras: [CENTER_CAMERA],
    rateHz: input.rateHz,
    frameWidth: input.frame.width,
    frameHeight: input.frame.height,
    seed: input.seed,
  };
}
