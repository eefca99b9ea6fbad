// Builds the front end of seqlab's JupyterLite site: JupyterLab 4.6's own plugins and
// JupyterLite 0.8's in-browser services from npm (see ../lab/front-end.webpack.cjs); and, as a
// second bundle, the Web Worker of seqlab's TypeScript kernel (seqlab's library inside).
// Run by kernel/site/build.mjs after tsc has compiled src/ to lib/.
const path = require('path');
const { frontEnd, modules: modulesOf } = require('../lab/front-end.webpack.cjs');

const outDir = path.resolve(__dirname, 'build');
const production = process.env.SEQLAB_SITE_PRODUCTION !== '0';
const modules = modulesOf(__dirname);

// SEQLAB_SITE_PART=app or =worker builds one part only: build.mjs stamps them apart, so that a
// change to the seqlab library rebuilds the worker (seconds), not the whole front end (minutes).
const part = process.env.SEQLAB_SITE_PART ?? 'all';

// The same front end as kernel/lab's, with this site's main.js.
const app = frontEnd({
  dir: __dirname,
  mainJs: path.resolve(__dirname, 'src/main.js'),
  production,
  devtool: false,
  extra: {
    resolve: { fallback: { util: false } },
    module: {
      rules: [
        // JupyterLite's service worker is imported as a file (`./service-worker?text`).
        { resourceQuery: /text/, type: 'asset/resource', generator: { filename: '[name][ext]' } },
      ],
    },
  },
});

const worker = [
  {
    // The kernel's worker: a classic worker script (it loads the TypeScript compiler with importScripts).
    name: 'kernel-worker',
    mode: production ? 'production' : 'development',
    devtool: false,
    target: 'webworker',
    entry: { 'seqlab-kernel-worker': path.resolve(__dirname, 'lib/worker.js') },
    output: { path: outDir, filename: '[name].js', publicPath: 'auto' },
    resolve: { modules },
    module: {
      rules: [
        // onnxruntime-web finds its .wasm and its proxy worker's script next to itself (new URL(…,
        // import.meta.url)); the worker sets wasmPaths to the site's copy and uses no proxy worker,
        // so webpack must neither emit a second copy of the 14 MB binary nor bundle a worker chunk.
        { test: /[\\/]onnxruntime-web[\\/]dist[\\/]/, parser: { url: false, worker: false } },
      ],
    },
    performance: { hints: false },
  },
];

module.exports = part === 'app' ? app : part === 'worker' ? worker : [...app, ...worker];
