// The README's plot: training examples/s per backend for the project's models and ConvNetJS
// (from a bench results file), and the closed-loop results when bench/results/autonomy.json
// exists (bench/autonomy.mjs). Drawn as SVG in an HTML page, rendered to PNG by headless
// Chromium (the same one the bench uses). `node bench/lib/plot.mjs [results.json] [out.png]`
// (defaults: bench/results/latest.json, bench/results/train_per_backend.png); bench/run.mjs
// calls writePlot after a run.
import { existsSync, readFileSync } from 'node:fs';
import { CHROMIUM_ARGS, chromiumPath } from '../../e2e/chromium.mjs';

const BACKENDS = ['cpu', 'wasm', 'webgl', 'webgpu'];
const SERIES = [
  { key: 'cnn_lstm', label: 'CNN+LSTM (default config)', color: '#2f6fb3' },
  { key: 'cnn', label: 'single-frame CNN (default config)', color: '#e08a1e' },
  { key: 'cnn_plain', label: 'single-frame CNN, plain SGD (ConvNetJS\'s work)', color: '#3a9a5b' },
];
const CONVNET = { label: 'ConvNetJS 0.3.0, same CNN', color: '#b8433a' };

const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
const fmt = (x) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));

function trainChart(results) {
  const f = results.figures;
  const groups = BACKENDS.map((b) => ({
    name: b,
    bars: SERIES.map((s) => ({ ...s, fig: f[`train_examples_per_s.${b}.${s.key}`] })).filter((x) => x.fig),
  })).filter((g) => g.bars.length);
  const cj = f['train_examples_per_s.convnetjs.cnn_plain'];
  if (cj) groups.push({ name: 'ConvNetJS', bars: [{ key: 'convnetjs', label: CONVNET.label, color: CONVNET.color, fig: cj }] });
  if (!groups.length) return '<p>No training figures in this results file (run <code>npm run bench -- --suite train_models</code>).</p>';
  const values = groups.flatMap((g) => g.bars.flatMap((b) => [b.fig.min, b.fig.max, b.fig.median])).filter((v) => v > 0);
  const lo = 10 ** Math.floor(Math.log10(Math.min(...values)));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(...values)));
  const W = 880;
  const H = 380;
  const m = { l: 70, r: 20, t: 20, b: 50 };
  const y = (v) => m.t + (H - m.t - m.b) * (1 - (Math.log10(Math.max(v, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo)));
  const slot = (W - m.l - m.r) / groups.length;
  const barW = Math.min(44, (slot - 30) / SERIES.length);
  const parts = [];
  for (let e = Math.log10(lo); e <= Math.log10(hi); e++) {
    const v = 10 ** e;
    parts.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/>`);
    parts.push(`<text x="${m.l - 8}" y="${y(v) + 4}" text-anchor="end" font-size="12">${v >= 1 ? v : v.toPrecision(1)}</text>`);
  }
  groups.forEach((g, i) => {
    const x0 = m.l + i * slot + (slot - barW * g.bars.length) / 2;
    g.bars.forEach((b, j) => {
      const x = x0 + j * barW;
      const top = y(b.fig.median);
      parts.push(`<rect x="${x + 2}" y="${top}" width="${barW - 4}" height="${H - m.b - top}" fill="${b.color}"><title>${esc(b.label)}: ${fmt(b.fig.median)}</title></rect>`);
      const cx = x + barW / 2;
      parts.push(`<line x1="${cx}" x2="${cx}" y1="${y(b.fig.min)}" y2="${y(b.fig.max)}" stroke="#222" stroke-width="1.2"/>`);
      parts.push(`<text x="${cx}" y="${Math.min(y(b.fig.max), top) - 5}" text-anchor="middle" font-size="11">${fmt(b.fig.median)}</text>`);
    });
    const ratio = results.ratios[`train_vs_convnetjs.${g.name}.cnn`];
    parts.push(`<text x="${m.l + (i + 0.5) * slot}" y="${H - m.b + 20}" text-anchor="middle" font-size="14" font-weight="600">${esc(g.name)}</text>`);
    if (ratio) parts.push(`<text x="${m.l + (i + 0.5) * slot}" y="${H - m.b + 38}" text-anchor="middle" font-size="12" fill="${CONVNET.color}">×${fmt(ratio)} ConvNetJS</text>`);
  });
  parts.push(`<text transform="translate(16 ${(H - m.b + m.t) / 2}) rotate(-90)" text-anchor="middle" font-size="13">examples / s (log scale)</text>`);
  const legend = [...SERIES, { label: CONVNET.label, color: CONVNET.color }]
    .map((s) => `<span><i style="background:${s.color}"></i>${esc(s.label)}</span>`).join('');
  return `<svg width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif">${parts.join('')}</svg><div class="legend">${legend}</div>`;
}

function autonomySection(a) {
  const f = a.figures ?? {};
  const rm = (r) => (r ? `${r.steering.toFixed(3)} / ${r.speed.toFixed(2)} / ${r.torque.toFixed(3)}` : '–');
  const rows = (a.laps ?? []).map((r) => `<tr><td>${esc(r.trackId)}</td><td>${r.lapsCompleted}</td><td>${r.cleanLaps}</td><td>${r.interventions}</td>`
    + `<td><span class="bar" style="width:${Math.max(0, Math.min(100, r.autonomyPct)) * 1.6}px"></span> ${r.autonomyPct.toFixed(1)}%</td><td>${r.lapTimeOverExpert?.toFixed(3) ?? '–'}</td></tr>`).join('');
  const o = a.options ?? {};
  return `<h2>Closed loop (bench/autonomy.mjs)</h2>
<p>${esc(o.minutes)} simulated minutes recorded on ${esc((o.trainTracks ?? []).join(', '))}; CNN+LSTM trained ${esc(o.budget)} s
(${f.cnn_lstm?.examplesPerSecond?.toFixed(0) ?? '–'} examples/s, ${f.cnn_lstm?.epochs ?? '–'} epochs on ${esc(f.cnn_lstm?.backend ?? '–')});
validation RMSE steering / speed / torque: CNN+LSTM ${rm(f.cnn_lstm?.valRmse)}, CNN ${rm(f.cnn?.valRmse)}, constant ${rm(f.cnn_lstm?.baselineRmse)}.
Overall autonomy <b>${f.autonomy_pct?.toFixed(1) ?? '–'}%</b>.</p>
<table><tr><th>held-out track</th><th>laps</th><th>clean</th><th>interventions</th><th>autonomy</th><th>lap time / expert</th></tr>${rows}</table>`;
}

export function plotHtml(results, autonomy) {
  const mc = results.machine ?? {};
  const suite = results.suites?.train_models;
  const when = suite ? `${suite.ranAt}${suite.quick ? ' (quick run)' : ''}` : mc.date;
  return `<!doctype html><html><head><meta charset="utf-8"><style>
body { font-family: sans-serif; margin: 16px; width: 900px; color: #222; }
h1 { font-size: 18px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 18px 0 6px; }
p.sub { font-size: 12px; color: #555; margin: 0 0 8px; } p { font-size: 13px; }
.legend { font-size: 12px; display: flex; flex-wrap: wrap; gap: 14px; margin-left: 70px; }
.legend i { display: inline-block; width: 12px; height: 12px; margin-right: 5px; vertical-align: -1px; }
table { border-collapse: collapse; font-size: 13px; } td, th { border-bottom: 1px solid #ddd; padding: 3px 10px; text-align: right; }
td:first-child, th:first-child { text-align: left; } .bar { display: inline-block; height: 10px; background: #2f6fb3; }
</style></head><body>
<h1>Training examples per second, per tfjs backend (median of steps, whiskers min–max)</h1>
<p class="sub">${esc(mc.cpu ?? '')}, ${esc(mc.cores ?? '?')} cores, no GPU (WebGL and WebGPU are software); Chromium ${esc(mc.chromium ?? '?')}; ${esc(when ?? '')}; commit ${esc(mc.commit ?? '?')}. Batch 32, inputs 33x100.</p>
${trainChart(results)}
${autonomy ? autonomySection(autonomy) : ''}
</body></html>`;
}

/** Renders the plot of `results` (and `autonomyFile` if it exists) to `png`. */
export async function writePlot(results, png, autonomyFile = 'bench/results/autonomy.json') {
  const autonomy = existsSync(autonomyFile) ? JSON.parse(readFileSync(autonomyFile, 'utf8')) : null;
  const { chromium } = await import('@playwright/test');
  const executablePath = chromiumPath();
  const browser = await chromium.launch({ args: CHROMIUM_ARGS, ...(executablePath ? { executablePath } : {}) });
  try {
    const page = await browser.newPage({ viewport: { width: 940, height: 600 } });
    await page.setContent(plotHtml(results, autonomy));
    await page.screenshot({ path: png, fullPage: true });
  } finally {
    await browser.close();
  }
}

if (process.argv[1]?.endsWith('plot.mjs')) {
  const file = process.argv[2] ?? 'bench/results/latest.json';
  const png = process.argv[3] ?? 'bench/results/train_per_backend.png';
  await writePlot(JSON.parse(readFileSync(file, 'utf8')), png);
  console.log(`[bench] wrote ${png}`);
}
