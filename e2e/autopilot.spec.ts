import { expect, test } from '@playwright/test';
import { GamePage } from './gamePage.ts';

test.describe('the autopilot', () => {
  test('the starter model drives a full lap of a preset in lockstep with autonomy of at least 90%, and the lap is ranked', async ({ page }) => {
    test.setTimeout(900_000);
    const game = new GamePage(page);
    await game.open('?track=oval');
    // A newcomer presses Autopilot before recording anything: the starter model is there.
    await page.getByTestId('mode-autopilot').click();
    await expect(page.getByTestId('mode-autopilot')).toHaveAttribute('aria-pressed', 'true');
    // The starter model is fetched and imported, then the autopilot engages.
    await expect.poll(async () => (await game.hook('autopilotStats')).engaged, { timeout: 120_000 }).toBe(true);
    const models = await game.hook('models');
    expect(models.length).toBeGreaterThan(0);
    const starter = models.find((m) => /starter/i.test(m.name)) ?? models[0];
    await page.getByTestId('mode-drive').click();
    const run = await game.hook('driveModel', { modelId: starter.id, trackId: 'oval', laps: 1, maxSeconds: 300, governor: false });
    expect(run.laps.length).toBeGreaterThanOrEqual(1);
    expect(run.autonomyPct).toBeGreaterThanOrEqual(90);
    await page.getByTestId('panel-leaderboard').click();
    await page.getByTestId('board-class-autopilot').click();
    await expect(page.getByTestId('board-row')).toHaveCount(1);
  });

  test('a key press during autopilot is an intervention; releasing hands back to the model', async ({ page }) => {
    test.setTimeout(300_000);
    const game = new GamePage(page);
    await game.open('?track=oval');
    expect(await game.hook('engageAutopilot', 'realtime')).toBe(true);
    await page.waitForTimeout(3000);
    expect((await game.hook('autopilotStats')).interventions).toBe(0);
    await page.keyboard.down('ArrowLeft');
    await expect.poll(async () => (await game.hook('autopilotStats')).humanHasWheel).toBe(true);
    await page.keyboard.up('ArrowLeft');
    expect((await game.hook('autopilotStats')).interventions).toBe(1);
    await expect.poll(async () => (await game.hook('autopilotStats')).humanHasWheel, { timeout: 20_000 }).toBe(false);
    await expect(page.getByTestId('hud-interventions')).toContainText('1');
  });
});
