// Two training workers (issue 15, data-parallel, src/model/dataParallel.ts): on a device with 2+
// hardware threads a run from the Training panel starts another steering worker as the peer
// replica, reports progress, saves its model, never falls back to one worker, and stops the
// peer when it ends.
import { expect, test, type Worker } from '@playwright/test';
import { GamePage } from './gamePage.ts';

test.describe('training on two workers', () => {
  test('a run starts a peer steering worker, reports progress, saves the model and stops the peer', async ({ page }) => {
    test.setTimeout(420_000);
    const game = new GamePage(page);
    await game.open('?track=oval');
    expect(await page.evaluate(() => navigator.hardwareConcurrency)).toBeGreaterThanOrEqual(2);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true); // so the trainer runs wasm threads, the peer one
    await game.hook('autoRecord', { minutes: 16 / 60, trackIds: ['oval', 'kidney'], themes: ['day'] });
    await page.getByTestId('mode-train').click();
    await expect(page.getByTestId('training-panel')).toBeVisible();
    await page.getByTestId('training-advanced-open').click();
    const epochs = page.getByTestId('cfg-epochs');
    await epochs.fill('4'); // enough steps for the one-vs-two trial (up to 14) to end inside the run on a quiet machine
    await epochs.blur();
    await expect(page.getByTestId('config-params')).toBeVisible();
    await page.getByTestId('train-name').fill('two workers');
    await expect(page.getByTestId('model-row').or(page.getByTestId('train-start'))).not.toHaveCount(0); // the training worker answered
    const started: Worker[] = [];
    page.on('worker', (w) => {
      if (/steering/.test(w.url())) started.push(w);
    });
    await page.getByTestId('train-start').click();
    await expect.poll(() => started.length, { timeout: 60_000 }).toBeGreaterThanOrEqual(1); // the peer replica
    const peer = started[0];
    let peerClosed = false;
    peer.on('close', () => {
      peerClosed = true;
    });
    await expect(page.getByTestId('train-progress')).toContainText('%', { timeout: 180_000 });
    await expect(page.getByTestId('train-state')).toHaveAttribute('data-phase', 'done', { timeout: 300_000 });
    await expect(page.getByTestId('train-message')).toContainText('Saved');
    await expect(page.getByText(/two-worker training failed/)).toHaveCount(0);
    // 'auto' (the default): the first run of this model shape timed one worker against two, and the panel says what it kept and the ratio.
    const notices = page.getByTestId('train-notices');
    await expect(notices).toContainText('Training workers: timing two workers against one');
    await expect(notices).toContainText(/Training workers: (two workers, \d+\.\d\dx one|one worker: two measured \d+\.\d\dx)/);
    console.log(`training workers: ${(await notices.innerText()).replace(/\n/g, ' | ')}`);
    expect(started).toHaveLength(1);
    await expect.poll(() => peerClosed, { timeout: 30_000 }).toBe(true); // stopped with the run
    expect(game.errors).toEqual([]);
  });
});
