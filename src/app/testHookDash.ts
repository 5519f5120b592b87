// The test hook's dash camera: the page's views of a pose one by one and in one pass, and the
// driving worker's own dash camera (workerDash.ts): where the real-time frames are rendered now,
// and the worker's frame of a pose against the page's. Part of the test hook (e2e and bench
// builds only).

import { toBase64 } from '../core/base64.ts';
import { poseOfCar } from '../render/pose.ts';
import type { App } from './appApi.ts';
import { dashSceneOf, type DashSource, sceneToPost } from './workerDash.ts';

export interface DashHooks {
  /**
   * The dash views of the car's present pose, rendered one at a time (renderDash) and in one pass
   * (renderDashViews, as auto-record's side cameras are): base64 RGB frames, in `views` order.
   */
  dashViews(views: { lateralM: number; yawRad: number }[]): { separate: string[]; onePass: string[] };
  /** Where the real-time autopilot's frames are rendered now, and why not in the worker (null: no problem seen). */
  workerDash(): { source: DashSource; problem: string | null };
  /**
   * The driving worker renders the car's present pose with its own dash camera (the model loaded
   * for driving predicts from it, as in real time) and the page renders the same pose: how many
   * bytes differ, the largest difference, and the worker's render time.
   */
  compareWorkerDash(): Promise<{ bytes: number; differing: number; maxDiff: number; renderMs: number }>;
}

export function dashHooks(app: App): DashHooks {
  return {
    dashViews(views) {
      const r = app.renderer;
      if (!r) throw new Error('no 3D view');
      const pose = poseOfCar(app.session.world.car);
      const separate = views.map((v) => toBase64(r.renderDash(pose, v)?.slice() ?? new Uint8Array(0)));
      const outs = views.map(() => new Uint8Array(r.dashWidth * r.dashHeight * 3));
      if (!r.renderDashViews(pose, views, outs)) throw new Error('the WebGL context is lost');
      return { separate, onePass: outs.map(toBase64) };
    },
    workerDash() {
      const c = app.autopilot;
      return { source: c.framesFromWorker ? 'worker' : 'page', problem: c.dash.problem };
    },
    async compareWorkerDash() {
      const r = app.renderer;
      const w = app.autopilot.worker;
      if (!r || !w) throw new Error('no 3D view or no driving worker');
      const set = await w.api.setDashScene(sceneToPost(dashSceneOf(r, app.session.track)));
      if (!set.ok) throw new Error(`the worker cannot draw: ${set.reason}`);
      const pose = poseOfCar(app.session.world.car);
      const fromWorker = await w.api.predictPose(pose, pose.speed, true);
      const fromPage = r.renderDash(pose);
      if (!fromWorker.frame || !fromPage) throw new Error('no frame');
      let differing = 0;
      let maxDiff = 0;
      for (let i = 0; i < fromPage.length; i++) {
        const d = Math.abs(fromPage[i] - fromWorker.frame[i]);
        if (d > 0) differing++;
        if (d > maxDiff) maxDiff = d;
      }
      app.autopilot.dash.forget(); // the controller sets its own scene again
      return { bytes: fromPage.length, differing, maxDiff, renderMs: fromWorker.ms.render ?? Number.NaN };
    },
  };
}
