// Entry of bench/index.html: runs the suite named in ?suite= (with &quick=1 for a smoke run;
// any other query key is passed to the suite as a param) and leaves its result in window.__benchResult (or the error in window.__benchError) for
// bench/run.mjs and e2e tests to collect. Without ?suite= it lists the suites.
import type { SuiteModule, SuiteResult } from '../lib/stats.ts';

declare global {
  interface Window {
    __benchResult?: SuiteResult;
    __benchError?: string;
  }
}

const suites = import.meta.glob<SuiteModule>('./suites/*.ts');
const suiteNames = Object.keys(suites).map((p) => p.replace(/^\.\/suites\/(.*)\.ts$/, '$1'));

async function main(): Promise<void> {
  const params = new URLSearchParams(location.search);
  const name = params.get('suite');
  const out = document.getElementById('out')!;
  if (!name) {
    out.innerHTML = suiteNames.map((n) => `<a href="?suite=${n}">${n}</a> (<a href="?suite=${n}&quick=1">quick</a>)`).join('<br>');
    return;
  }
  const load = suites[`./suites/${name}.ts`];
  if (!load) throw new Error(`no bench suite '${name}' (have: ${suiteNames.join(', ')})`);
  out.textContent = `running ${name}...`;
  const suite = await load();
  const suiteParams: Record<string, string> = {};
  for (const [k, v] of params) if (k !== 'suite' && k !== 'quick') suiteParams[k] = v;
  const result = await suite.run({ quick: params.get('quick') === '1', params: suiteParams });
  window.__benchResult = result;
  out.textContent = JSON.stringify(result, null, 2);
}

main().catch((e: unknown) => {
  const message = e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e);
  window.__benchError = message;
  document.getElementById('out')!.textContent = `error: ${message}`;
});
