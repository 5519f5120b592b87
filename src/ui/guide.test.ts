// The guide's step logic: what the player did moves it on, never back.
import { describe, expect, it } from 'vitest';
import { guideStepActions, guideStepAfter, guideStepNumber, guideVerdictSentence, trainedEvent } from './guide.ts';
import { baseComparisonSentence } from './training/format.ts';

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

  it('moves on to "Your model drives" only when the model beats driving straight on held-out clips', () => {
    expect(trainedEvent('good', true)).toBe('model-trained');
    expect(trainedEvent('meh', true)).toBe('model-trained');
    expect(trainedEvent('worse', true)).toBe('model-not-ready');
    expect(trainedEvent(null, true)).toBe('model-not-ready');
    // Without a held-out clip nothing shows it drives, whatever its training error says.
    expect(trainedEvent('good', false)).toBe('model-unchecked');
    expect(guideStepAfter('train', trainedEvent('worse', true))).toBe('improve');
    expect(guideStepAfter('train', trainedEvent('good', false))).toBe('improve');
    expect(guideStepAfter('train', trainedEvent('good', true))).toBe('compare');
  });

  it('after a model that is not ready: record more, train again, then on to the model driving', () => {
    let s = guideStepAfter('train', 'model-not-ready');
    expect(s).toBe('improve');
    expect(guideStepNumber('improve')).toBe(guideStepNumber('train'));
    expect(guideStepAfter(s, 'autopilot-engaged')).toBe('improve'); // the starter again
    expect(guideStepAfter(s, 'own-model-driving')).toBe('improve'); // driving the unready model
    expect(guideStepAfter(s, 'model-not-ready')).toBe('improve'); // trained again, still not ready
    s = guideStepAfter(s, 'recording-saved');
    expect(s).toBe('train');
    s = guideStepAfter(s, 'model-trained');
    expect(s).toBe('compare');
    expect(guideStepAfter(s, 'own-model-driving')).toBe('done');
    expect(guideStepAfter('improve', 'model-trained')).toBe('compare');
  });

  it('a later model that is not ready does not take back a model that drives', () => {
    expect(guideStepAfter('compare', 'model-not-ready')).toBe('compare');
    expect(guideStepAfter('done', 'model-unchecked')).toBe('done');
    // Earlier steps skip ahead to 'improve' (a player who trained before watching).
    expect(guideStepAfter('watch', 'model-not-ready')).toBe('improve');
    expect(guideStepAfter('record', 'model-unchecked')).toBe('improve');
  });

  it('where it asks for more recording, a second button has the expert record in one click', () => {
    expect(guideStepActions('improve', 'worse')).toEqual(['record', 'auto-record']);
    expect(guideStepActions('improve', 'unchecked')).toEqual(['record', 'auto-record']);
    expect(guideStepActions('watch', 'worse')).toEqual(['watch']);
    expect(guideStepActions('train', 'worse')).toEqual(['train']);
    // Auto-recorded clips count as recording saved: back to training.
    expect(guideStepAfter('improve', 'recording-saved')).toBe('train');
  });
});

describe("the guide's sentence after training", () => {
  const fig = (rmse: number, baseline = 0.2) => ({ rmse, baseline });
  const check = (own: number, base: number | null, opts: { heldOut?: boolean; starter?: boolean } = {}) => ({
    verdict: null,
    heldOut: opts.heldOut ?? true,
    steering: fig(own),
    base: base === null ? null : { ...fig(base), starter: opts.starter ?? true },
  });

  it('says the starter alone against the fine-tune, on the same held-out clip, and what it means', () => {
    expect(guideVerdictSentence(check(0.136, 0.146))).toBe(
      "The starter alone: 73% of driving straight's steering error; yours: 68%: your driving made it better.");
    expect(guideVerdictSentence(check(0.146, 0.144))).toBe(
      "The starter alone: 72% of driving straight's steering error; yours: 73%: about the same: more laps with curves should help.");
    expect(guideVerdictSentence(check(0.18, 0.1))).toBe(
      "The starter alone: 50% of driving straight's steering error; yours: 90%: the starter drives better alone for now.");
    expect(guideVerdictSentence(check(0.1, 0.18, { starter: false }))).toMatch(/^The model you started from alone: 90% .* yours: 50%: your driving made it better\.$/);
  });

  it('gives the same figures as the Training panel', () => {
    const panel = baseComparisonSentence(fig(0.131), fig(0.0771), 'the starter model');
    const [b, o] = /alone (\d+%), yours (\d+%)/.exec(panel)!.slice(1);
    expect(guideVerdictSentence(check(0.0771, 0.131))).toContain(`The starter alone: ${b} of driving straight's steering error; yours: ${o}:`);
  });

  it("without a base model: the player's model alone against driving straight", () => {
    expect(guideVerdictSentence(check(0.16, null))).toBe("Your model: 80% of driving straight's steering error on the lap it never saw: it beats driving straight.");
    expect(guideVerdictSentence(check(0.24, null))).toMatch(/120% .*: driving straight still does better\.$/);
    // A base without figures is no comparison.
    expect(guideVerdictSentence({ ...check(0.16, null), base: { rmse: null, baseline: 0.2, starter: true } })).toMatch(/^Your model: 80%/);
  });

  it('says nothing when nothing was measured on held-out clips', () => {
    expect(guideVerdictSentence(check(0.1, 0.15, { heldOut: false }))).toBeNull();
    expect(guideVerdictSentence({ verdict: null, heldOut: true, steering: { rmse: Number.NaN, baseline: 0.2 } })).toBeNull();
    expect(guideVerdictSentence({ verdict: null, heldOut: true, steering: { rmse: 0.1, baseline: 0 } })).toBeNull();
    expect(guideVerdictSentence({ verdict: null, heldOut: true })).toBeNull();
  });
});
