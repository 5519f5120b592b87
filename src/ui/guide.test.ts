// The guide's step logic: what the player did moves it on, never back.
import { describe, expect, it } from 'vitest';
import { guideStepAfter } from './guide.ts';

describe('first-run guide steps', () => {
  it('moves on as the player watches, records, trains and drives their model', () => {
    let s = guideStepAfter('watch', 'autopilot-engaged');
    expect(s).toBe('record');
    s = guideStepAfter(s, 'recording-saved');
    expect(s).toBe('train');
    s = guideStepAfter(s, 'model-trained');
    expect(s).toBe('compare');
    expect(guideStepAfter(s, 'own-model-driving')).toBe('done');
  });

  it('skips ahead when a later step happens first and never goes back', () => {
    expect(guideStepAfter('watch', 'recording-saved')).toBe('train');
    expect(guideStepAfter('compare', 'autopilot-engaged')).toBe('compare'); // the starter again
    expect(guideStepAfter('train', 'recording-saved')).toBe('train');
    expect(guideStepAfter('done', 'autopilot-engaged')).toBe('done');
  });
});
