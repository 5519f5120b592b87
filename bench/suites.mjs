// The benchmark suites `npm run bench` knows, in the order it runs them.
// kind 'node': bench/node/<name>.ts, run with tsx in Node. kind 'browser':
// bench/browser/suites/<name>.ts, run in Chromium from the production build.
// Each module exports run({ quick }) returning { figures, ratios, notes } (bench/lib/stats.ts).
export const SUITES = [
  { name: 'conv_kernels', kind: 'node', timeoutMs: 15 * 60_000 },
  { name: 'kernels', kind: 'browser', timeoutMs: 15 * 60_000 },
  { name: 'train', kind: 'browser', timeoutMs: 90 * 60_000 },
  { name: 'train_paired', kind: 'browser', timeoutMs: 30 * 60_000 },
  { name: 'sim', kind: 'node', timeoutMs: 10 * 60_000 },
  { name: 'dash', kind: 'browser', timeoutMs: 15 * 60_000 },
  { name: 'predict', kind: 'browser', timeoutMs: 30 * 60_000 },
  // The real-time autopilot in the running app at 1280x720: frame-to-control (latencyProbe.ts) and the main view's fps with and without it.
  { name: 'live_latency', kind: 'browser', timeoutMs: 20 * 60_000 },
  { name: 'saliency', kind: 'browser', timeoutMs: 20 * 60_000 },
  { name: 'train_models', kind: 'browser', timeoutMs: 60 * 60_000 },
  // The step with and without our module's paths beyond the convolutions, alternating blocks of one trainer: bench/browser/suites/train_paths.ts.
  { name: 'train_paths', kind: 'browser', timeoutMs: 15 * 60_000 },
  // One vs two training workers (data-parallel), alternating rounds: bench/browser/suites/train_workers.ts.
  { name: 'train_workers', kind: 'browser', timeoutMs: 30 * 60_000 },
  // Settings > Training workers 'auto' (src/model/workerChoice.ts): its trial's choice against one and two workers timed side by side.
  { name: 'train_auto', kind: 'browser', timeoutMs: 20 * 60_000 },
  // The same split from CPU time in Node (an estimate of the idle-machine ratio): bench/node/train_split_cpu.ts.
  { name: 'train_split_cpu', kind: 'node', timeoutMs: 20 * 60_000 },
  { name: 'memory', kind: 'browser', timeoutMs: 40 * 60_000 },
  // The online leaderboard's load test (bench/node/server.ts): autocannon on 127.0.0.1, SQLite and PostgreSQL.
  { name: 'server', kind: 'node', timeoutMs: 15 * 60_000 },
];
