// Training while auto-record records (issue 15, "overlap the phases"; src/app/overlapTraining.ts),
// through the real UI: Library > Auto-record with "Train while recording" checked. Quick train
// starts on the first clips (every 6th held out, tagged 'val') before the recording ends, and
// the clips recorded after it started join the run at an epoch's start (the Training panel says
// so among its notices). The run is cancelled once that is seen (its time budget is 3 minutes).
import { expect, test } from '@playwright/test';
import { GamePage } from './gamePage.ts';

test('auto-record with "Train while recording": training starts before the recording ends and the later clips join it', async ({ page }) => {
  test.setTimeout(420_000);
  const game = new GamePage(page);
  await game.open('?track=oval');
  // Two presets x four themes: 8 clips of 4.5 s; training may start once the 6th (held out) is in.
  await game.fillAutoRecord({ presets: ['oval', 'kidney'], themes: ['dusk', 'overcast', 'night'], minutes: '0.6' });
  await expect(page.getByTestId('autorecord-estimate')).toContainText('in 8 clips');
  await page.getByTestId('autorecord-train').check();
  await page.getByTestId('autorecord-start').click();

  // Training starts while the expert still records: the notice comes with clips still to record.
  await expect(page.getByTestId('notice-info').filter({ hasText: 'while the expert records' })).toHaveCount(1, { timeout: 240_000 });
  const atStart = await game.hook('clips');
  expect(atStart.filter((c) => c.complete).length).toBeLessThan(8);
  await expect(page.getByTestId('autorecord-progress')).toBeVisible();

  await page.getByTestId('mode-train').click();
  await expect(page.getByTestId('train-state')).toHaveAttribute('data-phase', /starting|running/);
  // The clips recorded after the run began join it at an epoch's start.
  await expect(page.getByTestId('train-notices')).toContainText(/Epoch \d+: [12] new clips? joins? the training/, { timeout: 300_000 });

  // Every 6th clip is held out (tagged 'val' as it was recorded), and never trained on.
  const clips = [...await game.hook('clips')].sort((a, b) => a.createdAt - b.createdAt);
  expect(clips).toHaveLength(8);
  expect(clips.map((c) => c.tag)).toEqual([null, null, null, null, null, 'val', null, null]);

  await page.getByTestId('train-cancel').click();
  await page.getByTestId('train-cancel-discard').click();
  await expect(page.getByTestId('train-state')).toHaveAttribute('data-phase', 'done', { timeout: 120_000 });
  expect(game.errors).toEqual([]);
});
