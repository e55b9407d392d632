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
  poweredByHeader: false,
  reactStrictMode: true,
};

export default nextConfig;
