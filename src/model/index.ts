// The model layer's public API, for the steering worker (workers/) and for the UI's config
// forms (config.ts alone is tfjs-free: import it directly to avoid loading tfjs). Tensors never
// cross this line: everything here takes and returns typed arrays and plain data.

export { initBackend, tensorMemory, wasmThreadCount, wasmTrainingThreads, BACKEND_NAMES, type BackendInfo, type BackendName, type TensorMemory } from './tfSetup.ts';
export {
  CONFIG_VERSION, DEFAULT_CONFIG, DEFAULT_INPUT_SIZE, HEAD_NAMES, createConfig, defaultEncoderLayers, mergeConfig, parseModelConfig,
  type ConfigOverrides, type HeadName, type HeadValues, type ModelConfig,
} from './config.ts';
export { describeModel, type LayerDescription, type ModelDescription } from './describe.ts';
export { ModelError, isModelError, type ModelErrorCode } from './modelErrors.ts';
export { createCnnLstmModel, createCnnModel, createSteeringNet, type SteeringNet } from './factory.ts';
export { computeTargetNormalization, normalizeSpeeds, type TargetNormalization } from './preprocess.ts';
export {
  createArrayBatchSource, createDatasetBatchSource,
  type BatchSource, type DatasetBatchSourceOptions, type FrameSequence, type TrainingBatch,
} from './batchSource.ts';
export { trainModel } from './train.ts';
export { connectGradientPeer, serveGradientPeer, type GradientPeer, type PeerPort } from './dataParallel.ts';
export {
  TrainingControl,
  type EpochProgress, type EpochSummary, type LayerGradNorm, type StepProgress, type TrainingCheckpoint, type TrainingEvent,
  type TrainingResult, type TrainingStatus, type TrainOptions,
} from './trainProtocol.ts';
export { createNaivePredictor, createStreamingPredictor, type Prediction, type Predictor, type PredictorOptions } from './predictor.ts';
export {
  exportModelZip, importModelZip, loadModel, saveModel, savedModelConfig, trainingMetrics,
  type LoadedModel, type ModelManifest, type ModelMetadata, type SavedModel,
} from './artifacts.ts';
