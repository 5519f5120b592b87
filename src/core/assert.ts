// Invariant checks that fail loudly with a message a developer can act on.

export class AssertionError extends Error {
  override name = 'AssertionError';
}

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new AssertionError(message);
}

export function assertFinite(value: number, what: string): number {
  if (!Number.isFinite(value)) throw new AssertionError(`${what} must be a finite number, got ${value}`);
  return value;
}

export function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}
