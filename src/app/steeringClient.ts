// The only Worker client: starts the steering worker, wraps it with comlink behind the typed
// SteeringApi, and notices when it dies (an error event, or no answer within a deadline) so
// the app can stop the car safely and start a new one.

import * as Comlink from 'comlink';
import type { SteeringApi } from '../../workers/steeringApi.ts';

export type SteeringRemote = Comlink.Remote<SteeringApi>;

export interface SteeringWorker {
  readonly api: SteeringRemote;
  /** Resolves with the result, or rejects if the worker does not answer within `ms`. */
  within<T>(ms: number, call: Promise<T>): Promise<T>;
  /** Called once if the worker crashes or stops answering. */
  onDeath(cb: (reason: string) => void): void;
  readonly dead: boolean;
  terminate(): void;
}

export function startSteeringWorker(): SteeringWorker {
  const worker = new Worker(new URL('../../workers/steering.worker.ts', import.meta.url), { type: 'module', name: 'steering' });
  const api = Comlink.wrap<SteeringApi>(worker);
  const deathListeners: ((reason: string) => void)[] = [];
  let dead = false;
  const die = (reason: string): void => {
    if (dead) return;
    dead = true;
    worker.terminate();
    for (const cb of deathListeners) cb(reason);
  };
  worker.addEventListener('error', (e) => {
    e.preventDefault();
    die(`the steering worker crashed (${e.message || 'no message'})`);
  });
  worker.addEventListener('messageerror', () => die('the steering worker sent a message that could not be read'));
  return {
    api,
    within<T>(ms: number, call: Promise<T>): Promise<T> {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          reject(new Error(`the steering worker did not answer within ${ms} ms`));
        }, ms);
      });
      return Promise.race([call, timeout]).finally(() => clearTimeout(timer));
    },
    onDeath(cb) {
      deathListeners.push(cb);
    },
    get dead() {
      return dead;
    },
    terminate() {
      die('stopped');
    },
  };
}

/** Hands bytes (a frame, a file) to the worker without copying them (the buffer moves; do not reuse it). */
export function transferBytes(bytes: Uint8Array): Uint8Array {
  return Comlink.transfer(bytes, [bytes.buffer]);
}
