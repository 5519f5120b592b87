// Types for the parts of ConvNetJS 0.3.0 (npm 'convnetjs', plain JS, no types of its own) that
// bench/lib/convnet.ts uses. Layouts: a Vol stores w[((sx * y) + x) * depth + d] (HWC order).
declare module 'convnetjs' {
  export class Vol {
    /** Without `c`, random (Gaussian, scaled by fan-in); with `c`, filled with it. */
    constructor(sx: number, sy: number, depth: number, c?: number);
    sx: number;
    sy: number;
    depth: number;
    w: Float64Array;
    dw: Float64Array;
  }

  export interface LayerDef {
    type: 'input' | 'conv' | 'fc' | 'regression' | 'relu' | 'tanh' | 'sigmoid';
    out_sx?: number;
    out_sy?: number;
    out_depth?: number;
    /** conv: filter width (and height unless sy is given). */
    sx?: number;
    sy?: number;
    filters?: number;
    stride?: number;
    /** conv: zero padding on every side. */
    pad?: number;
    num_neurons?: number;
    activation?: 'relu' | 'tanh' | 'sigmoid';
    bias_pref?: number;
  }

  export interface Layer {
    layer_type: string;
    out_sx: number;
    out_sy: number;
    out_depth: number;
    sx?: number;
    sy?: number;
    stride?: number;
    pad?: number;
    in_depth?: number;
    num_inputs?: number;
    /** conv: one Vol(sx, sy, in_depth) per output channel; fc: one Vol(1, 1, num_inputs) per unit. */
    filters?: Vol[];
    biases?: Vol;
  }

  export class Net {
    layers: Layer[];
    makeLayers(defs: LayerDef[]): void;
    forward(v: Vol, isTraining?: boolean): Vol;
  }

  export interface TrainerOptions {
    method?: 'sgd' | 'adagrad' | 'adadelta' | 'windowgrad';
    learning_rate?: number;
    momentum?: number;
    batch_size?: number;
    l1_decay?: number;
    l2_decay?: number;
  }

  export class Trainer {
    constructor(net: Net, options?: TrainerOptions);
    /** One example; the weights change every batch_size calls. `y` must be an Array or a Float64Array. */
    train(x: Vol, y: number[] | Float64Array): { loss: number; cost_loss: number };
  }

  const convnetjs: { Vol: typeof Vol; Net: typeof Net; Trainer: typeof Trainer };
  export default convnetjs;
}
