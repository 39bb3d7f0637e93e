// Vite build of the console: one script with its styles inlined (index.html + one .js per page
// load), served by ondo under /console/ (src/ondo/serve/routes/console.cpp).
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/console/',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsInlineLimit: 0,
    modulePreload: false,
    cssCodeSplit: false,
    sourcemap: false,
    target: 'es2022',
    rollupOptions: { output: { inlineDynamicImports: true } },
  },
});
