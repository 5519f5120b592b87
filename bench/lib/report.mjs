// Renders a bench results file (bench/results/*.json) as the Markdown and console tables that
// bench/run.mjs writes. `node bench/lib/report.mjs <file.json>` re-renders its .md.
import { readFileSync, writeFileSync } from 'node:fs';

const fmt = (x) => (Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 1 ? x.toFixed(2) : x.toPrecision(3));

export function markdown(out) {
  const lines = [`# Benchmark results`, '', `Machine: ${JSON.stringify(out.machine)}`, '',
    '| figure | median | min | max | unit | runs |', '| --- | ---: | ---: | ---: | --- | ---: |'];
  for (const [k, f] of Object.entries(out.figures)) lines.push(`| ${k} | ${fmt(f.median)} | ${fmt(f.min)} | ${fmt(f.max)} | ${f.unit} | ${f.runs ?? ''} |`);
  lines.push('', '| ratio | value |', '| --- | ---: |');
  for (const [k, v] of Object.entries(out.ratios)) lines.push(`| ${k} | ${fmt(v)} |`);
  lines.push('', '## Suites');
  for (const [name, s] of Object.entries(out.suites)) {
    const load = s.loadAverage ? `, load average ${s.loadAverage.start} -> ${s.loadAverage.end ?? '?'}` : '';
    lines.push('', `### ${name} (${s.ranAt}${s.quick ? ', quick' : ''}${load})`);
    if (s.error) lines.push('', `ERROR: ${s.error}`);
    if (s.lastFailure) lines.push('', `Last run failed (${s.lastFailure.at}), figures above are older: ${s.lastFailure.error.split('\n')[0]}`);
    for (const n of s.notes ?? []) lines.push(`- ${n}`);
  }
  return `${lines.join('\n')}\n`;
}

export function printTable(out) {
  const rows = Object.entries(out.figures).map(([k, f]) => [k, fmt(f.median), fmt(f.min), fmt(f.max), f.unit]);
  rows.push(...Object.entries(out.ratios).map(([k, v]) => [k, fmt(v), '', '', 'ratio']));
  const widths = [0, 1, 2, 3, 4].map((i) => Math.max(...rows.map((r) => r[i].length), 6));
  console.log(['figure', 'median', 'min', 'max', 'unit'].map((h, i) => h.padEnd(widths[i])).join('  '));
  for (const r of rows) console.log(r.map((c, i) => (i === 0 || i === 4 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '));
}

if (process.argv[1]?.endsWith('report.mjs') && process.argv[2]) {
  const file = process.argv[2];
  writeFileSync(file.replace(/\.json$/, '.md'), markdown(JSON.parse(readFileSync(file, 'utf8'))));
}
