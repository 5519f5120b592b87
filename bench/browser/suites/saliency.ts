// Suite 'saliency': what the model overlays cost against the prediction they sit beside, on the
// default CNN+LSTM (fresh weights: the cost does not depend on their values), per backend.
// 1. Through the REAL steering worker: predict(frame) and, after the same frame, each overlay
//    request (none, VisualBackProp, Grad-CAM, HiResCAM, the conv layer views, the gate trace), in
//    alternating blocks; the worker's own milliseconds for each (its `ms` fields). VisualBackProp
//    of the live frame reads the conv channel means the predictor kept while encoding it
//    ('vbp', only the calls where it did: `shared`); 'vbp_own' asks for the same frame as a
//    still frame, which runs its own conv forward (the path before the maps were shared). The
//    prediction times are kept per kind: 'none' is the prediction alone (no conv maps kept).
// 2. In the page: VisualBackProp's backward half alone (channel means -> transposed-conv
//    spreading -> products; src/model/saliency.ts visualBackPropFromMeans), pure JS.
// Frames are real dash frames: the expert on the oval through the real renderer.
// Params: backends=cpu,wasm,webgl,webgpu; blocks=<n> (interleaved blocks of 5 calls per kind);
// start=<backend> (the worker's first backend, default wasm: the others are switched to in the
// same worker); kinds=none,vbp,... (default all); behind=<n> rounds of a prediction sent right
// behind each kind of overlay request (default 3 on cpu/webgpu, 8 elsewhere), and as many of one
// sent while a Grad-CAM / HiResCAM is under way (40% into its median time).
import { startSteeringWorker, transferBytes } from '../../../src/app/steeringClient.ts';
import { DEFAULT_CONFIG, createSteeringNet, initBackend, type BackendName } from '../../../src/model/index.ts';
import { convGeometries, visualBackPropFromMeans } from '../../../src/model/saliency.ts';
import type { OverlayRequest } from '../../../workers/overlayApi.ts';
import { figure, listParam, median, type Figure, type SuiteOptions, type SuiteResult } from '../../lib/stats.ts';
import { BENCH_SPEED, dashFrames, expertDrive } from '../drive.ts';
import { modelZip } from '../modelZip.ts';
import { progress } from '../progress.ts';

const FRAME = { width: 200, height: 66 };
const FB = FRAME.width * FRAME.height * 3;
const ALL_BACKENDS: BackendName[] = ['cpu', 'wasm', 'webgl', 'webgpu'];
const KINDS: Record<string, OverlayRequest> = {
  none: {},
  vbp: { saliency: 'vbp' },
  vbp_own: { saliency: 'vbp' },
  gradcam: { saliency: 'gradcam' },
  hirescam: { saliency: 'hirescam' },
  layers: { featureChannels: 16 },
  gates: { gates: true },
};

export async function run(options: SuiteOptions): Promise<SuiteResult> {
  const { quick } = options;
  const backends = (listParam(options, 'backends') ?? (quick ? ['wasm'] : ALL_BACKENDS)) as BackendName[];
  const kindsFor = (): string[] => listParam(options, 'kinds') ?? Object.keys(KINDS);
  const figures: Record<string, Figure> = {};
  const ratios: Record<string, number> = {};
  const notes: string[] = [];
  const drive = expertDrive('oval', quick ? 24 : 60, 60);
  const frames = await dashFrames('oval', drive.poses, FRAME.width, FRAME.height);
  const frameCount = frames.length / FB;
  const frameAt = (i: number): Uint8Array => frames.slice((i % frameCount) * FB, ((i % frameCount) + 1) * FB);
  const { zip } = await modelZip(DEFAULT_CONFIG, drive.targets);
  notes.push(`model: DEFAULT_CONFIG (CNN+LSTM, input ${DEFAULT_CONFIG.input.height}x${DEFAULT_CONFIG.input.width}, T=${DEFAULT_CONFIG.sequence.window}), fresh weights; ${FRAME.width}x${FRAME.height} dash frames from the real renderer`);

  const worker = startSteeringWorker();
  try {
    const api = worker.api;
    await api.init({ backend: (options.params.start as BackendName | undefined) ?? 'wasm' });
    const meta = await api.importModel(transferBytes(zip));
    for (const backend of backends) {
      try {
        await api.init({ backend });
      } catch (e) {
        notes.push(`worker ${backend}: skipped (${(e as Error).message})`);
        continue;
      }
      try {
        await measure(backend, meta.id);
      } catch (e) {
        notes.push(`worker ${backend}: failed (${(e as Error).message.split('\n')[0]})`);
        progress(`saliency: ${backend} failed: ${(e as Error).stack ?? ''}`);
      }
    }
    await api.unloadModel();
  } finally {
    worker.terminate();
  }
  async function measure(backend: BackendName, modelId: string): Promise<void> {
    {
      const api = worker.api;
      await api.loadModel(modelId, FRAME);
      const kindNames = kindsFor();
      const slow = backend === 'webgpu' || backend === 'cpu';
      const blocks = Number(options.params.blocks) || (quick ? 2 : slow ? 4 : 10);
      const perBlock = options.params.blocks ? 5 : quick ? 3 : 5;
      const t: Record<string, number[]> = { encode: [], vbp_with_predict: [] };
      for (const k of Object.keys(KINDS)) [t[k], t[`predict.${k}`], t[`behind.${k}`], t[`behind_worker.${k}`], t[`overlay_first.${k}`]] = [[], [], [], [], []];
      let unshared = 0;
      let i = 0;
      for (let w = 0; w < 8; w++) await api.predict(transferBytes(frameAt(i++)), BENCH_SPEED);
      for (const k of kindNames) {
        progress(`saliency: ${backend}: warming ${k}`);
        await api.overlayViews(KINDS[k]!); // warm each path once
      }
      for (let b = 0; b < blocks; b++) {
        for (const k of kindNames) {
          const req = KINDS[k]!;
          for (let r = 0; r < perBlock; r++) {
            const frame = frameAt(i++);
            const p = await api.predict(transferBytes(frame.slice()), BENCH_SPEED);
            const v = await api.overlayViews(req, k === 'vbp_own' ? { pixels: frame, width: FRAME.width, height: FRAME.height } : undefined);
            if (!v) throw new Error('no overlay views after a prediction');
            // The first live VisualBackProp after another kind finds no maps yet (its own forward): left out.
            if (k === 'vbp' && !v.saliency?.shared) {
              unshared++;
              continue;
            }
            t[`predict.${k}`].push(p.ms.total);
            if (k === 'none') t.encode.push(p.ms.encode);
            t[k].push(k === 'layers' ? v.ms.layers : k === 'gates' ? v.ms.gates : v.ms.saliency);
            if (k === 'vbp') t.vbp_with_predict.push(p.ms.total + v.ms.saliency);
          }
        }
      }
      // Behind: an overlay request and, right after it (not awaited), the next prediction, as the
      // app sends them; the prediction's round trip from the page, and whether it came back first.
      const rounds = Number(options.params.behind ?? (slow ? 3 : 8));
      for (let r = 0; r < rounds; r++) {
        for (const k of kindNames) {
          const frame = frameAt(i++);
          const t0 = performance.now();
          let overlayAt = 0;
          const ov = api.overlayViews(KINDS[k]!, k === 'vbp_own' ? { pixels: frame.slice(), width: FRAME.width, height: FRAME.height } : undefined).then(() => (overlayAt = performance.now()));
          const p = await api.predict(transferBytes(frame), BENCH_SPEED);
          const predictAt = performance.now();
          await ov;
          t[`behind.${k}`].push(predictAt - t0);
          t[`behind_worker.${k}`].push(p.ms.total);
          if (overlayAt && overlayAt < predictAt) t[`overlay_first.${k}`].push(1);
          else t[`overlay_first.${k}`].push(0);
        }
      }
      // Late: the prediction sent while the overlay's own tensor work is under way (after 40% of that
      // kind's median worker time from the blocks above): how long it waits behind that work.
      const lateKinds = kindNames.filter((k) => k === 'gradcam' || k === 'hirescam');
      for (let r = 0; r < rounds; r++) {
        for (const k of lateKinds) {
          const frame = frameAt(i++);
          const delay = 0.4 * median(t[k]);
          const ov = api.overlayViews(KINDS[k]!);
          await new Promise((resolve) => setTimeout(resolve, delay));
          let overlayDone = false;
          void ov.then(() => (overlayDone = true));
          const t0 = performance.now();
          const p = await api.predict(transferBytes(frame), BENCH_SPEED);
          (t[`late.${k}`] ??= []).push(performance.now() - t0);
          (t[`late_worker.${k}`] ??= []).push(p.ms.total);
          (t[`late_overlay_first.${k}`] ??= []).push(overlayDone ? 1 : 0);
          await ov;
        }
      }
      for (const k of lateKinds) {
        figures[`predict_late_behind_overlay_ms.${backend}.${k}`] = figure(t[`late.${k}`], 'ms');
        ratios[`predict_late_behind_overlay_vs_alone.${backend}.${k}`] = median(t[`late.${k}`]) / median(t['behind.none']);
      }
      if (lateKinds.length > 0) progress(`saliency: ${backend}: a prediction sent 40% into an overlay's own work, round trip (median ms [max]; overlay answered first n/${rounds}): ${lateKinds.map((k) => `${k} ${median(t[`late.${k}`]).toFixed(1)} [${Math.max(...t[`late.${k}`]).toFixed(1)}] (${t[`late_overlay_first.${k}`].reduce((a, b) => a + b, 0)}; worker ${median(t[`late_worker.${k}`]).toFixed(1)})`).join(', ')}`);
      for (const k of kindNames) {
        figures[`predict_behind_overlay_ms.${backend}.${k}`] = figure(t[`behind.${k}`], 'ms');
        ratios[`predict_behind_overlay_vs_none.${backend}.${k}`] = median(t[`behind.${k}`]) / median(t['behind.none']);
      }
      progress(`saliency: ${backend}: a prediction sent right behind an overlay request, round trip (median ms; overlay answered first n/${rounds}): ${kindNames.map((k) => `${k} ${median(t[`behind.${k}`]).toFixed(1)} (${t[`overlay_first.${k}`].reduce((a, b) => a + b, 0)})`).join(', ')}`);
      const alone = t['predict.none'];
      figures[`predict_ms.${backend}.worker_inside`] = figure(alone, 'ms');
      figures[`encode_ms.${backend}.worker_inside`] = figure(t.encode, 'ms');
      if (kindNames.includes('vbp')) {
        figures[`predict_ms.${backend}.keeping_conv_maps`] = figure(t['predict.vbp'], 'ms');
        figures[`predict_plus_vbp_ms.${backend}`] = figure(t.vbp_with_predict, 'ms');
        ratios[`predict_plus_vbp_vs_predict.${backend}`] = median(t.vbp_with_predict) / median(alone);
        ratios[`keeping_conv_maps_vs_predict.${backend}`] = median(t['predict.vbp']) / median(alone);
      }
      for (const k of kindNames) {
        if (k === 'none') continue;
        figures[`overlay_ms.${backend}.${k}`] = figure(t[k], 'ms');
        ratios[`overlay_vs_predict.${backend}.${k}`] = median(t[k]) / median(alone);
      }
      notes.push(`${backend}: ${unshared} of ${blocks * perBlock} live VisualBackProp calls found no shared maps (the first of each block) and were left out`);
      progress(`saliency: ${backend}: predict ${median(alone).toFixed(2)} ms, predict keeping maps ${median(t['predict.vbp']).toFixed(2)} ms, predict + vbp ${median(t.vbp_with_predict).toFixed(2)} ms, ${kindNames.map((k) => `${k} ${median(t[k]).toFixed(2)}`).join(', ')} ms`);
    }
  }
  notes.push('predict_late_behind_overlay_ms.<backend>.<kind>: (gradcam, hirescam) the round trip of a prediction sent 40% of that kind\'s median worker time after the overlay request, i.e. while its own tensor work runs; against predict_behind_overlay_ms.<backend>.none, the prediction alone');
  notes.push('predict_behind_overlay_ms.<backend>.<kind>: the round trip (page to page) of a prediction sent right behind an overlay request of that kind, not waiting for it (as the app does); kind none is the round trip behind an empty request: the prediction alone');
  notes.push('predict_ms.<backend>.worker_inside: the worker\'s own time for predict() (preprocess + CNN + LSTM) with no overlay asked for (kind none); encode_ms: its CNN part; predict_ms.<backend>.keeping_conv_maps: predict() while VisualBackProp is asked for (the predictor also keeps the conv channel means); predict_plus_vbp_ms: that plus the VisualBackProp call from those maps, per frame; overlay_ms.<backend>.<kind>: the worker\'s own time for that overlay on the frame just predicted (vbp: from the predictor\'s maps, JS only; vbp_own, layers: one conv forward of the newest frame + JS; gradcam, hirescam: conv forward and backward of the newest frame through the recurrent head; gates: encoding the T frames of the window + the cell in JS); overlay_vs_predict = overlay ms / predict ms, medians of interleaved calls');

  // VisualBackProp's backward half alone, on real channel-mean sizes of the default encoder.
  await initBackend('cpu');
  const net = createSteeringNet(DEFAULT_CONFIG);
  try {
    const g = convGeometries(net);
    const means = g.map((l, k) => Float32Array.from({ length: l.outHeight * l.outWidth }, (_, j) => ((j * 7919 + k * 31) % 97) / 97));
    const runs: number[] = [];
    for (let r = 0; r < (quick ? 50 : 500); r++) {
      const t0 = performance.now();
      visualBackPropFromMeans(means, g);
      runs.push(performance.now() - t0);
    }
    figures['vbp_backward_ms.js'] = figure(runs, 'ms');
    notes.push(`vbp_backward_ms.js: VisualBackProp after the forward (spreading + products over ${g.map((l) => `${l.outHeight}x${l.outWidth}`).join(', ')} mean maps to ${DEFAULT_CONFIG.input.height}x${DEFAULT_CONFIG.input.width}), JS in the page`);
    const wasm = figures['encode_ms.wasm.worker_inside'];
    if (wasm) ratios['vbp_backward_vs_encode.wasm'] = figures['vbp_backward_ms.js'].median / wasm.median;
  } finally {
    net.dispose();
  }
  return { figures, ratios, notes };
}
