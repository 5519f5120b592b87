import { describe, expect, it } from 'vitest';
import { estimateAutoRecord, LARGE_RECORDING_BYTES, recordingSizeWarning } from './autoRecord.ts';

const mb = (b: number): string => `${Math.round(b / 1e6)} MB`;

describe('the size warning before a recording', () => {
  it('is silent for a small recording that fits', () => {
    expect(recordingSizeWarning(50e6, 1e9, mb)).toBeNull();
    expect(recordingSizeWarning(50e6, null, mb)).toBeNull();
  });

  it('warns past the large threshold, and names the free space when it does not fit', () => {
    expect(recordingSizeWarning(LARGE_RECORDING_BYTES + 1, null, mb)).toMatch(/large recording/);
    expect(recordingSizeWarning(2e9, 1e9, mb)).toBe('more than the 1000 MB free');
  });

  it('ten minutes at 20 Hz with side cameras is large; one minute of centre camera is not', () => {
    const req = (minutes: number, sideCameras: boolean) => {
      const base = { minutes, tracks: { kind: 'current' as const }, themes: ['day'], steerNoiseG: 0, weaveRatePerS: 0, frameWidth: 200, frameHeight: 66, rateHz: 20, seed: 1 };
      return { ...base, sideCameras: sideCameras ? { lateralM: 0.8, yawRad: 0.05 } : null } as Parameters<typeof estimateAutoRecord>[0];
    };
    expect(recordingSizeWarning(estimateAutoRecord(req(10, true)).bytes, null, mb)).toMatch(/large/);
    expect(recordingSizeWarning(estimateAutoRecord(req(1, false)).bytes, null, mb)).toBeNull();
  });
});
