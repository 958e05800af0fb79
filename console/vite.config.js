// Builds the console into dist/, served by Flask at /console/ (server/console_static.py).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';
import Components from 'unplugin-vue-components/vite';
import { TDesignResolver } from 'unplugin-vue-components/resolvers';

// <t-base-table> from its own module: the library's table entry also pulls in the sortable,
// filterable tables and their drag-and-drop library, which the plain lists never use
function baseTableResolver(name) {
  if (name !== 'TBaseTable') return undefined;
  return {
    name: 'default',
    from: 'tdesign-vue-next/es/table/base-table.mjs',
    sideEffects: 'tdesign-vue-next/es/table/style/css.mjs',
  };
}

// Each hashed script and style sheet also as .gz beside it, compressed once at build time:
// the app (server/console_static.py) and nginx (gzip_static) send it to browsers that accept
// gzip, and nothing compresses on each request.
function precompress() {
  let outDir = 'dist';
  return {
    name: 'precompress',
    apply: 'build',
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir);
    },
    writeBundle(_, bundle) {
      for (const name of Object.keys(bundle)) {
        if (!/^assets\/.*\.(js|css|svg)$/.test(name)) continue;
        const file = path.join(outDir, name);
        const raw = readFileSync(file);
        const packed = gzipSync(raw, { level: 9 });
        if (packed.length < raw.length) writeFileSync(`${file}.gz`, packed);
      }
    },
  };
}

export default defineConfig({
  base: '/console/',
  plugins: [
    vue(),
    // TDesign components are imported where templates use them, never the whole library
    Components({
      resolvers: [baseTableResolver, TDesignResolver({ library: 'vue-next', resolveIcons: true })],
      dts: false,
    }),
    precompress(),
  ],
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    emptyOutDir: true,
    chunkSizeWarningLimit: 800,
    reportCompressedSize: true,
    // dist/.vite/manifest.json: what each route loads (npm run sizes); never served
    manifest: true,
    // Fewer files for a page's first load: each is a round trip to the app's workers, and a
    // cold load of the first page after login fetched 27 scripts and 16 style sheets (issue
    // #21). One style sheet for the whole console (≈ 37 KB gzip); chunks under 40 KB merged
    // into one loaded with them where Rollup finds that safe.
    cssCodeSplit: false,
    rollupOptions: { output: { experimentalMinChunkSize: 40_000 } },
  },
  server: {
    // `npm run dev` talks to `flask --app server demo` on its default address
    proxy: { '/api': 'http://127.0.0.1:5000' },
  },
});
