// Progress lines from browser suites: bench/run.mjs echoes console lines that start with
// the tag, so a long run shows where it is.
export const PROGRESS_TAG = '[bench]';

export function progress(message: string): void {
  console.log(`${PROGRESS_TAG} ${message}`);
}
