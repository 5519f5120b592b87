import { describe, expect, it } from 'vitest';
import {
  formatBig, formatBytes, formatCount, formatEta, formatLearningRate, formatPercent, formatRate, formatRmse, formatShape, formatVsBaseline, formatVsSpeedometer,
  modelFileName, sig3,
} from './format.ts';

describe('numbers', () => {
  it('sig3 keeps three significant digits', () => {
    expect(sig3(1.23456)).toBe('1.23');
    expect(sig3(12.345)).toBe('12.3');
    expect(sig3(123.45)).toBe('123');
    expect(sig3(0.0123456)).toBe('0.0123');
    expect(sig3(0.5)).toBe('0.5');
    expect(sig3(0)).toBe('0');
    expect(sig3(Number.NaN)).toBe('–');
  });

  it('counts get SI suffixes', () => {
    expect(formatCount(950)).toBe('950');
    expect(formatCount(27_412)).toBe('27.4k');
    expect(formatCount(1_234_567)).toBe('1.23M');
    expect(formatCount(999_900)).toBe('1M');
    expect(formatCount(4.5e9)).toBe('4.5G');
    expect(formatBig(252_219)).toBe('252 k');
    expect(formatBig(27_400_000)).toBe('27.4 M');
    expect(formatBig(512)).toBe('512');
  });

  it('rates', () => {
    expect(formatRate(412.4)).toBe('412 ex/s');
    expect(formatRate(1234)).toBe('1.23k ex/s');
    expect(formatRate(3.44)).toBe('3.4 ex/s');
    expect(formatRate(0)).toBe('– ex/s');
    expect(formatRate(Number.NaN)).toBe('– ex/s');
  });

  it('times left', () => {
    expect(formatEta(44.6)).toBe('45 s');
    expect(formatEta(185)).toBe('3 min 05 s');
    expect(formatEta(3600 + 125)).toBe('1 h 02 min');
    expect(formatEta(Number.POSITIVE_INFINITY)).toBe('–');
    expect(formatEta(-1)).toBe('–');
  });

  it('RMSE against the baseline, as a share of it', () => {
    expect(formatRmse(0.06123)).toBe('0.0612');
    expect(formatRmse(null)).toBe('–');
    expect(formatVsBaseline(0.061, 0.182)).toBe('0.061 vs 0.182 (34%)');
    expect(formatVsBaseline(0.061, null)).toBe('0.061');
    expect(formatVsBaseline(undefined, 0.2)).toBe('–');
    // The speed head against holding the present speed (a model that reads the speedometer); the figure alone before that baseline existed.
    expect(formatVsSpeedometer(1.523, 2.14)).toBe('1.52 m/s vs holding the present speed: 2.14 m/s');
    expect(formatVsSpeedometer(1.523, undefined)).toBe('1.52 m/s');
    expect(formatVsSpeedometer(1.523, Number.NaN)).toBe('1.52 m/s');
    expect(formatVsSpeedometer(null, 2.14)).toBe('–');
  });

  it('shapes, sizes, percentages, learning rates', () => {
    expect(formatShape([66, 200, 24])).toBe('66×200×24');
    expect(formatBytes(812)).toBe('812 B');
    expect(formatBytes(1_234_567)).toBe('1.23 MB');
    expect(formatPercent(0.4299)).toBe('42%');
    expect(formatPercent(1)).toBe('100%');
    expect(formatPercent(0.999)).toBe('99%');
    expect(formatPercent(Number.NaN)).toBe('0%');
    expect(formatLearningRate(0.001)).toBe('0.001');
    expect(formatLearningRate(3e-5)).toBe('3e-5');
    expect(formatLearningRate(2.5e-4)).toBe('2.5e-4');
  });
});

describe('modelFileName', () => {
  it('names the download and replaces what file systems refuse', () => {
    expect(modelFileName('LSTM T8')).toBe('LSTM T8.deepsteer-model.zip');
    expect(modelFileName('a/b:c?')).toBe('a_b_c_.deepsteer-model.zip');
    expect(modelFileName('   ')).toBe('model.deepsteer-model.zip');
  });
});
