// How much of the speed label a frame can tell, without a network: the expert drives each
// track for four minutes (as auto-record does, with steering noise and weaves), and a linear
// least-squares fit predicts the speed h seconds ahead from (a) the bends ahead only (max
// |curvature| in five distance bands, what a camera can see) and (b) the bends plus the present
// speed (the speedometer). Ratios are RMSE / the constant predictor's; "persistence" predicts
// that the speed stays. This is why the model reads the measured speed (docs/formats.md). The
// same fits for the expert's torque say how much of it a frame and the speedometer can tell.
// Run: npx tsx bench/node/speedFit.ts [trackIds...]   (default: the validation tracks 5 1234)
import { carSpeed } from '../../src/sim/car.ts';
import { createExpert } from '../../src/sim/expert.ts';
import { resolveTrack } from '../../src/sim/tracks.ts';
import { createWorld, stepWorld } from '../../src/sim/world.ts';

const tracks = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['5', '1234'];
const AHEAD_S = [0.5, 1, 2];
const RATE = 20;
const BANDS = [[0, 10], [10, 25], [25, 45], [45, 70], [70, 100]] as const;

interface Row { bends: number[]; speed: number; torque: number; ahead: number[]; past: number[] }
const rows: Row[] = [];
for (const id of tracks) {
  const track = resolveTrack(id);
  const expert = createExpert(track, { seed: 3, steerNoise: 0.1, weaveRate: 0.15 });
  let w = createWorld(track);
  const seq: { bends: number[]; speed: number; torque: number }[] = [];
  for (let t = 0; t < 60 * 240; t++) {
    const c = expert.control(w);
    if (t % (60 / RATE) === 0) {
      const s = w.trackPos.s;
      const bends: number[] = [];
      for (const [a, b] of BANDS) {
        let m = 0;
        for (let d = a; d < b; d += track.ds) {
          const i = Math.floor((((s + d) % track.length) + track.length) % track.length / track.ds) % track.n;
          m = Math.max(m, Math.abs(track.curvatures[i]));
        }
        bends.push(m * 30, Math.sqrt(m * 30));
      }
      seq.push({ bends, speed: carSpeed(w.car), torque: c.torque });
    }
    w = stepWorld(w, c);
  }
  const last = Math.max(...AHEAD_S) * RATE;
  for (let i = 2; i + last < seq.length; i++) rows.push({ ...seq[i], ahead: AHEAD_S.map((h) => seq[i + h * RATE].speed), past: [seq[i - 1].speed, seq[i - 2].speed] });
}

/** RMSE of the least-squares fit of y on X (with intercept), and of the constant (mean) predictor. */
function fit(X: number[][], y: number[]): { rmse: number; constant: number } {
  const p = X[0].length;
  const A = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  const b = new Array<number>(p).fill(0);
  for (let i = 0; i < X.length; i++) {
    for (let j = 0; j < p; j++) {
      b[j] += X[i][j] * y[i];
      for (let k = 0; k < p; k++) A[j][k] += X[i][j] * X[i][k];
    }
  }
  for (let j = 0; j < p; j++) A[j][j] += 1e-6;
  for (let c = 0; c < p; c++) {
    let piv = c;
    for (let r = c + 1; r < p; r++) if (Math.abs(A[r][c]) > Math.abs(A[piv][c])) piv = r;
    [A[c], A[piv]] = [A[piv], A[c]];
    [b[c], b[piv]] = [b[piv], b[c]];
    for (let r = 0; r < p; r++) {
      if (r === c) continue;
      const m = A[r][c] / A[c][c];
      for (let k = c; k < p; k++) A[r][k] -= m * A[c][k];
      b[r] -= m * b[c];
    }
  }
  const w = b.map((v, j) => v / A[j][j]);
  const mean = y.reduce((s, v) => s + v, 0) / y.length;
  let se = 0;
  let sc = 0;
  X.forEach((x, i) => {
    se += (x.reduce((s, v, j) => s + v * w[j], 0) - y[i]) ** 2;
    sc += (mean - y[i]) ** 2;
  });
  return { rmse: Math.sqrt(se / y.length), constant: Math.sqrt(sc / y.length) };
}

console.log(`tracks ${tracks.join(', ')}: ${rows.length} steps at ${RATE} Hz`);
console.log('| speed ahead | constant RMSE m/s | bends only | bends + present speed | persistence |');
console.log('| --- | --- | --- | --- | --- |');
AHEAD_S.forEach((h, k) => {
  const y = rows.map((r) => r.ahead[k]);
  const bendsOnly = fit(rows.map((r) => [1, ...r.bends]), y);
  const v = (r: Row) => r.speed / 20;
  const withSpeed = fit(rows.map((r) => [1, ...r.bends, v(r), v(r) ** 2, v(r) * r.bends[0], v(r) * r.bends[2]]), y);
  const persistence = Math.sqrt(rows.reduce((s, r) => s + (r.ahead[k] - r.speed) ** 2, 0) / rows.length);
  const ratio = (x: number) => `${(x / bendsOnly.constant).toFixed(2)}x`;
  console.log(`| ${h} s | ${bendsOnly.constant.toFixed(2)} | ${ratio(bendsOnly.rmse)} | ${ratio(withSpeed.rmse)} | ${ratio(persistence)} |`);
});
{
  // The expert's torque: hold(v) + 0.3 x (planned speed a few metres ahead - v), clamped.
  const y = rows.map((r) => r.torque);
  const v = (r: Row) => r.speed / 20;
  const bendsOnly = fit(rows.map((r) => [1, ...r.bends]), y);
  const withSpeed = fit(rows.map((r) => [1, ...r.bends, v(r), v(r) ** 2, v(r) * r.bends[0], v(r) * r.bends[1], v(r) * r.bends[2]]), y);
  const share = (lo: number) => rows.filter((r) => Math.abs(r.torque) >= lo).length / rows.length;
  console.log(`torque: constant RMSE ${bendsOnly.constant.toFixed(3)}; linear fit on the bends ${(bendsOnly.rmse / bendsOnly.constant).toFixed(2)}x, on the bends + present speed ${(withSpeed.rmse / bendsOnly.constant).toFixed(2)}x; |torque| = 1 (saturated) ${(100 * share(0.999)).toFixed(0)}% of steps`);
}
{
  // The speedometer's last readings (what the CNN+LSTM is fed frame by frame): the change in speed
  // over the last step is what the torque applied then did to the car.
  const y = rows.map((r) => r.torque);
  const v = (r: Row) => r.speed / 20;
  const d1 = (r: Row) => (r.speed - r.past[0]) * RATE / 10;
  const d2 = (r: Row) => (r.past[0] - r.past[1]) * RATE / 10;
  const base = fit(rows.map((r) => [1, v(r), v(r) ** 2]), y);
  const hist = fit(rows.map((r) => [1, v(r), v(r) ** 2, d1(r), d2(r), d1(r) * v(r), d1(r) * v(r) ** 2]), y);
  const histBends = fit(rows.map((r) => [1, ...r.bends, v(r), v(r) ** 2, d1(r), d2(r), d1(r) * v(r), d1(r) * v(r) ** 2]), y);
  console.log(`torque from the speedometer: its present reading ${(base.rmse / base.constant).toFixed(2)}x; + its last two changes ${(hist.rmse / base.constant).toFixed(2)}x; + the bends ${(histBends.rmse / base.constant).toFixed(2)}x`);
}
{
  // The same, as auto-record labels it: the expert at auto-record's pace with its speed noise
  // drives, and the torque label is what the noise-free expert means to do in each state (DART,
  // `cleanControl`), so the speed's changes carry the noisy throttle, not the label's.
  const out: { speed: number; past: number[]; torque: number }[] = [];
  for (const id of tracks) {
    const track = resolveTrack(id);
    const expert = createExpert(track, { seed: 3, pace: 0.62, steerNoise: 0.1, weaveRate: 0.15, speedNoise: 0.1 });
    let w = createWorld(track);
    const seq: { speed: number; torque: number }[] = [];
    for (let t = 0; t < 60 * 240; t++) {
      const c = expert.control(w);
      if (t % (60 / RATE) === 0) seq.push({ speed: carSpeed(w.car), torque: expert.cleanControl(w).torque });
      w = stepWorld(w, c);
    }
    for (let i = 3; i < seq.length; i++) out.push({ speed: seq[i].speed, past: [seq[i - 1].speed, seq[i - 2].speed, seq[i - 3].speed], torque: seq[i].torque });
  }
  const y = out.map((r) => r.torque);
  const v = (r: (typeof out)[number]) => r.speed / 20;
  const d = (r: (typeof out)[number], k: number) => ((k === 0 ? r.speed : r.past[k - 1]) - r.past[k]) * RATE / 10;
  const base = fit(out.map((r) => [1, v(r), v(r) ** 2]), y);
  const two = fit(out.map((r) => [1, v(r), v(r) ** 2, d(r, 0), d(r, 1), d(r, 0) * v(r), d(r, 0) * v(r) ** 2]), y);
  const three = fit(out.map((r) => [1, v(r), v(r) ** 2, d(r, 0), d(r, 1), d(r, 2), d(r, 0) * v(r), d(r, 0) * v(r) ** 2]), y);
  console.log(`auto-record (pace 0.62, speed noise 0.1, clean torque labels): the present speed ${(base.rmse / base.constant).toFixed(2)}x; + its last two changes ${(two.rmse / base.constant).toFixed(2)}x; + three ${(three.rmse / base.constant).toFixed(2)}x`);
}
