import { readdirSync, readFileSync } from "node:fs";
import { defineConfig, type Options } from "tsup";

const pkg = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8")) as {
  version: string;
};

// Options both builds share.
const shared = {
  format: ["esm"],
  target: "node20",
  platform: "node",
  splitting: true,
  shims: true,
  // `npm run build` empties dist/ first: the two builds below run side by side.
  clean: false,
  sourcemap: false,
  dts: false,
  define: { __MCP_TWIN_VERSION__: JSON.stringify(pkg.version) },
  // Dependencies are bundled into the chunks that use them: resolving a few hundred files under
  // node_modules at every start cost more than all of sync's own work. CommonJS dependencies get
  // a real `require` through this banner.
  noExternal: [/.*/],
  // Prefer dependencies' ESM builds (jsonc-parser's UMD build defeats tree-shaking).
  esbuildOptions(options) {
    options.mainFields = ["module", "main"];
    // Less source for V8 to parse at every start (-2 ms of a no-op sync); identifiers are kept,
    // so stack traces still name the functions.
    options.minifyWhitespace = true;
    options.minifySyntax = true;
  },
  // `require` for bundled CommonJS dependencies. node:child_process is handed out as a stand-in
  // that loads the real module on first use: commander requires it at load time only to spawn
  // executable subcommands (mcp-twin has none), and loading it costs ~2 ms of every run.
  banner: {
    js: [
      'import { createRequire as __mcpTwinCreateRequire } from "node:module";',
      "const __mcpTwinRequire = __mcpTwinCreateRequire(import.meta.url);",
      "const require = Object.assign((id) => id === 'child_process' || id === 'node:child_process' ? new Proxy({}, { get: (_, key) => __mcpTwinRequire(id)[key] }) : __mcpTwinRequire(id), { resolve: __mcpTwinRequire.resolve, cache: __mcpTwinRequire.cache });",
    ].join(" "),
  },
} satisfies Options;

// Every command module but sync (which has a build of its own, below).
const commands = readdirSync(new URL("./src/commands/", import.meta.url))
  .filter((f) => f.endsWith(".ts") && f !== "sync.ts")
  .map((f) => f.slice(0, -".ts".length));
// Three builds, loaded by path at run time (see load() in src/cli.ts). Code they share is copied,
// not shared: errors are recognised by kind across copies (src/core/errors.ts).
export default defineConfig([
  // The command line alone, one file: commander, flags, exit codes.
  // No __dirname shims: nothing in its graph uses them (checked by test/e2e/package.test.ts).
  { ...shared, entry: { cli: "src/cli.ts" }, shims: false },
  // Every command but sync, split into shared chunks, each loaded only when its command runs; the
  // version for `--version` and the schemas for scripts/generate-schema.js.
  {
    ...shared,
    entry: {
      version: "src/version.ts",
      "manifest-schema": "src/core/manifest/schema.ts",
      "template-schema": "src/core/catalogue/schema.ts",
      ...Object.fromEntries(commands.map((c) => [`commands/${c}`, `src/commands/${c}.ts`])),
    },
  },
  // `sync` on its own: its start-up loads a few modules; its lazy parts (zod, execa, the bridge)
  // stay in chunks of their own.
  { ...shared, entry: { sync: "src/commands/sync.ts" }, outDir: "dist/sync" },
]);
