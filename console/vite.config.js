// Builds the console into dist/, served by Flask at /console/ (server/console_static.py).
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

export default defineConfig({
  base: '/console/',
  plugins: [
    vue(),
    // TDesign components are imported where templates use them, never the whole library
    Components({
      resolvers: [baseTableResolver, TDesignResolver({ library: 'vue-next', resolveIcons: true })],
      dts: false,
    }),
  ],
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    emptyOutDir: true,
    chunkSizeWarningLimit: 800,
    reportCompressedSize: true,
    // dist/.vite/manifest.json: what each route loads (npm run sizes); never served
    manifest: true,
  },
  server: {
    // `npm run dev` talks to `flask --app server demo` on its default address
    proxy: { '/api': 'http://127.0.0.1:5000' },
  },
});
