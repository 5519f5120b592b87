// Browser-only, reached through vite's alias (vite.config.ts), never imported by name: the
// threaded wasm backend's Emscripten factory, kept out of the minifier. tfjs starts each of its
// pthread workers from the factory's source text (`Function.prototype.toString`), so a minified
// copy, whose inner function points at names the minifier gave the code around it, fails in the
// workers ("e is not defined") and the backend never starts. Built here from the file's own text,
// the factory's source is the published one, whole. Built on first use only: a worker that runs
// the single-threaded binary (the driving worker, the peer) never builds it (0.1 MB of its heap).
import source from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js?raw';

type Factory = (config: unknown) => unknown;
let built: Factory | null = null;
// The file declares `var WasmBackendModuleThreadedSimd` and, outside CommonJS/AMD, exports nothing.
const real = (): Factory => (built ??= new Function(`${source}\nreturn WasmBackendModuleThreadedSimd;`)() as Factory);

function factory(config: unknown): unknown {
  return real()(config);
}
// What tfjs hands its pthread workers as the module's source: the real factory's.
factory.toString = (): string => real().toString();
export default factory;
