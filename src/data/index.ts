// The public face of the data layer: what app/, ui/, model/ and workers/ may use. Everything
// else in src/data is an implementation detail (record layouts, zip internals, test kit).
// Stores: clips (openClipStore), settings, saved models and checkpoints, laps and replays,
// all in one IndexedDB database; open each where it is used.

export type { CameraId, CameraSpec, ClipLabels, ClipMeta, ClipTag, Driver, LabelRow, NumericLabelField, Thumbnail } from './clipTypes.ts';
export {
  CAMERA_IDS,
  CENTER_CAMERA,
  CLIP_SCHEMA_VERSION,
  DEFAULT_FRAME_HEIGHT,
  DEFAULT_FRAME_WIDTH,
  DEFAULT_RATE_HZ,
  DRIVERS,
  MAX_RATE_HZ,
  MIN_RATE_HZ,
  NUMERIC_LABEL_FIELDS,
  frameBytes,
  labelRowAt,
  labelRowWidth,
  stepBytes,
} from './clipTypes.ts';
export type { DataErrorCode } from './dataErrors.ts';
export { DataError, StorageFullError, isDataError } from './dataErrors.ts';
export type {
  ClipSource,
  ClipStore,
  ClipStoreOptions,
  FrameChunk,
  HistogramOptions,
  StartRecordingOptions,
  SteeringHistogram,
  StorageEstimate,
  StorageLike,
} from './clipStore.ts';
export { openClipStore } from './clipStore.ts';
export { CLIP_DB_NAME, CLIP_DB_VERSION } from './clipDb.ts';
export type { ClipWriter, RecordedStep, WriterState } from './clipWriter.ts';
export type {
  DatasetStats,
  FrameRun,
  SampleWeighting,
  SequenceBatch,
  SequenceDataset,
  SequenceDatasetOptions,
  SplitRule,
  WindowRef,
} from './sequenceDataset.ts';
export { createSequenceDataset, splitClips } from './sequenceDataset.ts';
export type { TransferOptions, TransferPhase, TransferProgress } from './transfer.ts';
export type { ClipExportOptions } from './clipArchive.ts';
export { exportClipsZip, importClipsZip } from './clipArchive.ts';
export type { UdacityExportOptions, UdacityImportOptions } from './udacityFormat.ts';
export { exportUdacityZip, importUdacityZip } from './udacityFormat.ts';
export type { ArchiveInput } from './zipReader.ts';
export { archiveEntryNames, ZipReader } from './zipReader.ts';
export * as untrustedLimits from './untrusted/limits.ts';
export { capText, checkEntrySizes, imageDimensions, inflateExactly } from './untrusted/guards.ts';
export { MAX_JSON_DEPTH, nestingDepth } from './jsonValue.ts';
export type { ImageCodec, RgbImage } from './imageCodec.ts';
export { browserImageCodec } from './imageCodecBrowser.ts';
export { ppmCodec } from './imageCodecPpm.ts';
export type { JsonValue } from './jsonValue.ts';
export type { SettingsStore, SettingsStoreOptions } from './settingsStore.ts';
export { MAX_SETTING_BYTES, openSettingsStore } from './settingsStore.ts';
export type {
  CheckpointInfo,
  CheckpointSlot,
  LoadedModelArtifacts,
  ModelArtifacts,
  ModelMeta,
  ModelMetaInput,
  ModelStore,
  ModelStoreOptions,
  SavedModel,
  WeightDtype,
  WeightSpec,
} from './modelStore.ts';
export { WEIGHT_DTYPES, openModelStore } from './modelStore.ts';
export type { LapAddResult, LapBoard, LapDriverClass, LapEntry, LapStore, LapStoreOptions } from './lapStore.ts';
export { DEFAULT_MAX_LAPS_PER_BOARD, DEFAULT_MAX_REPLAY_BYTES, LAP_DRIVER_CLASSES, openLapStore } from './lapStore.ts';
