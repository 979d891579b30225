// SPDX-License-Identifier: AGPL-3.0-or-later
// Bundle the join page and the browser test pages with esbuild.
//
// Outputs are build products and never committed: the join page goes to
// synapse_hubs/web/static/bundle/, the test pages to tests/browser/pages/bundle/.
// Every file is bundled from node_modules, so the pages load nothing from a CDN.
import * as esbuild from "esbuild";
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

const common = {
  bundle: true,
  format: "esm",
  target: ["chrome110", "firefox115", "safari16"],
  sourcemap: true,
  logLevel: "warning",
  // matrix-js-sdk and livekit-client read process.env.NODE_ENV at import time.
  define: { "process.env.NODE_ENV": '"production"', global: "globalThis" },
};

async function buildJoinPage() {
  const outdir = join(root, "synapse_hubs/web/static/bundle");
  mkdirSync(outdir, { recursive: true });
  const entry = join(root, "synapse_hubs/web/src/main.ts");
  if (existsSync(entry)) {
    await esbuild.build({ ...common, entryPoints: [entry], outfile: join(outdir, "app.js"), minify: true });
  }
  // livekit-client runs E2EE in a worker that must be served as its own file.
  await esbuild.build({
    ...common,
    entryPoints: [join(root, "node_modules/livekit-client/dist/livekit-client.e2ee.worker.mjs")],
    outfile: join(outdir, "e2ee-worker.js"),
    minify: true,
  });
}

async function buildTestPages() {
  const pagesDir = join(root, "tests/browser/pages");
  const outdir = join(pagesDir, "bundle");
  mkdirSync(outdir, { recursive: true });
  const entries = readdirSync(pagesDir).filter((name) => name.endsWith(".ts"));
  for (const name of entries) {
    await esbuild.build({
      ...common,
      entryPoints: [join(pagesDir, name)],
      outfile: join(outdir, name.replace(/\.ts$/, ".js")),
    });
  }
  // One E2EE worker per livekit-client version, matching the page that loads it.
  for (const [pkg, out] of [["livekit-client", "e2ee-worker-latest.js"], ["livekit-client-ec", "e2ee-worker-ec.js"]]) {
    await esbuild.build({
      ...common,
      entryPoints: [join(root, `node_modules/${pkg}/dist/livekit-client.e2ee.worker.mjs`)],
      outfile: join(outdir, out),
    });
  }
}

await buildJoinPage();
await buildTestPages();
