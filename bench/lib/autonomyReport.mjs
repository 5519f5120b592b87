// The Markdown report of bench/autonomy.mjs: the options, the training figures, DAgger rounds,
// the held-out set per round, per track, per theme and per lap, and sequence vs frame.

export const mean = (xs) => (xs.length ? xs.reduce((x, y) => x + y, 0) / xs.length : null);
/** Autonomy over laps, weighted by the seconds each was engaged. */
export const weightedAutonomy = (rows) => rows.reduce((x, r) => x + r.autonomyPct * r.engagedS, 0) / Math.max(1e-9, rows.reduce((x, r) => x + r.engagedS, 0));

/** `results` as bench/autonomy.mjs writes it to JSON; `opts` its options; `a` its parsed arguments. */
export function autonomyReport(results, opts, a) {
  const f = results.figures;
  const rm = (r) => (r ? `${r.steering.toFixed(3)} / ${r.speed.toFixed(2)} / ${r.torque.toFixed(3)}` : '–');
  const ratio = (x, b) => (x && b ? ` (${(x / b).toFixed(2)}x)` : '');
  const rmRatio = (r, b) => (r ? `${r.steering.toFixed(3)}${ratio(r.steering, b?.steering)} / ${r.speed.toFixed(2)}${ratio(r.speed, b?.speed)} / ${r.torque.toFixed(3)}${ratio(r.torque, b?.torque)}` : '–');
  const groupRows = (key) => [...new Set(results.laps.map((r) => r[key]))].map((k) => {
    const rows = results.laps.filter((r) => r[key] === k);
    const times = rows.map((r) => r.lapTimeOverExpert).filter((x) => x !== null);
    return `| ${k} | ${rows.reduce((x, r) => x + r.lapsCompleted, 0)} | ${rows.reduce((x, r) => x + r.cleanLaps, 0)} | ${rows.reduce((x, r) => x + r.interventions, 0)} | ${weightedAutonomy(rows).toFixed(1)} | ${times.length ? mean(times).toFixed(3) : '–'} |`;
  });
  const seedRows = f.seeds ? Object.entries(f.seeds).map(([kind, s]) => `| ${kind === 'cnn' ? 'single-frame CNN' : 'CNN+LSTM'} | ${s.steering.mean.toFixed(4)} ± ${s.steering.sd.toFixed(4)} | ${s.speed.mean.toFixed(2)} ± ${s.speed.sd.toFixed(2)} | ${s.torque.mean.toFixed(3)} ± ${s.torque.sd.toFixed(3)} | ${s.runs.map((r) => r.epochs).join(', ')} |`) : [];
  return [
    '# Closed-loop autonomy benchmark',
    '',
    `Options: ${JSON.stringify(opts)}; throttle from the ${a.throttle} head; speed governor ${a.governor}.`,
    '',
    results.phases.recordS === undefined
      ? `Drove the model ${a.model} (no recording or training in this run); driving ${results.phases.driveS?.toFixed(0)} s.`
      : results.phases.trainS === undefined
      ? `Continued from the model ${a.model}: recording ${results.phases.recordS.toFixed(0)} s (the aggregate's first clips); DAgger ${results.phases.daggerS?.toFixed(0) ?? 0} s; driving ${results.phases.driveS?.toFixed(0)} s.`
      : results.phases.trainStartS !== undefined
      ? `Recording ${results.phases.recordS.toFixed(0)} s and training ${results.phases.trainS.toFixed(0)} s overlapped (--overlap: training from ${results.phases.trainStartS.toFixed(0)} s into recording${f.overlap?.startedWhileRecording ? '' : ', which it did not reach before recording ended'}) = ${f.record_plus_train_s.toFixed(0)} s wall from the start of recording to the end of training; DAgger ${results.phases.daggerS?.toFixed(0) ?? 0} s; driving ${results.phases.driveS?.toFixed(0)} s. The CNN+LSTM's validation RMSE below is on every held-out clip, measured after the run (which validated on the ${f.overlap?.firstValClips} held out before it began${f.overlap?.runValRmse ? `: steering ${f.overlap.runValRmse.steering.toFixed(3)}` : ''}).`
      : `Recording ${results.phases.recordS.toFixed(0)} s + training ${results.phases.trainS.toFixed(0)} s = ${f.record_plus_train_s.toFixed(0)} s; DAgger ${results.phases.daggerS?.toFixed(0) ?? 0} s${results.phases.daggerS ? ` (the loop, empty database to the final model: ${f.loop_s?.toFixed(0)} s)` : ''}; driving ${results.phases.driveS?.toFixed(0)} s.`,
    '',
    '| model | validation RMSE steering / speed (m/s) / torque (x the constant predictor) | epochs | examples/s | wall s |',
    '| --- | --- | ---: | ---: | ---: |',
    `| CNN+LSTM | ${rmRatio(f.cnn_lstm?.valRmse, f.cnn_lstm?.baselineRmse)} | ${f.cnn_lstm?.epochs ?? '–'} | ${f.cnn_lstm?.examplesPerSecond?.toFixed(0) ?? '–'} | ${f.cnn_lstm?.wallS?.toFixed(0) ?? '–'} |`,
    `| single-frame CNN | ${rmRatio(f.cnn?.valRmse, f.cnn?.baselineRmse)} | ${f.cnn?.epochs ?? '–'} | ${f.cnn?.examplesPerSecond?.toFixed(0) ?? '–'} | ${f.cnn?.wallS?.toFixed(0) ?? '–'} |`,
    `| constant predictor | ${rm(f.cnn_lstm?.baselineRmse)} | | | |`,
    '',
    ...(f.cnn_lstm?.speedometerRmse ? [
      `The speedometer alone ("hold the present speed", which the constant predictor ignores) predicts the speed label to ${f.cnn_lstm.speedometerRmse.toFixed(2)} m/s RMSE: the CNN+LSTM's speed head is ${ratio(f.cnn_lstm.valRmse?.speed, f.cnn_lstm.speedometerRmse).trim().replace(/[()]/g, '') || '–'} that.`,
      '',
    ] : []),
    ...(seedRows.length ? [
      `Seeds (${opts.seeds} each, same ${opts.epochs ? `${opts.epochs} epochs` : `${opts.budget} s budget`}): validation RMSE, mean ± sd`,
      '',
      '| model | steering | speed (m/s) | torque | epochs |',
      '| --- | ---: | ---: | ---: | --- |',
      ...seedRows,
      '',
    ] : []),
    ...(results.dagger?.length ? [
      'DAgger rounds (rollout autonomy is the model before that round\'s fine-tuning, on the training tracks it drove)',
      '',
      '| round | tracks x themes | rollout autonomy % | interventions | new clips | validation RMSE steering / speed / torque after | epochs | wall s |',
      '| ---: | --- | ---: | ---: | ---: | --- | ---: | ---: |',
      ...results.dagger.map((d) => `| ${d.round} | ${d.trackIds.join(',')} x ${d.themes.join(',')} | ${d.rolloutAutonomyPct.toFixed(1)} | ${d.rolloutInterventions} | ${d.newClips} | ${rm(d.valRmse)} | ${d.epochs} | ${d.wallS.toFixed(0)} |`),
      '',
    ] : []),
    ...(results.heldoutByRound?.length ? [
      'The held-out set after each DAgger round (--drive-rounds; round 0: before DAgger)'
        + (results.selectedRound === undefined ? ':' : `; --select-best kept round ${results.selectedRound}, whose laps are the tables below:`),
      '',
      '| after round | laps | clean | interventions | autonomy % | lap time / expert |',
      '| ---: | ---: | ---: | ---: | ---: | ---: |',
      ...results.heldoutByRound.map((r) => `| ${r.round} | ${r.laps} | ${r.clean_laps} | ${r.interventions} | ${r.autonomy_pct.toFixed(1)} | ${r.lap_time_over_expert?.toFixed(3) ?? '–'} |`),
      '',
    ] : []),
    ...(results.validationByRound?.length ? [
      `The validation tracks (${opts.validation?.join(', ')}; never the held-out ones) after each DAgger round (--validation; round 0: before DAgger)`
        + (results.selectedRound === undefined ? ':' : `; --select-best kept round ${results.selectedRound}, which alone drove the held-out laps below:`),
      '',
      '| after round | laps | clean | interventions | autonomy % | lap time / expert |',
      '| ---: | ---: | ---: | ---: | ---: | ---: |',
      ...results.validationByRound.map((r) => `| ${r.round} | ${r.laps} | ${r.clean_laps} | ${r.interventions} | ${r.autonomy_pct.toFixed(1)} | ${r.lap_time_over_expert?.toFixed(3) ?? '–'} |`),
      '',
    ] : []),
    'Per held-out track (all themes):',
    '',
    '| track | laps | clean | interventions | autonomy % | lap time / expert |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...groupRows('trackId'),
    '',
    'Per theme (all held-out tracks):',
    '',
    '| theme | laps | clean | interventions | autonomy % | lap time / expert |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...groupRows('theme'),
    '',
    'Every lap:',
    '',
    '| track | theme | laps | clean | interventions | autonomy % | lap time / expert |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
    ...results.laps.map((r) => `| ${r.trackId} | ${r.theme} | ${r.lapsCompleted} | ${r.cleanLaps} | ${r.interventions} | ${r.autonomyPct.toFixed(1)} | ${r.lapTimeOverExpert?.toFixed(3) ?? '–'} |`),
    '',
    `Closed-loop autonomy: **${f.autonomy_pct?.toFixed(1)}%**; clean laps ${f.clean_laps} of ${f.laps}; lap time ${f.lap_time_over_expert?.toFixed(3) ?? '–'}x the expert's (mean)`
      + (results.laps.some((r) => r.unfinished) ? `; ${results.laps.filter((r) => r.unfinished).length} lap(s) not finished in the time allowed, counted 0% (the car stopped or crawled).` : '.'),
    '',
    ...(f.closed_loop_before_dagger ? [
      'Sequence vs frame in closed loop: the CNN+LSTM and the single-frame CNN as trained on the same budget (before DAgger), on the same laps (each held-out track once, the themes in turn)',
      '',
      '| model | laps | clean | autonomy % | lap time / expert |',
      '| --- | ---: | ---: | ---: | ---: |',
      ...Object.entries(f.closed_loop_before_dagger).map(([k, v]) => `| ${k === 'cnn' ? 'single-frame CNN' : 'CNN+LSTM'} | ${v.laps} | ${v.clean_laps} | ${v.autonomy_pct.toFixed(1)} | ${v.lap_time_over_expert?.toFixed(3) ?? '–'} |`),
      '',
    ] : []),
    ...(f.closed_loop_seeds ? [
      `The same laps for every seed of each (--seeds ${opts.seeds}): closed-loop autonomy and lap time per seed, mean ± sd`,
      '',
      '| model | seed | laps | clean | interventions | autonomy % | lap time / expert |',
      '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
      ...Object.entries(f.closed_loop_seeds).flatMap(([k, v]) => [
        ...v.per_seed.map((p) => `| ${k === 'cnn' ? 'single-frame CNN' : 'CNN+LSTM'} | ${p.seed} | ${p.laps} | ${p.clean_laps} | ${p.interventions} | ${p.autonomy_pct.toFixed(1)} | ${p.lap_time_over_expert?.toFixed(3) ?? '–'} |`),
        `| **${k === 'cnn' ? 'single-frame CNN' : 'CNN+LSTM'}, mean ± sd** | | ${v.laps} | ${v.clean_laps} | | **${v.autonomy_pct.mean.toFixed(1)} ± ${v.autonomy_pct.sd.toFixed(1)}** | ${v.lap_time_over_expert.mean.toFixed(3)} ± ${v.lap_time_over_expert.sd.toFixed(3)} |`,
      ]),
      '',
    ] : []),
  ].join('\n');
}
