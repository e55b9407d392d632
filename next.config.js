/**
 * Puts V8's explicit compile hint at the top of the client chunk that holds plotly.js: Chromium then
 * compiles all its functions on a background thread while the file streams in, instead of one by
 * one on the main thread at their first call, most of them during the chart's first draw (bench:site
 * measures the first draw and the redraw). Only that chunk: the page's other scripts are smaller, and compiling what they never call would
 * compete for the cores with everything else. Added after minification, which drops comments.
 */
class PlotlyCompileHintPlugin {
  apply(compiler) {
    const { Compilation, sources } = compiler.webpack;
    compiler.hooks.thisCompilation.tap('PlotlyCompileHint', (compilation) => {
      compilation.hooks.processAssets.tap({ name: 'PlotlyCompileHint', stage: Compilation.PROCESS_ASSETS_STAGE_DEV_TOOLING }, () => {
        for (const chunk of compilation.chunks) {
          const modules = compilation.chunkGraph.getChunkModulesIterable(chunk);
          if (![...modules].some((m) => /[\\/]plotly\.js-basic-dist-min[\\/]/.test(m.resource ?? ''))) continue;
          for (const file of chunk.files) {
            if (file.endsWith('.js')) compilation.updateAsset(file, (old) => new sources.ConcatSource('//# allFunctionsCalledOnLoad\n', old));
          }
        }
      });
    });
  }
}

/**
 * The site reads SQLite on the server. Native addons cannot be bundled, so they (and the heavy
 * tfjs/onnxruntime packages that db/ or the roster may pull in transitively) are loaded with Node's
 * own require at run time.
 * @type {import('next').NextConfig}
 */
const nextConfig = {
  serverExternalPackages: [
    'better-sqlite3',
    'onnxruntime-node',
    'sharp',
    '@tensorflow/tfjs',
    '@tensorflow/tfjs-node',
    '@tensorflow/tfjs-node-gpu',
    '@tensorflow/tfjs-backend-wasm',
    '@tensorflow/tfjs-backend-webgpu',
  ],
  // `npm run typecheck` checks the whole repository; without this, every site build would
  // re-check training/, bench/ and the rest, and fail on code the site never loads.
  // Next rewrites the tsconfig it is given to its taste; this one is the site's, so the shared
  // tsconfig.json stays as the repository wrote it.
  typescript: { ignoreBuildErrors: true, tsconfigPath: 'tsconfig.site.json' },
  // The codebase follows Node's ESM rule (relative imports name the emitted `.js`); webpack maps
  // them back to the `.ts` sources. Turbopack (Next 16's default) cannot yet (vercel/next.js#82945),
  // so the site builds and runs in development with `--webpack`.
  experimental: { extensionAlias: { '.js': ['.ts', '.tsx', '.js'] } },
  webpack: (config, { isServer }) => {
    if (!isServer) config.plugins.push(new PlotlyCompileHintPlugin());
    return config;
  },
  // The site is served to a browser on the same machine or LAN (`usibench serve` listens on
  // 127.0.0.1 unless told otherwise): gzipping every response, the plotly chunk on each first
  // visit, cost CPU on the cores the browser was using and saved no transfer time worth having
  // (an interleaved bench:site A/B: the default view became interactive sooner without it). Behind
  // a proxy on a slow link, let the proxy compress.
  compress: false,
  poweredByHeader: false,
  reactStrictMode: true,
};

export default nextConfig;
