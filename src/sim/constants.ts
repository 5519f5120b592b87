// Fixed facts of the simulation that every layer agrees on.

/** Simulation steps per simulated second. Lap times are counted in these ticks. */
export const TICK_HZ = 60;
/** Seconds per tick. */
export const DT = 1 / TICK_HZ;
/**
 * Version of the simulation's rules. Any change that can alter a lap (physics, track
 * generation, lap rules) bumps it, so an old replay is refused rather than mis-scored.
 */
export const SIM_VERSION = 1;
/** Standard gravity, m/s^2. */
export const GRAVITY = 9.81;
