// Cross-origin isolation, so a page may share memory with its workers: tfjs's threaded wasm
// backend needs it (the training worker's XNNPACK threads, src/model/tfSetup.ts). Every server of
// the game sends these headers: this one (server/app.ts) and vite's dev and preview servers
// (vite.config.ts). Where they are missing, the game still runs, on one thread per worker.
export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
} as const;
