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
  typescript: { ignoreBuildErrors: true },
  poweredByHeader: false,
  reactStrictMode: true,
};

export default nextConfig;
