// Named tracks that every player knows by name: drawn as corner polygons with a radius per
// corner, rounded and smoothed the same way as generated tracks.

import { buildTrack, type Track } from './track.ts';
import { centre, filletPath, type Vec } from './trackGen.ts';

interface PresetSpec {
  name: string;
  width: number;
  corners: Vec[];
  radii: number[];
}

const PRESETS: Record<string, PresetSpec> = {
  oval: {
    name: 'Oval',
    width: 12,
    corners: [[0, 0], [420, 0], [420, 180], [0, 180]],
    radii: [80, 80, 80, 80],
  },
  kidney: {
    name: 'Kidney',
    width: 11,
    corners: [[0, 0], [300, -40], [520, 40], [560, 260], [380, 330], [280, 200], [160, 320], [-20, 230]],
    radii: [70, 60, 55, 60, 40, 45, 40, 60],
  },
  hairpins: {
    name: 'Hairpins',
    width: 11,
    corners: [[0, 0], [560, 0], [600, 120], [340, 110], [300, 200], [560, 220], [520, 320], [40, 300], [-30, 150]],
    radii: [40, 35, 18, 30, 30, 18, 35, 45, 50],
  },
  twister: {
    name: 'Twister',
    width: 10,
    corners: [[0, 0], [200, -30], [300, 60], [420, -10], [560, 80], [500, 240], [360, 200], [250, 300], [90, 260], [40, 140], [-60, 90]],
    radii: [45, 30, 30, 35, 40, 30, 28, 35, 30, 25, 30],
  },
};

export const PRESET_NAMES = Object.keys(PRESETS);

export function isPreset(id: string): boolean {
  return Object.prototype.hasOwnProperty.call(PRESETS, id);
}

const cache = new Map<string, Track>();

export function presetTrack(id: string): Track {
  const spec = PRESETS[id];
  if (!spec) throw new Error(`unknown preset '${id}' (presets: ${PRESET_NAMES.join(', ')})`);
  let track = cache.get(id);
  if (!track) {
    const path = filletPath(spec.corners, (i) => spec.radii[i]);
    if (!path) throw new Error(`preset '${id}' has a corner that cannot be rounded`);
    track = buildTrack({ id, name: spec.name, width: spec.width, controlPoints: centre(path) });
    cache.set(id, track);
  }
  return track;
}
