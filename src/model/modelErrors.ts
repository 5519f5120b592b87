// The typed errors of the model layer: every refusal says what is wrong in a sentence a player
// can read (naming the config field or the file), with a code the UI and worker can branch on.

export type ModelErrorCode =
  | 'invalid-config' // a config field is out of range, of the wrong type, or the layers do not fit the input
  | 'unsupported-version' // a config or model file written by a newer (or unknown) version
  | 'invalid-input' // a caller passed frames, targets or options of the wrong size or kind
  | 'bad-model-file' // an imported or stored model is broken: missing file, truncated weights, bad JSON, wrong shapes
  | 'disposed'; // the model or predictor was disposed

export class ModelError extends Error {
  override name = 'ModelError';
  constructor(
    readonly code: ModelErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isModelError(e: unknown, code?: ModelErrorCode): e is ModelError {
  return e instanceof ModelError && (code === undefined || e.code === code);
}
