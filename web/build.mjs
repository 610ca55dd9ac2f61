// Builds the dashboard into web/dist: one hashed ES module and one stylesheet (esbuild, minified), index.html, the
// public files, and a gzip + brotli copy of each text file (served as-is by the local host and Static Web Apps).
//
//   node web/build.mjs            same-origin API (the local host, or the Function App serving both)
//   CRM_API_BASE=https://func-x.azurewebsites.net node web/build.mjs   the API on another origin (Static Web Apps)
//   CRM_TEAM_TIMEZONE=Asia/Dubai  the team's zone for dates (the server's TEAM_TIMEZONE; default Asia/Kolkata)
//   --watch                       rebuild on change

import { build, context } from "esbuild";
import { createHash } from "node:crypto";
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const here = dirname(fileURLToPath(import.meta.url));
const out = process.env.CRM_WEB_OUT || join(here, "dist");
const apiBase = (process.env.CRM_API_BASE || "").replace(/\/+$/, "");
const tz = process.env.CRM_TEAM_TIMEZONE || "Asia/Kolkata";
const watch = process.argv.includes("--watch");

if (apiBase && !/^https?:\/\/[^/]+$/.test(apiBase)) {
  console.error(`CRM_API_BASE must be an origin such as https://func-crm.azurewebsites.net (got ${apiBase})`);
  process.exit(2);
}

const options = {
  entryPoints: { app: join(here, "src/main.tsx") },
  bundle: true,
  minify: true,
  sourcemap: false,
  format: "esm",
  target: ["es2020", "chrome91", "safari15", "firefox91"],
  jsx: "automatic",
  jsxImportSource: "preact",
  outdir: join(out, "assets"),
  entryNames: "[name]-[hash]",
  assetNames: "[name]-[hash]",
  metafile: true,
  legalComments: "none",
  charset: "utf8",
  define: { __API_BASE__: JSON.stringify(apiBase), __TEAM_TZ__: JSON.stringify(tz) },
  logLevel: "warning",
};

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

function finish(result) {
  const outputs = Object.keys(result.metafile.outputs).map((p) => relative(out, p).split("\\").join("/"));
  const js = outputs.find((p) => p.endsWith(".js"));
  const css = outputs.find((p) => p.endsWith(".css"));
  const html = readFileSync(join(here, "index.html"), "utf8").replace("%JS%", js).replace("%CSS%", css);
  writeFileSync(join(out, "index.html"), html);
  cpSync(join(here, "public"), out, { recursive: true });
  const swa = join(out, "staticwebapp.config.json");
  const origin = apiBase ? ` ${apiBase}` : "";
  writeFileSync(swa, readFileSync(swa, "utf8").replace(" %API_ORIGIN%", origin));

  const files = {};
  for (const path of walk(out)) {
    if (/\.(gz|br)$/.test(path)) continue;
    const rel = relative(out, path).split("\\").join("/");
    const body = readFileSync(path);
    const entry = { bytes: body.length, sha256: createHash("sha256").update(body).digest("hex").slice(0, 16) };
    if (/\.(js|css|html|svg|json|webmanifest|txt)$/.test(path) && body.length > 256) {
      const gz = gzipSync(body, { level: 9 });
      const br = brotliCompressSync(body, {
        params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: body.length },
      });
      writeFileSync(path + ".gz", gz);
      writeFileSync(path + ".br", br);
      entry.gzip = gz.length;
      entry.br = br.length;
    }
    files[rel] = entry;
  }
  const manifest = { built_at: new Date().toISOString(), api_base: apiBase, time_zone: tz, js, css, files };
  writeFileSync(join(out, "build.json"), JSON.stringify(manifest, null, 2));
  const first = ["index.html", js, css].reduce((n, f) => n + (files[f].gzip ?? files[f].bytes), 0);
  console.log(`web: built ${js} (${files[js].bytes} B, ${files[js].gzip} B gzip), ${css}; first load ${first} B gzip → ${relative(process.cwd(), out) || out}`);
}

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, "assets"), { recursive: true });
if (watch) {
  const ctx = await context({ ...options, plugins: [{ name: "finish", setup: (b) => b.onEnd((r) => r.errors.length || finish(r)) }] });
  await ctx.watch();
  console.log("web: watching web/src for changes");
} else {
  finish(await build(options));
}
