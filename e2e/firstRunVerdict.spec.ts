// The newcomer's path after the first training run (issue 16): the verdict says what their own
// driving added to the starter model (both judged on the same held-out clip), in the Training
// panel and on the guide's card, and the guide's record-more step has the expert record in one
// click. firstRun.spec.ts holds the rest.
import { expect, test } from '@playwright/test';
import { GamePage } from './gamePage.ts';

test.describe('first run, after training', () => {
  test("Quick train's verdict shows the starter model alone and the fine-tune, on the same held-out clip, in the panel and on the guide", async ({ page }) => {
    test.setTimeout(480_000);
    const game = new GamePage(page);
    await game.open('?track=oval');
    await game.hook('autoRecord', { minutes: 16 / 60, trackIds: ['oval', 'kidney'], themes: ['day'] });
    expect(await game.hook('clips')).toHaveLength(2);
    await page.getByTestId('mode-train').click();
    await expect(page.getByTestId('train-quick-note')).toContainText('Fine-tunes the starter model');
    await expect(page.getByTestId('train-quick-note')).toContainText('checks it on 1 clip it never sees');
    await page.getByTestId('train-quick').click();
    await expect(page.getByTestId('train-state')).toHaveAttribute('data-phase', 'done', { timeout: 420_000 });
    const message = page.getByTestId('train-message');
    await expect(message).toHaveAttribute('data-verdict', /good|meh|worse/);
    const text = await message.innerText();
    console.log(`verdict: ${text}`);
    const m = /Steering error on the same held-out clips, as a share of driving straight's: the starter model alone (\d+)%, yours (\d+)%/.exec(text);
    expect(m, text).not.toBeNull();
    // Yours is the figure the verdict already gave ("... (NN%) of always predicting the mean").
    expect(text).toContain(`(${m![2]}%) of always predicting the mean`);
    // The guide's card, behind the panel until it closes, says the same in one sentence, on the
    // step the verdict led to ("Your model drives", or "not ready yet" for a worse one).
    await page.getByRole('button', { name: 'Close panel' }).click();
    const grade = await message.getAttribute('data-verdict');
    await expect(page.getByTestId('guide-title')).toHaveText(grade === 'worse' ? 'Your model is not ready yet' : 'Your model drives');
    const card = page.getByTestId('guide-verdict');
    await expect(card).toBeVisible();
    const said = await card.innerText();
    console.log(`guide: ${said}`);
    expect(said).toMatch(new RegExp(`^The starter alone: ${m![1]}% of driving straight's steering error; yours: ${m![2]}%: `));
    // It survives a reload (the guide keeps its step and sentence).
    await page.reload();
    await expect(page.getByTestId('guide-verdict')).toHaveText(said);
    expect(game.errors).toEqual([]);
  });

  test("the guide's record-more step has the expert record in one click, then leads back to training", async ({ page }) => {
    test.setTimeout(420_000);
    // A player whose first model was not ready (the step a bad verdict leads to: firstRun.spec.ts).
    await page.addInitScript(() => {
      if (!sessionStorage.getItem('seeded')) {
        localStorage.setItem('deepsteer.guide', JSON.stringify({ step: 'improve', dismissed: false, reason: 'worse' }));
        sessionStorage.setItem('seeded', '1');
      }
    });
    const game = new GamePage(page);
    await game.open('?track=oval');
    await expect(page.getByTestId('guide-title')).toHaveText('Your model is not ready yet');
    const auto = page.getByTestId('guide-auto-record');
    await expect(auto).toHaveText('Let the expert record');
    expect(await game.hook('clips')).toHaveLength(0);
    const t0 = Date.now();
    await auto.click();
    await expect(auto).toBeDisabled();
    await expect(auto).toContainText('Expert recording');
    // Its clips saved, the guide goes back to training.
    await expect(page.getByTestId('guide-title')).toHaveText('Train your model', { timeout: 400_000 });
    console.log(`guide auto-record: ${((Date.now() - t0) / 1000).toFixed(1)} s of wall time`);
    const clips = await game.hook('clips');
    // The track on screen and a curvy one, in the player's recording settings (200x66 at 20 Hz).
    expect(clips.map((c) => c.trackId).sort()).toEqual(['kidney', 'oval']);
    for (const c of clips) expect([c.frameWidth, c.frameHeight, c.rateHz]).toEqual([200, 66, 20]);
    expect(clips.reduce((n, c) => n + c.frameCount, 0)).toBeGreaterThanOrEqual(1100); // a minute at 20 Hz
    await expect(page.getByTestId('notices')).toContainText('The expert recorded 2 clips');
    expect(game.errors).toEqual([]);
  });
});
