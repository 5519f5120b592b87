// Where auto-recorded clips start (Library > Auto-record > Clips start), through the real UI: the
// estimate suggests spreading when clips from the grid would be short, the player picks "spread
// around the lap", records, and exports the clips; their labels.csv show each track's first clip
// starting at rest on the grid and its other clip starting elsewhere on the lap, already moving.
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { strFromU8, unzipSync } from 'fflate';
import { GamePage } from './gamePage.ts';

/** The first row of a clip archive's labels.csv, by column name. */
function firstRow(csv: string): Record<string, number> {
  const [header, row] = csv.split('\n');
  const names = header.split(',');
  const cells = row.split(',');
  return Object.fromEntries(names.map((n, i) => [n, Number(cells[i])]));
}

test('"spread around the lap": a track\'s second clip starts away from the start line, moving', async ({ page }, info) => {
  test.setTimeout(300_000);
  const game = new GamePage(page);
  await game.open('?track=oval');
  // Two presets x two themes over 0.3 minutes: 4 clips of 4.5 s.
  await game.fillAutoRecord({ presets: ['oval', 'kidney'], themes: ['night'], minutes: '0.3' });
  // The default seed comes from the clock; where a spread clip starts comes from the seed (a lap
  // fraction (1 + u) / 2, u in [0, 1), so some seeds start it just before the line). Seed 2 puts
  // the second clip 0.62 of the way round: 228 m from the grid on the oval, 331 m on the kidney.
  const seed = page.getByTestId('autorecord-seed');
  await seed.fill('2');
  await seed.blur();
  const estimate = page.getByTestId('autorecord-estimate');
  const startMode = page.getByTestId('autorecord-start-mode');
  // From the grid (the default), 4.5 s clips are mostly launches: the estimate says so.
  await expect(startMode).toHaveValue('standing');
  await expect(estimate).toContainText('in 4 clips');
  await expect(estimate).toHaveAttribute('data-start-hint', 'true');
  await expect(estimate).toContainText('spread around the lap');
  await startMode.selectOption({ label: 'spread around the lap' });
  await expect(estimate).toHaveAttribute('data-start-hint', 'false');
  await page.getByTestId('autorecord-start').click();

  const rows = page.getByTestId('clip-row');
  await expect(rows).toHaveCount(4, { timeout: 240_000 });
  await expect(page.getByTestId('autorecord-progress')).toBeHidden({ timeout: 240_000 });
  for (const row of await rows.all()) await expect(row).toHaveAttribute('data-status', 'complete');

  // Export the four clips and read where each one's first recorded step is.
  for (const row of await rows.all()) await row.getByTestId('clip-select').check();
  const download = page.waitForEvent('download');
  await page.getByTestId('export-zip').click();
  const file = info.outputPath('spread.zip');
  await (await download).saveAs(file);
  const zip = unzipSync(new Uint8Array(readFileSync(file)));
  const manifest = JSON.parse(strFromU8(zip['manifest.json'])) as { clips: { trackId: string; theme: string; labels: { file: string } }[] };
  expect(manifest.clips).toHaveLength(4);
  const first = new Map(manifest.clips.map((c) => [`${c.trackId} ${c.theme}`, firstRow(strFromU8(zip[c.labels.file]))]));
  for (const track of ['oval', 'kidney']) {
    const grid = first.get(`${track} day`);
    const spread = first.get(`${track} night`);
    if (!grid || !spread) throw new Error(`missing a clip on ${track}: ${[...first.keys()].join(', ')}`);
    // The track's first clip starts at rest on the grid, the engine's default for it.
    expect(grid.speed, `${track} day: first step's speed`).toBeLessThan(2);
    // Its second starts elsewhere on the lap, after an unrecorded run-up.
    expect(spread.speed, `${track} night: first step's speed`).toBeGreaterThan(5);
    const apart = Math.hypot(spread.x - grid.x, spread.y - grid.y);
    expect(apart, `${track}: metres between the two clips' first steps`).toBeGreaterThan(50);
  }
  expect(game.errors).toEqual([]);
});
