// The caps of every file that comes in from outside (docs/formats.md, "Limits on imported
// files"). Each import checks its input against these before decoding, allocating or writing.

/** Most files (entries) a zip may list. */
export const ZIP_MAX_ENTRIES = 50_000;
/**
 * Largest uncompressed size of one zip entry (a clip's frame file, a model's weights): a frame
 * file holds one chunk, and chunks are at most 64 MiB. An entry is held whole while it is read.
 */
export const ZIP_MAX_ENTRY_BYTES = 64 * 1024 * 1024;
/** Largest sum of the uncompressed sizes an archive declares. */
export const ZIP_MAX_TOTAL_BYTES = 4 * 1024 * 1024 * 1024;
/** Largest compression ratio of an entry past ZIP_RATIO_FLOOR_BYTES (deflate tops out near 1032). */
export const ZIP_MAX_RATIO = 1000;
/** Entries smaller than this are exempt from the ratio cap (tiny files compress freely). */
export const ZIP_RATIO_FLOOR_BYTES = 1024 * 1024;
/** Largest manifest.json / deepsteer.json / model.json text. */
export const JSON_FILE_MAX_BYTES = 8 * 1024 * 1024;
/** Largest CSV (labels.csv, driving_log.csv). */
export const CSV_MAX_BYTES = 64 * 1024 * 1024;
/** Most data rows in a CSV. */
export const CSV_MAX_ROWS = 1_000_000;
/** Largest single image file in a Udacity import, and its largest declared dimensions. */
export const IMAGE_MAX_BYTES = 8 * 1024 * 1024;
export const IMAGE_MAX_SIDE = 2048;
/** Largest model zip a player may import. */
export const MODEL_ZIP_MAX_BYTES = 256 * 1024 * 1024;
/** Most files in a model zip (model.json, deepsteer.json, weight shards). */
export const MODEL_ZIP_MAX_ENTRIES = 64;
