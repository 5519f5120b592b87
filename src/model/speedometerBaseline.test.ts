// The speedometer baseline: a model fed the measured speed is judged against "hold the present
// speed" as well as against the constant predictor (which ignores the speedometer). On a car
// that gains 2 m/s every second, the label "the speed 1 s ahead" is the present speed + 2 m/s,
// except in the clip's last second, where it is the last speed recorded; read at the wrong
// frame of a 3-frame window, every difference would be 0.2 m/s larger.
import 'fake-indexeddb/auto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Meters, MetersPerSecond, Radians, Ticks } from '../core/units.ts';
import { openClipStore, type ClipStore } from '../data/clipStore.ts';
import { CENTER_CAMERA } from '../data/clipTypes.ts';
import type { ConfigOverrides } from './config.ts';
import { initBackend } from './tfSetup.ts';
import { tinyConfig, trainOnClips } from './testKit.ts';

beforeAll(async () => {
  await initBackend('cpu');
});

const W = 16;
const H = 12;
const RATE = 20;
const STEPS = 120;
const speedAt = (i: number): number => 5 + (2 * i) / RATE;

/** RMSE of the present speed against the speed 1 s on (the last one near the end) over windows of T frames. */
function expected(T: number): number {
  let sum = 0;
  let n = 0;
  for (let end = T - 1; end < STEPS; end++, n++) sum += (speedAt(Math.min(end + RATE, STEPS - 1)) - speedAt(end)) ** 2;
  return Math.sqrt(sum / n);
}

async function accelerating(store: ClipStore, seed: number): Promise<string> {
  const writer = await store.startRecording({
    name: `ramp ${seed}`, createdAt: 1_700_000_000_000 + seed, trackId: 'oval', theme: 'day', simVersion: 'test-1',
    rateHz: RATE, frameWidth: W, frameHeight: H, cameras: [CENTER_CAMERA],
  });
  for (let i = 0; i < STEPS; i++) {
    writer.append({
      frames: [new Uint8Array(W * H * 3).fill((i * 7 + seed * 31) & 255)],
      labels: {
        tick: (i * 3) as Ticks, steer: 0, steerRad: 0 as Radians, speed: speedAt(i) as MetersPerSecond, torque: 0, brake: 0,
        x: 0 as Meters, y: 0 as Meters, heading: 0 as Radians, lateralOffset: 0 as Meters, headingError: 0 as Radians,
        curvatureAhead: 0, lapProgress: 0, driver: 'human',
      },
    });
  }
  return (await writer.finish()).id;
}

async function speedometerRmse(overrides: ConfigOverrides): Promise<number | undefined> {
  const store = await openClipStore({ name: `speedometer-${Math.random()}`, storage: null });
  const train = [await accelerating(store, 1), await accelerating(store, 2)];
  const val = [await accelerating(store, 3)];
  const config = tinyConfig({ heads: { speedAheadS: 1 }, training: { epochs: 1 }, ...overrides });
  try {
    return (await trainOnClips(store, config, train, val)).history[0].speedometerRmse;
  } finally {
    store.close();
  }
}

describe('the speedometer baseline', () => {
  it('is the speed label against the last measured speed of each window, for the CNN and the CNN+LSTM', async () => {
    expect(await speedometerRmse({ input: { speed: true }, sequence: { kind: 'cnn' } })).toBeCloseTo(expected(1), 4);
    expect(await speedometerRmse({ input: { speed: true }, sequence: { kind: 'cnn_lstm', window: 3 } })).toBeCloseTo(expected(3), 4);
  });

  it('is not given for a model that does not read the speed', async () => {
    expect(await speedometerRmse({ input: { speed: false }, sequence: { kind: 'cnn' } })).toBeUndefined();
  });
});
