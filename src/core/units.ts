// Branded units: a number that says what it measures. SI inside the simulation.

declare const unit: unique symbol;
type Brand<T, U extends string> = T & { readonly [unit]: U };

export type Meters = Brand<number, 'm'>;
export type Seconds = Brand<number, 's'>;
export type Radians = Brand<number, 'rad'>;
export type MetersPerSecond = Brand<number, 'm/s'>;
/** A count of fixed simulation steps (60 per simulated second). */
export type Ticks = Brand<number, 'ticks'>;

export const meters = (n: number): Meters => n as Meters;
export const seconds = (n: number): Seconds => n as Seconds;
export const radians = (n: number): Radians => n as Radians;
export const metersPerSecond = (n: number): MetersPerSecond => n as MetersPerSecond;
export const ticks = (n: number): Ticks => n as Ticks;

export const KMH_PER_MS = 3.6;
