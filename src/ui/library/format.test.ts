import { describe, expect, it } from 'vitest';
import {
  clipDurationS,
  clipStatus,
  driverSummary,
  exportFileName,
  formatBytes,
  formatClock,
  formatCount,
  formatDate,
  formatDuration,
  formatSteer,
  nameFromFileName,
  trackLabel,
} from './format.ts';

describe('formatBytes', () => {
  it('uses decimal units with three significant digits', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1000)).toBe('1.00 KB');
    expect(formatBytes(1536)).toBe('1.54 KB');
    expect(formatBytes(12_345_678)).toBe('12.3 MB');
    expect(formatBytes(123_456_789)).toBe('123 MB');
    expect(formatBytes(2_100_000_000)).toBe('2.10 GB');
  });
  it('rolls over instead of printing 1000 of a unit', () => {
    expect(formatBytes(999_600)).toBe('1.00 MB');
    expect(formatBytes(999_400)).toBe('999 KB');
  });
  it('says ? for nonsense', () => {
    expect(formatBytes(-1)).toBe('?');
    expect(formatBytes(NaN)).toBe('?');
  });
});

describe('formatDuration', () => {
  it('shows tenths under 10 s, whole seconds under a minute, then m:ss and h:mm:ss', () => {
    expect(formatDuration(0)).toBe('0.0 s');
    expect(formatDuration(4.54)).toBe('4.5 s');
    expect(formatDuration(45.2)).toBe('45 s');
    expect(formatDuration(59.4)).toBe('59 s');
    expect(formatDuration(59.6)).toBe('1:00');
    expect(formatDuration(65)).toBe('1:05');
    expect(formatDuration(3723)).toBe('1:02:03');
  });
  it('gives a clip its length from frames and rate', () => {
    expect(clipDurationS({ frameCount: 1660, rateHz: 20 })).toBe(83);
    expect(formatDuration(clipDurationS({ frameCount: 1660, rateHz: 20 }))).toBe('1:23');
  });
  it('formats a playback clock with hundredths', () => {
    expect(formatClock(0)).toBe('0:00.00');
    expect(formatClock(3.25)).toBe('0:03.25');
    expect(formatClock(83.5)).toBe('1:23.50');
  });
});

describe('formatDate', () => {
  // Built from local fields, so the expectations hold in any time zone.
  const now = new Date(2026, 0, 3, 15, 30).getTime();
  it('says today and yesterday with the time', () => {
    expect(formatDate(new Date(2026, 0, 3, 14, 2).getTime(), now)).toBe('today 14:02');
    expect(formatDate(new Date(2026, 0, 3, 0, 0).getTime(), now)).toBe('today 00:00');
    expect(formatDate(new Date(2026, 0, 2, 9, 5).getTime(), now)).toBe('yesterday 09:05');
  });
  it('gives day and month this year, and the year otherwise', () => {
    expect(formatDate(new Date(2026, 0, 1, 23, 59).getTime(), now)).toBe('1 Jan 23:59');
    expect(formatDate(new Date(2025, 11, 31, 8, 0).getTime(), new Date(2026, 0, 1, 12).getTime())).toBe('yesterday 08:00');
    expect(formatDate(new Date(2025, 11, 30, 8, 0).getTime(), new Date(2026, 0, 1, 12).getTime())).toBe('30 Dec 2025');
  });
});

describe('small formats', () => {
  it('groups thousands', () => {
    expect(formatCount(0)).toBe('0');
    expect(formatCount(999)).toBe('999');
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatCount(-12000)).toBe('-12,000');
  });
  it('writes steer with its side', () => {
    expect(formatSteer(0.123)).toBe('0.12 L');
    expect(formatSteer(-0.3)).toBe('0.30 R');
    expect(formatSteer(0.004)).toBe('0.00');
  });
  it('names tracks', () => {
    const presets = new Map([['oval', 'Oval']]);
    expect(trackLabel('oval', presets)).toBe('Oval');
    expect(trackLabel('12345', presets)).toBe('seed 12345');
    expect(trackLabel('udacity', presets)).toBe('udacity');
  });
  it('names export files by local time and import names by file', () => {
    expect(exportFileName('udacity', new Date(2026, 0, 3, 14, 2).getTime())).toBe('deepsteer-udacity-2026-01-03-1402.zip');
    expect(nameFromFileName('C:\\data\\track1_laps.ZIP')).toBe('track1_laps');
    expect(nameFromFileName('/tmp/.zip')).toBe('Imported clip');
  });
});

describe('driverSummary', () => {
  it('names a single driver plainly', () => {
    expect(driverSummary(new Uint8Array([1, 1, 1]))).toBe('expert');
    expect(driverSummary(new Uint8Array(0))).toBe('');
  });
  it('orders drivers by share and keeps a tiny share visible', () => {
    const codes = new Uint8Array(1000).fill(0);
    codes.fill(3, 0, 200);
    codes[999] = 2;
    expect(driverSummary(codes)).toBe('human 80% · takeover 20% · autopilot <1%');
  });
});

describe('clipStatus', () => {
  it('calls an unfinished clip nobody records incomplete', () => {
    expect(clipStatus({ complete: false }, false)).toBe('incomplete');
    expect(clipStatus({ complete: false }, true)).toBe('recording');
    expect(clipStatus({ complete: true }, false)).toBe('complete');
  });
});
