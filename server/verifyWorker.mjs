// Piscina worker entry when the bundled worker is unavailable (verifyBundle.ts): loads the
// TypeScript adapter (verify.ts) through tsx's loader, then verifies one replay text per task.
// Plain .mjs so a bare worker thread can start it. About 1.6x slower per lap than the bundle.
import { register } from 'tsx/esm/api';

register();
const { verifyAndPack } = await import('./verify.ts');

export default function verify(task) {
  return verifyAndPack(task);
}
