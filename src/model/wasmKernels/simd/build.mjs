// Builds convKernels.c into the committed binaries (npm run build:simd).
// Needs Debian's clang and lld (apt-get install clang lld) and, for the relaxed-SIMD builds,
// clang-19 and lld-19 (.ci/run installs them). The game and its tests load the committed
// binaries, so only a change to convKernels.c needs this.
//   node src/model/wasmKernels/simd/build.mjs [outDir]
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const COMMON = ['--target=wasm32', '-O3', '-msimd128', '-fno-builtin', '-nostdlib', '-Wl,--no-entry', '-Wl,--import-memory', '-Wl,--strip-all'];
// For a threaded backend's memory, which is shared (a helper thread runs chunks of each call).
const SHARED = ['-matomics', '-mbulk-memory', '-Wl,--shared-memory', '-Wl,--max-memory=4294967296'];
// Relaxed SIMD's fused multiply-add (convKernels.c, MAC): clang 19 writes the standard opcodes.
const FMA = ['-mrelaxed-simd', '-DRELAXED'];
/** Each binary: the compiler and its flags. */
export const SIMD_BUILDS = {
  'convKernels.wasm': { clang: 'clang', flags: COMMON },
  'convKernelsShared.wasm': { clang: 'clang', flags: [...COMMON, ...SHARED] },
  'convKernelsFma.wasm': { clang: 'clang-19', flags: [...COMMON, ...FMA] },
  'convKernelsSharedFma.wasm': { clang: 'clang-19', flags: [...COMMON, ...SHARED, ...FMA] },
};

/** Builds the binaries into outDir; throws with clang's message when it fails or is missing. */
export function buildSimd(outDir = here) {
  for (const [file, { clang, flags }] of Object.entries(SIMD_BUILDS)) {
    execFileSync(clang, [...flags, '-o', join(outDir, file), join(here, 'convKernels.c')], { stdio: ['ignore', 'inherit', 'inherit'] });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  buildSimd(process.argv[2] ?? here);
  console.log(`built ${Object.keys(SIMD_BUILDS).join(', ')} in ${process.argv[2] ?? here}`);
}
