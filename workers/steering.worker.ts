// The steering worker's entry: opens its own handles on the stores and exposes the one API
// object (workers/steeringApi.ts) through comlink. Nothing else lives here.
import * as Comlink from 'comlink';
import { openClipStore, openModelStore, openSettingsStore } from '../src/data/index.ts';
import { createSteeringApi } from './steeringApi.ts';

function once<T>(open: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => (p ??= open());
}

Comlink.expose(createSteeringApi({
  clips: once(() => openClipStore({ storage: null })),
  models: once(() => openModelStore()),
  settings: once(() => openSettingsStore()),
  now: () => Date.now(),
}));
