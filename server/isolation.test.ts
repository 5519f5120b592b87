// The game's files come cross-origin isolated from `npm start`'s server (the training worker's
// wasm threads need it); the API's answers need not.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildServer, type Server } from './app.ts';
import { ISOLATION_HEADERS } from './isolation.ts';
import { tempDataDir, testConfig } from './testDb.ts';

let server: Server;
beforeAll(async () => {
  const staticDir = join(tempDataDir(), 'dist');
  mkdirSync(join(staticDir, 'assets'), { recursive: true });
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>DeepSteer</title>');
  writeFileSync(join(staticDir, 'assets', 'worker.js'), 'self.onmessage = () => {};');
  server = await buildServer(testConfig({ dataDir: tempDataDir(), staticDir }));
});
afterAll(async () => {
  await server?.close();
});

it.each(['/', '/index.html', '/assets/worker.js'])('serves %s with the cross-origin isolation headers', async (url) => {
  const r = await server.app.inject({ method: 'GET', url });
  expect(r.statusCode).toBe(200);
  expect(r.headers['cross-origin-opener-policy']).toBe(ISOLATION_HEADERS['Cross-Origin-Opener-Policy']);
  expect(r.headers['cross-origin-embedder-policy']).toBe('require-corp');
});

it('leaves them off the API and a missing file', async () => {
  for (const url of ['/api/health', '/no-such-file.js']) {
    const r = await server.app.inject({ method: 'GET', url });
    expect(r.headers['cross-origin-embedder-policy'], url).toBeUndefined();
  }
});
