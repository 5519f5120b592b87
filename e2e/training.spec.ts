import { expect, test } from '@playwright/test';
import { GamePage } from './gamePage.ts';

test.describe('training in the browser', () => {
  // Served cross-origin isolated (every server of the game sends the headers), the training worker
  // runs wasm on 2 threads (our conv kernels and their helper thread); without the headers, on one.
  for (const isolated of [true, false]) {
    test(`trains one short epoch on auto-recorded clips: the run ends with its outcome (progress cleared) and the model is listed${isolated ? '' : ' (served without cross-origin isolation)'}`, async ({ page }) => {
      test.setTimeout(300_000);
      if (!isolated) {
        await page.route('**/*', async (route) => {
          const response = await route.fetch();
          const headers = { ...response.headers() };
          delete headers['cross-origin-opener-policy'];
          delete headers['cross-origin-embedder-policy'];
          await route.fulfill({ response, headers });
        });
      }
      const game = new GamePage(page);
      await game.open('?track=oval');
      expect(await page.evaluate(() => crossOriginIsolated)).toBe(isolated);
      await game.hook('autoRecord', { minutes: 16 / 60, trackIds: ['oval', 'kidney'], themes: ['day'] });
      expect(await game.hook('clips')).toHaveLength(2);
      await page.getByTestId('mode-train').click();
      const panel = page.getByTestId('training-panel');
      await expect(panel).toBeVisible();
      await page.getByTestId('split-holdout').check();
      await page.getByTestId('split-percent').fill('50');
      await page.getByTestId('split-percent').blur();
      await page.getByTestId('training-advanced-open').click(); // the model's settings are folded
      const epochs = page.getByTestId('cfg-epochs');
      await epochs.fill('1');
      await epochs.blur();
      await expect(page.getByTestId('config-params')).toBeVisible();
      await page.getByTestId('train-name').fill('e2e model');
      await page.getByTestId('train-start').click();
      await expect(page.getByTestId('train-progress')).toContainText('%', { timeout: 120_000 });
      await expect(page.getByTestId('train-state')).toHaveAttribute('data-phase', 'done', { timeout: 240_000 });
      // Once done, the progress line gives way to the outcome.
      await expect(page.getByTestId('train-progress')).toBeHidden();
      await expect(page.getByTestId('train-message')).toContainText('Saved');
      await expect(page.getByTestId('model-row')).toHaveCount(1, { timeout: 30_000 });
      await expect(page.getByTestId('model-row')).toContainText('e2e model');
      await expect(page.getByTestId('train-backend')).toContainText(/wasm|webgl|webgpu|cpu/);
      const threads = Math.min(8, await page.evaluate(() => navigator.hardwareConcurrency));
      if ((await page.getByTestId('train-backend').innerText()).includes('wasm')) {
        const notices = page.getByTestId('train-notices');
        // Isolated, wasm trains on 2 threads wherever there are 2 (trainerWasmThreads: our conv kernels and their helper thread).
        if (isolated && threads >= 2) await expect(notices).toContainText('training on wasm (2 threads)');
        else await expect(notices).toContainText(/training on wasm(?! \()/);
      }
      // The plots were fed.
      await expect(page.getByTestId('plot-loss')).toBeVisible();
      expect(game.errors).toEqual([]);
    });
  }

  test('Quick train holds out a clip for validation and trains under a budget', async ({ page }) => {
    test.setTimeout(300_000);
    const game = new GamePage(page);
    await game.open('?track=oval');
    await game.hook('autoRecord', { minutes: 6 / 60, trackIds: ['oval', 'kidney', 'twister'], themes: ['day'] });
    expect(await game.hook('clips')).toHaveLength(3);
    await page.getByTestId('mode-train').click();
    await expect(page.getByTestId('train-quick')).toBeInViewport({ ratio: 1 });
    await expect(page.getByTestId('train-quick-note')).toContainText('on 2 clips and checks it on 1 clip it never sees');
    await page.getByTestId('train-quick').click();
    await expect(page.getByTestId('train-state')).toHaveAttribute('data-phase', /starting|running/);
    await expect(page.locator('[data-testid="split-clip-row"][data-role="val"]')).toHaveCount(1);
    await expect(page.locator('[data-testid="split-clip-row"][data-role="train"]')).toHaveCount(2);
    await expect(page.getByTestId('train-progress')).toContainText('%', { timeout: 120_000 });
    await page.getByTestId('train-cancel').click();
    await page.getByTestId('train-cancel-discard').click();
    await expect(page.getByTestId('train-state')).toHaveAttribute('data-phase', 'done', { timeout: 120_000 });
    expect(game.errors).toEqual([]);
  });

  test('a prediction on the webgpu backend (software adapter here) equals the cpu one', async ({ page }) => {
    test.setTimeout(300_000);
    const game = new GamePage(page);
    await game.open('?track=oval');
    await game.hook('autoRecord', { minutes: 6 / 60, trackIds: ['oval', 'twister'], themes: ['day'] });
    const clips = await game.hook('clips');
    const out = await game.hook('train', { trainClipIds: [clips[0].id], valClipIds: [clips[1].id], config: { training: { epochs: 1 } } });
    expect(out.modelId).toBeTruthy();
    const cpu = await game.hook('predictOn', 'cpu', out.modelId!, 10);
    const gpu = await game.hook('predictOn', 'webgpu', out.modelId!, 10);
    expect(gpu[0].backend).toBe('webgpu');
    for (let i = 0; i < cpu.length; i++) {
      expect(Math.abs(gpu[i].steering - cpu[i].steering)).toBeLessThan(1e-3);
      expect(Math.abs(gpu[i].speed - cpu[i].speed)).toBeLessThan(1e-2);
      expect(Math.abs(gpu[i].torque - cpu[i].torque)).toBeLessThan(1e-3);
    }
  });
});
