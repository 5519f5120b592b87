// Builds convKernels.c into the committed binary convKernels.wasm (npm run build:simd).
// Needs Debian's clang and lld (apt-get install clang lld; .ci/run installs them). The game and
// its tests load the committed binaries, so only a change to convKernels.c needs this.
//   node src/model/wasmKernels/simd/build.mjs [outDir]
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const COMMON = ['--target=wasm32', '-O3', '-msimd128', '-fno-builtin', '-nostdlib', '-Wl,--no-entry', '-Wl,--import-memory', '-Wl,--strip-all'];
export const SIMD_BUILDS = {
  'convKernels.wasm': COMMON,
  // For a threaded backend's memory, which is shared (a helper thread runs half of each call).
  'convKernelsShared.wasm': [...COMMON, '-matomics', '-mbulk-memory', '-Wl,--shared-memory', '-Wl,--max-memory=4294967296'],
};

/** Builds the binaries into outDir; throws with clang's message when it fails or is missing. */
export function buildSimd(outDir = here) {
  for (const [file, flags] of Object.entries(SIMD_BUILDS)) {
    execFileSync('clang', [...flags, '-o', join(outDir, file), join(here, 'convKernels.c')], { stdio: ['ignore', 'inherit', 'inherit'] });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  buildSimd(process.argv[2] ?? here);
  console.log(`built ${Object.keys(SIMD_BUILDS).join(', ')} in ${process.argv[2] ?? here}`);
}
