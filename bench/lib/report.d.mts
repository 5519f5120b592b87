// Types of bench/lib/report.mjs (for TypeScript importers such as the quick-bench test).
import type { Figure } from './stats.ts';

export interface ResultsFile {
  readonly machine: Record<string, unknown>;
  readonly figures: Record<string, Figure>;
  readonly ratios: Record<string, number>;
  readonly suites: Record<string, { ranAt: string; quick: boolean; notes?: string[]; error?: string; lastFailure?: { at: string; error: string }; loadAverage?: { start: number; end?: number } }>;
}
export function markdown(out: ResultsFile): string;
export function printTable(out: ResultsFile): void;
