// The SHA-256 of each driving model's weights, for autopilot laps' replays: computed once per
// model id in the background (WebCrypto) from the model store, and read synchronously when a
// lap ends. The first call for an id starts the work and returns undefined.

import { openModelStore } from '../data/index.ts';

export interface ModelFingerprints {
  get(modelId: string): string | undefined;
}

export function createModelFingerprints(): ModelFingerprints {
  const done = new Map<string, string>();
  const pending = new Set<string>();
  const failed = new Set<string>();
  async function compute(id: string): Promise<void> {
    const store = await openModelStore();
    try {
      const saved = await store.load(id);
      const digest = await crypto.subtle.digest('SHA-256', saved.artifacts.weightData);
      done.set(id, Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join(''));
    } finally {
      store.close();
    }
  }
  return {
    get(id) {
      const hit = done.get(id);
      if (hit || pending.has(id) || failed.has(id)) return hit;
      pending.add(id);
      void compute(id).catch(() => failed.add(id)).finally(() => pending.delete(id));
      return undefined;
    },
  };
}
