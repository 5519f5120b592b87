// Deleting a saved model can be undone for a few seconds (issue 11's command layer,
// src/app/modelCommands.ts): the row leaves at once, Undo on the notice brings it back. A page
// closed within the undo window still deletes it: the next start-up finishes the deletion.
import { resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import { GamePage } from './gamePage.ts';

const STARTER_ZIP = resolve('assets/models/starter.deepsteer-model.zip');

test('a deleted model comes back with Undo; deleted again and the page reloaded within the window, it stays deleted', async ({ page }) => {
  test.setTimeout(300_000);
  const game = new GamePage(page);
  await game.open('?track=oval');
  await page.getByTestId('mode-train').click();
  const before = new Set((await game.hook('models')).map((m) => m.id));
  await page.getByTestId('model-import').setInputFiles(STARTER_ZIP);
  await expect.poll(async () => (await game.hook('models')).length, { timeout: 120_000 }).toBe(before.size + 1);
  const model = (await game.hook('models')).find((m) => !before.has(m.id))!;
  const row = page.locator(`[data-testid="model-row"][data-model-id="${model.id}"]`);
  await expect(row).toHaveCount(1, { timeout: 60_000 });

  await row.getByTestId('model-delete').click();
  await page.getByTestId('model-delete-confirm').click();
  await expect(row).toHaveCount(0);
  await page.getByTestId('notice-action').filter({ hasText: 'Undo' }).click();
  await expect(row).toHaveCount(1);
  expect((await game.hook('models')).map((m) => m.id)).toContain(model.id);

  await row.getByTestId('model-delete').click();
  await page.getByTestId('model-delete-confirm').click();
  await expect(row).toHaveCount(0);
  // Still stored while Undo is offered; the page goes away before the window closes.
  expect((await game.hook('models')).map((m) => m.id)).toContain(model.id);
  await page.reload();
  await page.waitForFunction(() => window.__deepsteer !== undefined);
  await expect.poll(async () => (await game.hook('models')).map((m) => m.id), { timeout: 60_000 }).not.toContain(model.id);
  await page.getByTestId('mode-train').click();
  await expect(row).toHaveCount(0);
});
