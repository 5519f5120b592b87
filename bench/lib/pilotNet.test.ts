// Every PilotNet variant the bench trains builds, keeps five conv layers and predicts 3 values.
import { describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../src/model/tfSetup.ts';
import { pilotNet, pilotNetVariants, PILOTNET_VARIANTS } from './pilotNet.ts';

describe('pilotNet', () => {
  it('matches the paper at 66x200: 1x18x64 after the convs, ~250k weights', async () => {
    await initBackend('cpu');
    const model = pilotNet(PILOTNET_VARIANTS.find((v) => v.name === 'pilotnet')!);
    expect(model.layers[4].outputShape).toEqual([null, 1, 18, 64]);
    // convs 1824 + 21636 + 43248 + 27712 + 36928, dense 115300 + 5050 + 510, head 33.
    expect(model.countParams()).toBe(252_241);
    model.dispose();
  });

  it.each(PILOTNET_VARIANTS.map((v) => v.name))('%s builds and predicts [batch, 3]', async (name) => {
    await initBackend('cpu');
    const v = PILOTNET_VARIANTS.find((x) => x.name === name)!;
    const model = pilotNet(v);
    expect(model.layers.filter((l) => l.getClassName() === 'Conv2D')).toHaveLength(5);
    const y = tf.tidy(() => model.predict(tf.zeros([2, v.height, v.width, 3])) as tf.Tensor);
    expect(y.shape).toEqual([2, 3]);
    tf.dispose(y);
    model.dispose();
  });

  it('finds variants by name, old names included, and refuses unknown ones', () => {
    expect(pilotNetVariants(['pilotnet_48x128', 'cnn', 'cnn_32x64_w0.5']).map((v) => v.name)).toEqual(['pilotnet_48x128', 'pilotnet', 'pilotnet_32x64_w0.5']);
    expect(() => pilotNetVariants(['cnn_lstm'])).toThrow(/no PilotNet variant/);
  });
});
