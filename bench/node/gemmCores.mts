// Not a suite: do this machine's two cores add up on dense arithmetic? A 512-cube matMul on the
// wasm backend (XNNPACK's GEMM, the ceiling suite train_models reads training against) looped for
// MS ms (default 6000) in one process alone, then in two processes at once; prints GMAC/s each
// and the pair's sum over the one alone (issue 15: the peak, and whether a second training worker
// can add). Quiet machine only.
//   npx tsx bench/node/gemmCores.mts
import { execFileSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ms = Number(process.env.MS ?? 6000);
if (process.env.GEMM_LOOP) {
  const { initBackend, tf } = await import('../../src/model/tfSetup.ts');
  const { matMulRates } = await import('../lib/trainingMacs.ts');
  await initBackend('wasm');
  const rates = matMulRates(tf, 512, { ms }).sort((x, y) => x - y);
  console.log(rates[rates.length >> 1]);
} else {
  const self = fileURLToPath(import.meta.url);
  const env = { ...process.env, GEMM_LOOP: '1' };
  const run = (): Promise<number> => new Promise((resolve, reject) => {
    const p = spawn('npx', ['tsx', self], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.on('close', (code) => (code === 0 ? resolve(Number(out.trim())) : reject(new Error(`loop exited ${code}`))));
  });
  const alone = Number(execFileSync('npx', ['tsx', self], { env, encoding: 'utf8' }).trim());
  const pair = await Promise.all([run(), run()]);
  const sum = pair[0] + pair[1];
  console.log(JSON.stringify({ alone: +alone.toFixed(2), pair: pair.map((x) => +x.toFixed(2)), pairSum: +sum.toFixed(2), pairOverAlone: +(sum / alone).toFixed(2) }));
}
