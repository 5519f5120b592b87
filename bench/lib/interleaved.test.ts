// Interleaved segments: the schedule, and ratios to the neighbouring reference segments.
import { describe, expect, it } from 'vitest';
import { interleavedRatios, interleavedSchedule, type Segment } from './interleaved.ts';

describe('interleaved segments', () => {
  it('schedule a reference between every two conditions and at both ends', () => {
    expect(interleavedSchedule(['a', 'b'], 2)).toEqual(['off', 'a', 'off', 'b', 'off', 'a', 'off', 'b', 'off']);
    expect(interleavedSchedule(['a'], 1, 'none')).toEqual(['none', 'a', 'none']);
    expect(() => interleavedSchedule(['off', 'a'], 1)).toThrow(/reference/);
  });

  it('cancel a load drift: a condition at a constant factor of the reference reads that factor', () => {
    // The reference falls from 10 to 2 fps over the run (load rising); 'a' runs at 0.8x whatever
    // the load, 'b' at 1.0x. A global reference median (6) would read a at 0.8 * 8 / 6 and b at 5 / 6.
    const names = interleavedSchedule(['a', 'b'], 3);
    const drift = (i: number) => 10 - (8 * i) / (names.length - 1);
    const segments: Segment[] = names.map((name, i) => ({ name, value: drift(i) * (name === 'a' ? 0.8 : 1) }));
    const s = interleavedRatios(segments);
    expect(s.conditions.a.ratio).toBeCloseTo(0.8, 12);
    expect(s.conditions.b.ratio).toBeCloseTo(1, 12);
    expect(s.conditions.a.ratios).toHaveLength(3);
    expect(s.reference).toEqual({ median: 6, runs: 7 });
    // Values keep their own median, unlike the ratios.
    expect(s.conditions.b.median).toBeCloseTo(drift(7), 12);
  });

  it('compare with the nearest reference on each side, or the one side there is', () => {
    const s = interleavedRatios([
      { name: 'a', value: 3 }, // no reference before: the next one (6)
      { name: 'off', value: 6 },
      { name: 'b', value: 4 },
      { name: 'c', value: 9 }, // reference before (6) and after (12), not 'b'
      { name: 'off', value: 12 },
    ]);
    expect(s.conditions.a.ratios).toEqual([0.5]);
    expect(s.conditions.b.ratios).toEqual([4 / 9]);
    expect(s.conditions.c.ratios).toEqual([1]);
    expect(Object.keys(s.conditions)).toEqual(['a', 'b', 'c']);
    expect(() => interleavedRatios([{ name: 'a', value: 1 }])).toThrow(/no "off"/);
  });
});
