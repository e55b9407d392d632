// `npm install` hook: compiles the addon with the node-gyp that npm bundles. Where Node's headers
// are installed beside the binary (Debian's nodejs, official tarballs), they are used, so the build
// needs no download. A failure exits non-zero; the package is an optional dependency, so npm
// carries on and usibench falls back to the wasm backend.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

// npm reruns this for every `npm install` in the project; skip when the addon is newer than its
// sources (Node-API binaries do not depend on the Node version). USIBENCH_NATIVE_REBUILD=1 forces.
const built = path.join(__dirname, 'build', 'Release', 'usibench_native.node');
if (!process.env.USIBENCH_NATIVE_REBUILD && fs.existsSync(built)) {
  const sources = ['binding.gyp', 'build.js', 'ops.json', ...fs.readdirSync(path.join(__dirname, 'src')).map((f) => path.join('src', f))];
  const newest = Math.max(...sources.map((f) => fs.statSync(path.join(__dirname, f)).mtimeMs));
  if (fs.statSync(built).mtimeMs > newest) {
    console.log('@usibench/engine-native: build is up to date');
    process.exit(0);
  }
}

// npm names its bundled node-gyp in npm_config_node_gyp; outside npm, look beside the node binary.
const bundled = path.resolve(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
const gyp = process.env.npm_config_node_gyp || (fs.existsSync(bundled) ? bundled : null);
const args = ['rebuild'];
const prefix = path.resolve(path.dirname(process.execPath), '..');
if (!process.env.npm_config_nodedir && fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h'))) {
  args.push(`--nodedir=${prefix}`);
}
const cmd = gyp ? process.execPath : 'node-gyp';
const r = spawnSync(cmd, gyp ? [gyp, ...args] : args, { cwd: __dirname, stdio: 'inherit', shell: !gyp && process.platform === 'win32' });
if (r.error) console.error(`@usibench/engine-native: could not run node-gyp: ${r.error.message}`);
process.exit(r.status ?? 1);
