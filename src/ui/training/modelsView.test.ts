import { describe, expect, it } from 'vitest';
import { kindLabel, speedFigures, steeringFigures } from './modelsView.ts';

describe('steeringFigures', () => {
  it('reads the validation steering RMSE and its baseline from a model\'s metrics', () => {
    const metrics = {
      valRmse: { steering: 0.061, speed: 1, torque: 0.1 }, baselineRmseVal: { steering: 0.182, speed: 3, torque: 0.3 },
      trainRmse: { steering: 0.05, speed: 1, torque: 0.1 }, baselineRmseTrain: { steering: 0.17, speed: 3, torque: 0.3 },
    };
    expect(steeringFigures(metrics)).toEqual({ rmse: 0.061, baseline: 0.182, on: 'val' });
  });

  it('falls back to the training figures without a validation set, and to nothing on junk', () => {
    expect(steeringFigures({ valRmse: null, baselineRmseVal: null, trainRmse: { steering: 0.05 }, baselineRmseTrain: { steering: 0.17 } })).toEqual({ rmse: 0.05, baseline: 0.17, on: 'train' });
    expect(steeringFigures({ valRmse: { steering: 0.07 } })).toEqual({ rmse: 0.07, baseline: null, on: 'val' });
    expect(steeringFigures(null)).toEqual({ rmse: null, baseline: null, on: null });
    expect(steeringFigures({ valRmse: { steering: 'x' } })).toEqual({ rmse: null, baseline: null, on: null });
  });
});

describe('speedFigures', () => {
  it('reads the validation speed RMSE and holding the present speed\'s; nothing for a model saved without it', () => {
    const metrics = { valRmse: { steering: 0.061, speed: 1.52, torque: 0.1 }, baselineRmseVal: { steering: 0.182, speed: 4.09, torque: 0.3 } };
    expect(speedFigures({ ...metrics, speedometerRmse: 2.14 })).toEqual({ rmse: 1.52, speedometer: 2.14 });
    expect(speedFigures(metrics)).toBeNull();
    expect(speedFigures({ valRmse: null, trainRmse: { speed: 1 }, speedometerRmse: 2.14 })).toBeNull();
    expect(speedFigures(null)).toBeNull();
  });
});

describe('kindLabel', () => {
  it('names the architecture from kind and config', () => {
    expect(kindLabel('cnn', {})).toBe('CNN (1 frame)');
    expect(kindLabel('cnn_lstm', { sequence: { cell: 'gru', window: 12 } })).toBe('CNN+GRU, T=12');
    expect(kindLabel('cnn_lstm', { sequence: { cell: 'lstm' } })).toBe('CNN+LSTM');
    expect(kindLabel('transformer', {})).toBe('transformer');
  });
});
