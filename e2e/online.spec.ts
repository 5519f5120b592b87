// The online leaderboard end to end: the real server (server/main.ts, SQLite in a temp dir)
// serves the e2e build that Playwright's webServer made (dist-e2e-<E2E_PORT>) and the API on its
// own port; a player sets a name, drives a lap, submits it, sees it ranked, and races its ghost
// downloaded from the server; an autopilot lap's model is downloaded and watched driving it, and
// the game says whether the lap reproduces. Served as static files alone (the webServer), the
// tab says offline.

import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { startServerProcess, type ServerProcess } from '../server/testProcess.ts';
import { GamePage } from './gamePage.ts';

const E2E_PORT = Number(process.env.E2E_PORT ?? 4173);
let server: ServerProcess;

test.beforeAll(async () => {
  server = await startServerProcess({
    PORT: String(E2E_PORT + 1),
    STATIC_DIR: `dist-e2e-${E2E_PORT}`,
    DATA_DIR: mkdtempSync(join(tmpdir(), 'deepsteer-e2e-online-')),
    SEED_REPLAY: 'assets/replays/oval-expert.replay.json',
  });
});
test.afterAll(async () => {
  await server?.stop();
});

test.describe('the online leaderboard', () => {
  test('set a name, drive a lap, submit it, see it ranked, race its ghost from the server', async ({ page }) => {
    test.setTimeout(180_000);
    const game = new GamePage(page);
    await page.goto(`${server.url}/?track=oval`);
    await page.waitForFunction(() => window.__deepsteer !== undefined);
    await game.hook('pause', true);
    await game.hook('setDriver', 'expert');
    const laps = await game.hook('runLaps', 1);
    expect(laps).toHaveLength(1);

    await page.getByTestId('panel-leaderboard').click();
    await page.getByTestId('board-view-online').click();
    await expect(page.getByTestId('online-status')).toHaveAttribute('data-state', 'online');
    await page.getByTestId('online-name').fill('Racer One');
    await page.getByTestId('online-join').click();
    await expect(page.getByTestId('online-player')).toContainText('Racer One');

    await page.getByTestId('online-class-expert').click();
    await expect(page.getByTestId('online-submit')).toBeEnabled();
    await page.getByTestId('online-submit').click();
    // Earlier notices may still be showing (they fade): look for this one.
    await expect(page.getByTestId('notice-ok').filter({ hasText: 'world rank' })).toBeVisible();
    const mine = page.locator('[data-testid="online-row"][data-name="Racer One"]');
    await expect(mine).toHaveCount(1);
    const rank = Number(await mine.getAttribute('data-rank'));
    expect(rank).toBeGreaterThanOrEqual(1);
    await expect(page.getByTestId('online-me')).toContainText(`rank ${rank}`);

    // The server has it too, with the lap time the game drove.
    const board = await (await fetch(`${server.url}/api/boards/oval/expert`)).json();
    expect(board.laps.find((l: { name: string }) => l.name === 'Racer One').lapTicks).toBe(laps[0].ticks);

    await game.hook('setDriver', 'human');
    await mine.getByTestId('online-ghost').click();
    await expect(page.getByTestId('notices')).toContainText('Racing Racer One');
    const st = await game.state();
    expect(st.ghost?.label).toContain('Racer One');
    expect(st.mode).toBe('race');
    expect(game.errors).toEqual([]);
  });

  // Slow by nature: the model drives a whole lap twice in lockstep (once to make the lap, once to
  // watch it), one prediction per control tick. At load average ~5 the lap took 70 s and the
  // watch 65 s (2.6 min in all); it once ran past a 600 s budget at load average ~20, hence the
  // generous timeouts, and the watch's progress is logged every 20 s.
  test('an autopilot lap with its model: watch the model drive it, and the lap reproduces here', async ({ page }) => {
    test.setTimeout(900_000);
    const game = new GamePage(page);
    await page.goto(`${server.url}/?track=oval`);
    await page.waitForFunction(() => window.__deepsteer !== undefined);
    await game.hook('pause', true);
    const starter = await game.hook('importModel', readFileSync('assets/models/starter.deepsteer-model.zip').toString('base64'));
    await page.getByTestId('panel-leaderboard').click();
    await page.getByTestId('board-view-online').click();
    await expect(page.getByTestId('online-status')).toHaveAttribute('data-state', 'online');
    await page.getByTestId('online-name').fill('Robo Fan');
    await page.getByTestId('online-join').click();
    await expect(page.getByTestId('online-player')).toContainText('Robo Fan');

    const t0 = Date.now();
    const run = await game.hook('driveModel', { modelId: starter.id, trackId: 'oval', theme: 'day', laps: 1, maxSeconds: 300, governor: false });
    console.log(`[e2e online] the model's lockstep lap: ${run.laps[0]?.ticks} ticks in ${Math.round((Date.now() - t0) / 1000)} s`);
    expect(run.laps).toHaveLength(1);
    expect(run.autonomyPct).toBeGreaterThanOrEqual(95); // an autopilot-class lap
    await page.getByTestId('online-class-autopilot').click();
    await expect(page.getByTestId('online-submit')).toBeEnabled();
    await page.getByTestId('online-submit').click();
    await expect(page.getByTestId('notice-ok').filter({ hasText: 'world rank' })).toBeVisible({ timeout: 60_000 });
    const row = page.locator('[data-testid="online-row"][data-name="Robo Fan"]');
    await expect(row).toHaveCount(1);

    // The server stored the model with the lap; one click downloads both and drives it here.
    const modelsBefore = (await game.hook('models')).length;
    await row.getByTestId('online-model').click();
    const verdict = page.getByTestId('online-reproduce');
    const t1 = Date.now();
    const progress = setInterval(() => {
      void game.state().then((st) => console.log(`[e2e online] watching: tick ${st.tick} after ${Math.round((Date.now() - t1) / 1000)} s`), () => {});
    }, 20_000);
    try {
      await expect(verdict).toHaveAttribute('data-state', /reproduces|differs/, { timeout: 600_000 });
    } finally {
      clearInterval(progress);
    }
    const text = (await verdict.textContent()) ?? '';
    console.log(`[e2e online] watch model: ${text}`);
    expect((await game.hook('models')).length).toBe(modelsBefore + 1);
    // Same browser, same backend, same frames: the lap must reproduce tick for tick.
    await expect(verdict).toHaveAttribute('data-state', 'reproduces');
    expect(text).toContain(`the same ${run.laps[0].ticks} ticks`);
    expect(game.errors).toEqual([]);
  });

  test('served as static files without the server, the Online tab says it is offline and the local board works', async ({ page }) => {
    const game = new GamePage(page);
    await game.open('?track=oval');
    await page.getByTestId('panel-leaderboard').click();
    await page.getByTestId('board-view-online').click();
    await expect(page.getByTestId('online-status')).toHaveAttribute('data-state', 'offline');
    await expect(page.getByTestId('online-status')).toContainText('Offline');
    await page.getByTestId('board-view-local').click();
    await expect(page.getByTestId('score-formula')).toBeVisible();
  });
});
