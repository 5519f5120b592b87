// Piscina worker entry: loads the TypeScript adapter (verify.ts) through tsx's loader, then
// verifies (and gzips) one replay text per task. Plain .mjs so a bare worker thread can start it.
import { register } from 'tsx/esm/api';

register();
const { verifyAndPack } = await import('./verify.ts');

export default function verify(task) {
  return verifyAndPack(task);
}
