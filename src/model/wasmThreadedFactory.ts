// Browser-only, reached through vite's alias (vite.config.ts), never imported by name: the
// threaded wasm backend's Emscripten factory, kept out of the minifier. tfjs starts each of its
// pthread workers from the factory's source text (`Function.prototype.toString`), so a minified
// copy, whose inner function points at names the minifier gave the code around it, fails in the
// workers ("e is not defined") and the backend never starts. Built here from the file's own text,
// the factory's source is the published one, whole.
import source from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js?raw';

// The file declares `var WasmBackendModuleThreadedSimd` and, outside CommonJS/AMD, exports nothing.
const factory = new Function(`${source}\nreturn WasmBackendModuleThreadedSimd;`)() as unknown;
export default factory;
