import { describe, expect, it } from 'vitest';
import { createExpert } from './expert.ts';
import { centrelinePursuit, recoverySteer } from './recovery.ts';
import { resolveTrack } from './tracks.ts';
import { createWorld, stepWorld } from './world.ts';

describe('side-camera recovery labels', () => {
  const track = resolveTrack('oval');
  const expert = createExpert(track);
  let w = createWorld(track);
  for (let i = 0; i < 400; i++) w = stepWorld(w, expert.control(w)); // on the straight at speed

  it('equals the applied steering for an unshifted camera', () => {
    expect(recoverySteer(w, 0.07, 0, 0)).toBeCloseTo(0.07, 12);
  });

  it('steers right for a camera shifted left, and left for one shifted right, symmetrically', () => {
    const left = recoverySteer(w, 0, 1.5, 0);
    const right = recoverySteer(w, 0, -1.5, 0);
    expect(left).toBeLessThan(-0.01);
    expect(right).toBeGreaterThan(0.01);
    expect(left).toBeCloseTo(-right, 1);
  });

  it('counters a yawed camera and grows with the offset', () => {
    expect(recoverySteer(w, 0, 0, 0.1)).toBeLessThan(0);
    expect(Math.abs(recoverySteer(w, 0, 3, 0))).toBeGreaterThan(Math.abs(recoverySteer(w, 0, 1, 0)));
  });

  it('pursues the centreline back within about 2 s from a 2 m offset', () => {
    let x = w;
    x = { ...x, car: { ...x.car, x: x.car.x - Math.sin(x.car.heading) * 2, y: x.car.y + Math.cos(x.car.heading) * 2 } };
    x = stepWorld(x, { steer: 0, torque: 0.2 });
    expect(x.trackPos.lateral).toBeGreaterThan(1.8);
    for (let i = 0; i < 150; i++) x = stepWorld(x, { steer: centrelinePursuit(x, x.car.x, x.car.y, x.car.heading), torque: 0.2 });
    expect(Math.abs(x.trackPos.lateral)).toBeLessThan(0.5);
  });
});
