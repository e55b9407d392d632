'use strict';
// Loads the compiled addon. Throws when it was not built (no compiler or BLAS at install time);
// src/native/addon.ts catches that and the native backend reports itself unavailable.
const fs = require('node:fs');
const path = require('node:path');

// OpenBLAS 0.3.21 (Debian 12) does not know recent Intel models (e.g. a VM's generic "Intel Xeon
// Processor" with AVX-512) and falls back to its Prescott (SSE3) kernels: 10x slower sgemm. It reads
// OPENBLAS_CORETYPE when the library loads, so pick the kernel family from the CPU's flags just
// for that moment, unless the user chose one, and restore the environment for child processes.
function coreTypeFromFlags() {
  if (process.platform !== 'linux' || process.arch !== 'x64') return null;
  let flags;
  try {
    const line = fs.readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => l.startsWith('flags'));
    flags = new Set((line || '').split(':')[1]?.trim().split(/\s+/) ?? []);
  } catch {
    return null;
  }
  if (['avx512f', 'avx512bw', 'avx512vl', 'avx512dq', 'avx512cd'].every((f) => flags.has(f))) return 'SkylakeX';
  if (flags.has('avx2') && flags.has('fma')) return 'Haswell';
  return null;
}

const userCore = process.env.OPENBLAS_CORETYPE;
const forced = userCore ? null : coreTypeFromFlags();
if (forced) process.env.OPENBLAS_CORETYPE = forced;
try {
  // A plain object copy, so profilers can wrap its functions.
  module.exports = { ...require(path.join(__dirname, 'build', 'Release', 'usibench_native.node')) };
} finally {
  if (forced) delete process.env.OPENBLAS_CORETYPE;
}
