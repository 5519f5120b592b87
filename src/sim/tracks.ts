// One door to every track: a preset name or a numeric seed.

import { generateTrack } from './trackGen.ts';
import { isPreset, PRESET_NAMES, presetTrack } from './trackPresets.ts';
import type { Track } from './track.ts';

export { PRESET_NAMES };

/** Whether `id` names a track: a preset or a non-negative integer seed below 2^32. */
export function isTrackId(id: string): boolean {
  return isPreset(id) || (/^\d{1,10}$/.test(id) && Number(id) < 2 ** 32);
}

const generated = new Map<string, Track>();

/** The track for a preset name or a seed. Generated tracks are cached (generation takes ~0.1 s). */
export function resolveTrack(id: string): Track {
  if (isPreset(id)) return presetTrack(id);
  if (!isTrackId(id)) throw new Error(`'${id}' is neither a preset (${PRESET_NAMES.join(', ')}) nor a numeric seed`);
  let t = generated.get(id);
  if (!t) {
    t = generateTrack(Number(id));
    if (generated.size > 32) generated.clear();
    generated.set(id, t);
  }
  return t;
}
