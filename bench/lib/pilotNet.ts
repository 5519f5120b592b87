// The paper's PilotNet as a plain tfjs model, for the input-size sweep of the 'train' suite
// (Bojarski et al. 2016: conv 24@5x5/2, 36@5x5/2, 48@5x5/2, 64@3x3, 64@3x3, dense 100-50-10)
// with 3 outputs (steering, speed, torque), at any input size and a width multiplier. It
// predates the project's model factory; the project's own models (src/model/factory.ts) are
// measured by the 'train_models' suite, under the names cnn and cnn_lstm. These variants are
// named pilotnet* (they were cnn* before; the old names are still accepted as parameters).
import { tf } from '../../src/model/tfSetup.ts';

export interface PilotNetVariant {
  /** Short name used in figure keys, e.g. 'pilotnet' (66x200) or 'pilotnet_48x128_w0.5'. */
  readonly name: string;
  readonly height: number;
  readonly width: number;
  /** Scales every conv and dense width (1 = the paper's). */
  readonly widthMultiplier: number;
}

/** The default (66x200, full width) and smaller dash-camera candidates. */
export const PILOTNET_VARIANTS: readonly PilotNetVariant[] = [
  { name: 'pilotnet', height: 66, width: 200, widthMultiplier: 1 },
  { name: 'pilotnet_66x200_w0.5', height: 66, width: 200, widthMultiplier: 0.5 },
  { name: 'pilotnet_48x128', height: 48, width: 128, widthMultiplier: 1 },
  { name: 'pilotnet_48x128_w0.5', height: 48, width: 128, widthMultiplier: 0.5 },
  { name: 'pilotnet_33x100', height: 33, width: 100, widthMultiplier: 1 },
  { name: 'pilotnet_33x100_w0.5', height: 33, width: 100, widthMultiplier: 0.5 },
  { name: 'pilotnet_32x64_w0.5', height: 32, width: 64, widthMultiplier: 0.5 },
];

/**
 * The variants named in a list parameter, in the list's order; the old names (cnn,
 * cnn_48x128, ...) mean the same variants. Throws on a name that is neither.
 */
export function pilotNetVariants(names: readonly string[]): PilotNetVariant[] {
  return names.map((n) => {
    const v = PILOTNET_VARIANTS.find((x) => x.name === n.replace(/^cnn(?=_|$)/, 'pilotnet'));
    if (!v) throw new Error(`no PilotNet variant '${n}' (have: ${PILOTNET_VARIANTS.map((x) => x.name).join(', ')})`);
    return v;
  });
}

const CONVS = [
  { filters: 24, kernel: 5, stride: 2 },
  { filters: 36, kernel: 5, stride: 2 },
  { filters: 48, kernel: 5, stride: 2 },
  { filters: 64, kernel: 3, stride: 1 },
  { filters: 64, kernel: 3, stride: 1 },
];
const DENSE = [100, 50, 10];

/**
 * Builds the model. The 3x3 convs are 'valid' when the map is big enough for them (as in the
 * paper at 66x200) and 'same' otherwise, so small inputs keep all five conv layers.
 */
export function pilotNet(v: PilotNetVariant): tf.Sequential {
  const model = tf.sequential();
  let h = v.height;
  let w = v.width;
  CONVS.forEach((c, i) => {
    const fitsValid = h >= c.kernel && w >= c.kernel;
    const padding = c.stride === 2 || fitsValid ? 'valid' : 'same';
    model.add(tf.layers.conv2d({
      ...(i === 0 ? { inputShape: [v.height, v.width, 3] } : {}),
      filters: Math.max(4, Math.round(c.filters * v.widthMultiplier)),
      kernelSize: c.kernel, strides: c.stride, padding, activation: 'relu',
    }));
    if (padding === 'valid') {
      h = Math.floor((h - c.kernel) / c.stride) + 1;
      w = Math.floor((w - c.kernel) / c.stride) + 1;
    } else {
      h = Math.ceil(h / c.stride);
      w = Math.ceil(w / c.stride);
    }
    if (h < 1 || w < 1) throw new Error(`input ${v.height}x${v.width} is too small for PilotNet`);
  });
  model.add(tf.layers.flatten());
  for (const units of DENSE) model.add(tf.layers.dense({ units: Math.max(4, Math.round(units * v.widthMultiplier)), activation: 'relu' }));
  model.add(tf.layers.dense({ units: 3 }));
  return model;
}
