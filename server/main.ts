// `npm start` / `tsx server/main.ts`: the online leaderboard and the built game on one port.
// Configuration from the environment (docs/api.md). SIGINT/SIGTERM close gracefully; SIGKILL is
// safe too, since every write is a single atomic statement.

import { buildServer } from './app.ts';
import { configFromEnv } from './config.ts';

const config = configFromEnv();
const server = await buildServer(config);
await server.app.listen({ port: config.port, host: config.host });
const where = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${config.port}/`;
console.log(`DeepSteer on ${where} (database: ${server.db.kind}${server.db.kind === 'sqlite' ? ` in ${config.dataDir}` : ''}${config.staticDir ? '' : ', API only'})`);

let closing = false;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (closing) return;
    closing = true;
    void server.close().then(() => process.exit(0), () => process.exit(1));
  });
}
