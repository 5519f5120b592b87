// Types of bench/suites.mjs (for TypeScript importers such as the quick-bench test).
export interface SuiteEntry {
  readonly name: string;
  readonly kind: 'node' | 'browser';
  readonly timeoutMs: number;
}
export const SUITES: readonly SuiteEntry[];
