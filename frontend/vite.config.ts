import { defineConfig, type Plugin } from "vite";
import { VitePWA } from "vite-plugin-pwa";

// The patient chunk (Today) and the chunks it imports are fetched beside the shell's
// script instead of after it has run: <link rel="modulepreload"> in index.html. (A
// clinician's phone fetches them too, ~7 kB gzipped, which the service worker precaches
// anyway.)
function preloadPatientChunk(): Plugin {
  return {
    name: "ldn-preload-patient-chunk",
    apply: "build",
    transformIndexHtml: {
      order: "post",
      handler(_html, ctx) {
        const bundle = ctx.bundle;
        if (!bundle) return [];
        const entry = Object.values(bundle).find((c) => c.type === "chunk" && c.isEntry);
        const shell = new Set(entry && entry.type === "chunk" ? [entry.fileName, ...entry.imports] : []);
        const files: string[] = [];
        const add = (fileName: string) => {
          const chunk = bundle[fileName];
          if (!chunk || chunk.type !== "chunk" || shell.has(fileName) || files.includes(fileName)) return;
          files.push(fileName);
          chunk.imports.forEach(add);
        };
        // (The chunk also holds modules it shares with History and Me: no facade module.)
        for (const chunk of Object.values(bundle)) {
          if (chunk.type === "chunk" && chunk.moduleIds.some((id) => id.endsWith("/src/patient/PatientApp.tsx"))) add(chunk.fileName);
        }
        return files.map((f) => ({ tag: "link", attrs: { rel: "modulepreload", crossorigin: true, href: `/${f}` }, injectTo: "head" as const }));
      },
    },
  };
}

// Built files are served by Django (whitenoise) at "/": see config/frontend.py.
export default defineConfig({
  esbuild: { jsx: "automatic", jsxImportSource: "preact" },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2020",
    // No inline polyfill: the CSP allows only our own script files.
    modulePreload: { polyfill: false },
    rollupOptions: {
      output: {
        // The modules the patient and clinician pages share travel in the entry chunk
        // instead of small chunks of their own: each script is one more request through
        // the service worker before Today, and a clinician's phone loads a few kB more.
        // (The entry's own modules are named too, so that this chunk is the entry.)
        manualChunks(id) {
          if (/\/src\/(main|app|api|boot|db|strings|dates|invite|radio|rules\.gen|patient\/drafts)\.tsx?$/.test(id)) return "index";
        },
      },
    },
  },
  plugins: [
    preloadPatientChunk(),
    VitePWA({
      strategies: "injectManifest",
      srcDir: "src",
      filename: "sw.ts",
      injectRegister: false, // registered from src/main.tsx
      manifest: {
        name: "LDN Diary",
        short_name: "LDN Diary",
        description: "A ten-second daily headache and pain diary for low-dose naltrexone.",
        id: "/",
        start_url: "/",
        scope: "/",
        display: "standalone",
        orientation: "portrait",
        theme_color: "#1f5f8b",
        background_color: "#ffffff",
        icons: [
          { src: "/icons/icon-192.png", sizes: "192x192", type: "image/png", purpose: "any" },
          { src: "/icons/icon-512.png", sizes: "512x512", type: "image/png", purpose: "any" },
          { src: "/icons/icon-maskable-512.png", sizes: "512x512", type: "image/png", purpose: "maskable" },
        ],
      },
      injectManifest: {
        globPatterns: ["**/*.{js,css,html,png,webmanifest}"],
      },
    }),
  ],
});
