// Builds the console into dist/, served by Flask at /console/ (server/console_static.py).
import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';
import Components from 'unplugin-vue-components/vite';
import { TDesignResolver } from 'unplugin-vue-components/resolvers';

export default defineConfig({
  base: '/console/',
  plugins: [
    vue(),
    // TDesign components are imported where templates use them, never the whole library
    Components({
      resolvers: [TDesignResolver({ library: 'vue-next', resolveIcons: true })],
      dts: false,
    }),
  ],
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    emptyOutDir: true,
    chunkSizeWarningLimit: 800,
    reportCompressedSize: true,
  },
  server: {
    // `npm run dev` talks to `flask --app server demo` on its default address
    proxy: { '/api': 'http://127.0.0.1:5000' },
  },
});
