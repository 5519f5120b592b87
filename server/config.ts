// Server configuration from the environment (docs/api.md): PORT, HOST, DATA_DIR, DATABASE_URL,
// STATIC_DIR, and the limits. One place reads process.env; everything else takes a ServerConfig.

import { resolve } from 'node:path';

export interface RateLimit {
  /** Requests per window per key (a token's hash, or the client address). */
  max: number;
  windowMs: number;
}

export interface ServerConfig {
  port: number;
  host: string;
  /** Where the SQLite file lives (ignored when databaseUrl is set). */
  dataDir: string;
  /** postgres://... selects PostgreSQL; empty selects the embedded SQLite file. */
  databaseUrl: string;
  /** The built game to serve at /, or '' for the API alone. */
  staticDir: string;
  /** Largest request body, bytes (replays); model zips have their own cap. */
  bodyLimit: number;
  modelLimit: number;
  /** Verification: worker threads, wall-time cap per lap (ms), and how many may wait. */
  verifyThreads: number;
  verifyTimeoutMs: number;
  verifyQueue: number;
  /**
   * Reads and writes (per address, or per token when one is sent); lap submissions per token,
   * and per address whatever the token (one address cannot multiply its budget with new players).
   */
  rateLimit: RateLimit;
  submitLimit: RateLimit;
  submitAddressLimit: RateLimit;
  /** How long a board page may be served from memory, ms (cleared by this process's writes). */
  boardCacheMs: number;
  /** Seed the oval's expert board from this replay at start ('' to skip). */
  seedReplay: string;
  logger: boolean;
}

const int = (v: string | undefined, d: number): number => {
  const n = Number(v);
  return v !== undefined && v !== '' && Number.isFinite(n) ? Math.floor(n) : d;
};

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  return {
    port: int(env.PORT, 5173),
    host: env.HOST || 'localhost',
    dataDir: resolve(env.DATA_DIR || 'data'),
    databaseUrl: env.DATABASE_URL || '',
    staticDir: env.STATIC_DIR === undefined ? resolve('dist') : env.STATIC_DIR && resolve(env.STATIC_DIR),
    bodyLimit: int(env.BODY_LIMIT, 512 * 1024),
    modelLimit: int(env.MODEL_LIMIT, 16 * 1024 * 1024),
    verifyThreads: int(env.VERIFY_THREADS, 0),
    verifyTimeoutMs: int(env.VERIFY_TIMEOUT_MS, 5_000),
    verifyQueue: int(env.VERIFY_QUEUE, 256),
    rateLimit: { max: int(env.RATE_LIMIT_MAX, 600), windowMs: int(env.RATE_LIMIT_WINDOW_MS, 60_000) },
    submitLimit: { max: int(env.SUBMIT_LIMIT_MAX, 30), windowMs: int(env.SUBMIT_LIMIT_WINDOW_MS, 60_000) },
    // A class behind one NAT shares an address: room for several players at the per-token rate.
    submitAddressLimit: { max: int(env.SUBMIT_ADDRESS_LIMIT_MAX, 120), windowMs: int(env.SUBMIT_ADDRESS_LIMIT_WINDOW_MS, 60_000) },
    boardCacheMs: int(env.BOARD_CACHE_MS, 250),
    seedReplay: env.SEED_REPLAY === undefined ? resolve('assets/replays/oval-expert.replay.json') : env.SEED_REPLAY,
    logger: env.LOG === '1',
  };
}
