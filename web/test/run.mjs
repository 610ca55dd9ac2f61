// Bundles the modules under test with esbuild (as the app is built), then runs node's test runner on them.
import { build } from "esbuild";
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const src = join(here, "..", "src");
const common = { bundle: true, format: "esm", platform: "node", jsx: "automatic", jsxImportSource: "preact", logLevel: "warning", define: { __API_BASE__: '""', __TEAM_TZ__: '"Asia/Kolkata"' } };
await build({ ...common, entryPoints: { format: join(src, "format.ts"), commands: join(src, "commands.ts"), mm: join(src, "pages/MessageMaster.tsx") }, outdir: join(here, ".bundle"), outExtension: { ".js": ".mjs" } });
const r = spawnSync(process.execPath, ["--test", join(here, "format.test.mjs")], { stdio: "inherit" });
process.exit(r.status ?? 1);
