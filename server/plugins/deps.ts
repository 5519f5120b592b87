// What every route plugin is given: the store, the verification pool and the configuration.
import type { ServerConfig } from '../config.ts';
import type { Store } from '../store.ts';
import type { VerifyPool } from '../verifyPool.ts';

export interface ApiDeps {
  store: Store;
  pool: VerifyPool;
  config: ServerConfig;
}
