import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { GamePage } from './gamePage.ts';

test.describe('laps, the leaderboard and replays', () => {
  test('an expert lap lands on the leaderboard; its exported replay verifies with npm run verify; a tampered one is refused', async ({ page }, info) => {
    test.setTimeout(180_000);
    const game = new GamePage(page);
    await game.open('?track=oval');
    await game.hook('pause', true);
    await game.hook('setDriver', 'expert');
    const laps = await game.hook('runLaps', 1);
    expect(laps).toHaveLength(1);
    await page.getByTestId('panel-leaderboard').click();
    await page.getByTestId('board-class-expert').click();
    // The oval's board also holds the expert's reference lap shipped with the game (a flying
    // lap, so it ranks first); this lap is the other row.
    await expect(page.getByTestId('board-row')).toHaveCount(2);
    await expect(page.locator('[data-testid="board-row"][data-shipped="true"]')).toHaveCount(1);
    const row = page.locator('[data-testid="board-row"]:not([data-shipped="true"])');
    await expect(row).toHaveCount(1);
    await expect(row).toHaveAttribute('data-rank', '2');

    const download = page.waitForEvent('download');
    await row.getByTestId('board-export').click();
    const file = info.outputPath('lap.replay.json');
    await (await download).saveAs(file);
    const ok = spawnSync('npx', ['tsx', 'src/cli/verify.ts', file], { encoding: 'utf8' });
    expect(ok.stdout).toContain('VERIFIED');
    expect(ok.status).toBe(0);
    const replay = JSON.parse(readFileSync(file, 'utf8'));
    expect(replay.claim.ticks).toBe(laps[0].ticks);

    // Importing a tampered copy is refused with the reason; the board is unchanged.
    replay.claim.ticks -= 30;
    replay.claim.scoreS -= 0.5;
    const bad = info.outputPath('tampered.replay.json');
    writeFileSync(bad, JSON.stringify(replay));
    await page.getByTestId('replay-import').setInputFiles(bad);
    await expect(page.getByTestId('notice-error')).toContainText('does not reproduce');
    await expect(row).toHaveCount(1);
  });

  test('race mode shows the ghost of the best lap', async ({ page }) => {
    test.setTimeout(180_000);
    const game = new GamePage(page);
    await game.open('?track=oval');
    await game.hook('pause', true);
    await game.hook('setDriver', 'expert');
    await game.hook('runLaps', 1);
    await game.hook('setDriver', 'human');
    await game.hook('pause', false);
    await page.getByTestId('mode-race').click();
    await expect(page.getByTestId('notices')).toContainText('Racing');
    expect((await game.state()).ghost?.ticksIntoLap).toBe(0);
    // The ghost waits at the line until the player's lap starts, then keeps pace with its clock.
    await game.hook('pause', true);
    await game.hook('setDriver', 'expert');
    await game.hook('step', 1200);
    await game.hook('pause', false);
    await page.waitForTimeout(500);
    const st = await game.state();
    expect(st.ghost).not.toBeNull();
    expect(st.ghost!.ticksIntoLap).toBeGreaterThan(600);
  });
});
