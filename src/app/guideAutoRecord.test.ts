import { describe, expect, it } from 'vitest';
import { GUIDE_AUTO_MINUTES, GUIDE_CURVY_TRACK, guideAutoRecordPlan } from './guideAutoRecord.ts';

describe("the guide's one-click auto-record", () => {
  it("records in the player's frame size and rate, on the track on screen and a curvy preset", () => {
    const p = guideAutoRecordPlan({ trackId: 'oval', theme: 'dusk', frame: { width: 160, height: 64 }, rateHz: 15, seed: 7 });
    expect(p).toMatchObject({ minutes: GUIDE_AUTO_MINUTES, trackIds: ['oval', GUIDE_CURVY_TRACK], themes: ['dusk'], frameWidth: 160, frameHeight: 64, rateHz: 15, seed: 7 });
    expect(p.cameras).toHaveLength(1);
    expect(p.steerNoise).toBeGreaterThan(0); // recoveries to learn from
    expect(p.weaveRate).toBeGreaterThan(0);
    expect(p.speedNoise).toBeGreaterThan(0); // and speeds off the expert's own plan
    // Already on the curvy preset: not twice.
    expect(guideAutoRecordPlan({ trackId: GUIDE_CURVY_TRACK, theme: 'day', frame: { width: 200, height: 66 }, rateHz: 20, seed: 1 }).trackIds).toEqual([GUIDE_CURVY_TRACK]);
  });
});
