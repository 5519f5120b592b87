// What the overlays ask the worker for, given the toggles.
import { describe, expect, it } from 'vitest';
import { overlayRequest } from './overlaysFeature.ts';

describe('overlay requests', () => {
  it('asks for nothing when every overlay is off, and only for what is on', () => {
    expect(overlayRequest({ saliency: false, layers: false, gates: false }, 'vbp', -1)).toBeNull();
    expect(overlayRequest({ saliency: true, layers: false, gates: false }, 'vbp', 1)).toEqual({ saliency: 'vbp', featureChannels: 0, gates: false });
    expect(overlayRequest({ saliency: true, layers: false, gates: false }, 'gradcam', 1)).toEqual({ saliency: 'gradcam', gradcamLayer: 1, featureChannels: 0, gates: false });
    expect(overlayRequest({ saliency: false, layers: true, gates: true }, 'gradcam', 1)).toEqual({ saliency: null, featureChannels: 16, gates: true });
  });
});
