// Deleting a clip can be undone for a few seconds (issue 11's command layer): the row leaves
// at once, Undo on the notice brings it back with the same frames; a page reloaded within the
// window still deletes it (the next start-up finishes the deletion, src/app/undoableDelete.ts).
import 'fake-indexeddb/auto';
import { writeFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { exportClipsZip } from '../src/data/clipArchive.ts';
import { openClipStore } from '../src/data/clipStore.ts';
import { recordSyntheticClip } from '../src/data/testKit.ts';
import { GamePage } from './gamePage.ts';

test('a deleted clip comes back with Undo, frame for frame; without Undo it is gone after the window', async ({ page }, info) => {
  test.setTimeout(120_000);
  const src = await openClipStore({ name: `undo-${Date.now()}`, storage: null });
  const meta = await recordSyntheticClip(src, { steps: 60, frameWidth: 200, frameHeight: 66, name: 'undo me' });
  const file = info.outputPath('undo.zip');
  writeFileSync(file, new Uint8Array(await (await exportClipsZip(src, [meta.id])).arrayBuffer()));
  src.close();

  const game = new GamePage(page);
  await game.open('?track=oval');
  await page.getByTestId('panel-library').click();
  await page.getByTestId('import-file').setInputFiles(file);
  const row = page.getByTestId('clip-row');
  await expect(row).toHaveCount(1, { timeout: 60_000 });
  const [clip] = await game.hook('clips');
  const before = await game.hook('clipDigest', clip.id);

  await row.getByTestId('clip-delete').click();
  await page.getByTestId('clip-delete-confirm').click();
  await expect(row).toHaveCount(0);
  expect(await game.hook('clips')).toHaveLength(0);
  await page.getByTestId('notice-action').filter({ hasText: 'Undo' }).click();
  await expect(row).toHaveCount(1);
  expect(await game.hook('clipDigest', clip.id)).toEqual(before);

  await row.getByTestId('clip-delete').click();
  await page.getByTestId('clip-delete-confirm').click();
  await expect(row).toHaveCount(0);
  await page.waitForTimeout(9000); // past the undo window
  await page.reload();
  await page.waitForFunction(() => window.__deepsteer !== undefined);
  expect(await game.hook('clips')).toHaveLength(0);
});

test('a clip deleted just before the page reloads (within the undo window) stays deleted', async ({ page }, info) => {
  test.setTimeout(120_000);
  const src = await openClipStore({ name: `undo-reload-${Date.now()}`, storage: null });
  const meta = await recordSyntheticClip(src, { steps: 30, frameWidth: 200, frameHeight: 66, name: 'gone' });
  const file = info.outputPath('gone.zip');
  writeFileSync(file, new Uint8Array(await (await exportClipsZip(src, [meta.id])).arrayBuffer()));
  src.close();

  const game = new GamePage(page);
  await game.open('?track=oval');
  await page.getByTestId('panel-library').click();
  await page.getByTestId('import-file').setInputFiles(file);
  const row = page.getByTestId('clip-row');
  await expect(row).toHaveCount(1, { timeout: 60_000 });
  await row.getByTestId('clip-delete').click();
  await page.getByTestId('clip-delete-confirm').click();
  await expect(row).toHaveCount(0);
  await expect(page.getByTestId('notice-action').filter({ hasText: 'Undo' })).toBeVisible();
  await page.reload(); // well within the 8 s window: Undo is no longer offered, so the deletion is carried out
  await page.waitForFunction(() => window.__deepsteer !== undefined);
  await expect.poll(async () => (await game.hook('clips')).length, { timeout: 30_000 }).toBe(0);
  await page.getByTestId('panel-library').click();
  await expect(row).toHaveCount(0);
});
