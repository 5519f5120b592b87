import { readFileSync, writeFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { GamePage } from './gamePage.ts';

test.describe('recording and the clip library', () => {
  test('the side cameras rendered in one pass are the very frames rendered one by one', async ({ page }) => {
    const game = new GamePage(page);
    await game.open('?track=kidney');
    await game.hook('pause', true);
    await game.hook('setDriver', 'expert');
    await game.hook('step', 240); // into the first bend: road edges, scenery and sky in every view
    const views = [{ lateralM: 0, yawRad: 0 }, { lateralM: 1.8, yawRad: 0.08 }, { lateralM: -1.8, yawRad: -0.08 }];
    const { separate, onePass } = await game.hook('dashViews', views);
    expect(onePass).toHaveLength(3);
    for (let i = 0; i < 3; i++) {
      expect(onePass[i].length).toBe(separate[i].length);
      expect(onePass[i] === separate[i], `view ${i} differs`).toBe(true);
    }
    expect(separate[1]).not.toBe(separate[0]); // the side views really look elsewhere
    expect(separate[2]).not.toBe(separate[1]);
  });

  test('auto-record 10 s, export, delete, import: frames and labels come back identical; a corrupt copy is refused', async ({ page }, info) => {
    test.setTimeout(240_000);
    const game = new GamePage(page);
    await game.open('?track=oval');
    await page.getByTestId('panel-library').click();
    const minutes = page.getByTestId('autorecord-minutes');
    await minutes.fill(String(10 / 60));
    await minutes.blur();
    await page.getByTestId('autorecord-start').click();
    const row = page.getByTestId('clip-row');
    await expect(row).toHaveCount(1, { timeout: 120_000 });
    await expect(row).toHaveAttribute('data-status', 'complete', { timeout: 120_000 });
    const clips = await game.hook('clips');
    expect(clips).toHaveLength(1);
    expect(clips[0].frameCount).toBeGreaterThanOrEqual(190);
    expect(clips[0].frameCount).toBeLessThanOrEqual(210);
    const before = await game.hook('clipDigest', clips[0].id);

    // Export the clip as a DeepSteer zip.
    await row.getByTestId('clip-select').check();
    const download = page.waitForEvent('download');
    await page.getByTestId('export-zip').click();
    const file = info.outputPath('clip.zip');
    await (await download).saveAs(file);

    // Delete it, with the confirmation.
    await row.getByTestId('clip-delete').click();
    await page.getByTestId('clip-delete-confirm').click();
    await expect(page.getByTestId('clip-row')).toHaveCount(0);

    // A corrupted copy (bytes flipped in the middle) is refused and the library stays empty.
    const bytes = readFileSync(file);
    const broken = Buffer.from(bytes);
    for (let i = Math.floor(broken.length / 2); i < Math.floor(broken.length / 2) + 64; i++) broken[i] ^= 0xff;
    const brokenFile = info.outputPath('broken.zip');
    writeFileSync(brokenFile, broken);
    await page.getByTestId('import-file').setInputFiles(brokenFile);
    await expect(page.getByTestId('notice-error')).toBeVisible({ timeout: 60_000 });
    // The refusal names the file and the format that was expected.
    await expect(page.getByTestId('notice-error')).toContainText('broken.zip');
    await expect(page.getByTestId('notice-error')).toContainText('Expected a DeepSteer clips .zip');
    await expect(page.getByTestId('clip-row')).toHaveCount(0);
    expect(await game.hook('clips')).toHaveLength(0);

    // The real file imports back exactly.
    await page.getByTestId('import-file').setInputFiles(file);
    await expect(page.getByTestId('clip-row')).toHaveCount(1, { timeout: 60_000 });
    const back = await game.hook('clips');
    expect(await game.hook('clipDigest', back[0].id)).toEqual(before);
  });

  test('a Udacity-layout export re-imports', async ({ page }, info) => {
    test.setTimeout(240_000);
    const game = new GamePage(page);
    await game.open('?track=kidney');
    await game.hook('autoRecord', { minutes: 3 / 60 });
    await page.getByTestId('panel-library').click();
    const row = page.getByTestId('clip-row');
    await expect(row).toHaveCount(1);
    const original = (await game.hook('clips'))[0];
    await row.getByTestId('clip-select').check();
    const download = page.waitForEvent('download');
    await page.getByTestId('export-udacity').click();
    const file = info.outputPath('udacity.zip');
    await (await download).saveAs(file);
    await page.getByTestId('import-file').setInputFiles(file);
    await expect(page.getByTestId('clip-row')).toHaveCount(2, { timeout: 120_000 });
    const imported = (await game.hook('clips')).find((c) => c.id !== original.id)!;
    expect(imported.frameCount).toBe(original.frameCount);
    expect(imported.frameWidth).toBe(original.frameWidth);
  });

  test('record mode saves what the player drives', async ({ page }) => {
    test.setTimeout(120_000);
    const game = new GamePage(page);
    await game.open('?track=oval');
    await page.getByTestId('mode-record').click();
    await page.keyboard.down('ArrowUp');
    await page.waitForTimeout(4000);
    await page.keyboard.up('ArrowUp');
    await expect(page.getByTestId('hud-recording')).toBeVisible();
    await page.getByTestId('mode-drive').click();
    await expect(page.getByTestId('notice-ok')).toContainText('Saved');
    const clips = await game.hook('clips');
    expect(clips).toHaveLength(1);
    expect(clips[0].frameCount).toBeGreaterThan(5);
    expect(clips[0].complete).toBe(true);
  });
});
