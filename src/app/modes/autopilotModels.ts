// The driving worker's model shelf for Autopilot mode: what it holds, and the starter model
// (shipped in assets/, copied into the build by vite) installed into it for a newcomer.

import type { AutopilotController } from '../autopilotController.ts';
import { transferBytes } from '../steeringClient.ts';
import type { ModelShelf } from './autopilotMode.ts';

export const STARTER_MODEL_URL = new URL('../../../assets/models/starter.deepsteer-model.zip', import.meta.url).href;

export function workerModelShelf(autopilot: AutopilotController, starterUrl = STARTER_MODEL_URL): ModelShelf {
  return {
    list: async () => (await autopilot.ensureWorker()).api.listModels(),
    installStarter: async () => {
      const w = await autopilot.ensureWorker();
      const res = await fetch(starterUrl);
      if (!res.ok) throw new Error(`the starter model could not be fetched (HTTP ${res.status})`);
      await w.api.importModel(transferBytes(new Uint8Array(await res.arrayBuffer())));
    },
  };
}
