import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { isBuiltin } from "node:module";
import path from "node:path";
import { type Plugin, rollup } from "rollup";
import { defineConfig, type Options } from "tsup";
import { bundledLibrariesPlugin } from "./scripts/bundled-libraries.mjs";
import { sdkGuardsEsbuildPlugin } from "./scripts/sdk-guards-patch.mjs";
import { sdkShimsEsbuildPlugin } from "./scripts/sdk-shims-alias.mjs";
import { tomlParserEsbuildPlugin } from "./scripts/toml-parser-patch.mjs";
import { zodLocalesEsbuildPlugin } from "./scripts/zod-locales-en.mjs";

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
  // Dependencies are bundled into the chunks that use them: resolving files under node_modules at
  // every start would cost more than sync's own work (docs/dev/performance.md). CommonJS
  // dependencies get a real `require` through this banner.
  noExternal: [/.*/],
  // toml-eslint-parser, made to read tokens of any length; the MCP SDK's JSON-RPC guards, made to
  // refuse a message of another kind without a failing zod parse (see each script); the bundled
  // libraries listed in dist/bundled.cdx.json, for THIRD-PARTY-NOTICES and users' audits; zod's
  // error messages in English only.
  esbuildPlugins: [
    tomlParserEsbuildPlugin,
    sdkGuardsEsbuildPlugin,
    sdkShimsEsbuildPlugin,
    zodLocalesEsbuildPlugin,
    bundledLibrariesPlugin(),
  ],
  // Prefer dependencies' ESM builds (jsonc-parser's UMD build defeats tree-shaking).
  esbuildOptions(options) {
    options.mainFields = ["module", "main"];
    // Less source for V8 to parse at every start; identifiers are kept, so stack traces still
    // name the functions.
    options.minifyWhitespace = true;
    options.minifySyntax = true;
  },
  // `require` for bundled CommonJS dependencies. node:child_process is handed out as a stand-in
  // that loads the real module on first use: commander requires it at load time only to spawn
  // executable subcommands (mcp-twin has none), and loading it slows every run. The real require
  // is made on first use too: every chunk has this banner, and a start-up file holds many chunks
  // once re-chunked (see rechunk), most of which never require anything.
  banner: {
    js: [
      'import { createRequire as __mcpTwinCreateRequire } from "node:module";',
      "let __mcpTwinRequireMade;",
      "const __mcpTwinRequire = () => (__mcpTwinRequireMade ??= __mcpTwinCreateRequire(import.meta.url));",
      "const require = Object.defineProperties((id) => id === 'child_process' || id === 'node:child_process' ? new Proxy({}, { get: (_, key) => __mcpTwinRequire()(id)[key] }) : __mcpTwinRequire()(id), { resolve: { value: (id, options) => __mcpTwinRequire().resolve(id, options) }, cache: { get: () => __mcpTwinRequire().cache } });",
    ].join(" "),
  },
} satisfies Options;

/**
 * Re-chunk a build's output with Rollup, from `staging` into `outDir` (then `staging` is removed).
 *
 * esbuild splits code by the set of entry points that reach it, and counts every lazily imported
 * module as an entry of its own: it cannot know that when sync.js imports its apply step lazily,
 * sync.js and everything it imports are already loaded. So code the start-up shares with a lazy
 * part lands in a chunk per combination of lazy parts, and every file costs Node's ESM loader a
 * resolve, a read, a compile and a link (docs/dev/performance.md). Rollup's chunking knows what an
 * importer has already loaded: the start-up becomes one file, the lazy parts stay apart and import
 * from it. Rollup
 * only moves esbuild's chunks around (no tree-shaking, no other transform), and every file stays
 * in the folder it was built for, so `import.meta.url` means what it meant.
 */
async function rechunk(staging: string, outDir: string, entries: string[]): Promise<void> {
  const bundle = await rollup({
    plugins: [builtinsWithoutFacades],
    input: Object.fromEntries(entries.map((e) => [e, path.join(staging, `${e}.js`)])),
    // node: built-ins and anything bare stay imports (esbuild already bundled every dependency).
    external: (id) => !id.startsWith(".") && !path.isAbsolute(id),
    treeshake: false,
    // Entry chunks may export more than their module did: the lazy parts import shared code there.
    preserveEntrySignatures: "allow-extension",
    onwarn(warning, warn) {
      // The require banner's createRequire import, unused where a chunk needs no require.
      if (warning.code !== "UNUSED_EXTERNAL_IMPORT") warn(warning);
    },
  });
  const out = `${staging}.out`;
  await bundle.write({
    dir: out,
    format: "esm",
    entryFileNames: "[name].js",
    // esbuild's names (`execa-SG53SK5V`) without its hash; Rollup adds its own.
    chunkFileNames: (chunk) => `${chunk.name.replace(/-[A-Z0-9]{8}$/, "")}-[hash].js`,
  });
  await bundle.close();
  // Into outDir, which may hold another build's files (cli.js sits beside the commands' chunks).
  mkdirSync(outDir, { recursive: true });
  for (const file of readdirSync(out)) renameSync(path.join(out, file), path.join(outDir, file));
  rmSync(out, { recursive: true, force: true });
  rmSync(staging, { recursive: true, force: true });
}

/**
 * Built-in modules taken with process.getBuiltinModule (Node >= 20.16; bin/mcp-twin.js stops older
 * ones) instead of `import … from "node:fs"` at the top of the re-chunked files. Node gives every
 * ESM import of a built-in a facade module, filled by reading each of its exports — lazy ones too:
 * `process.report`, crypto's `webcrypto` load modules of their own —, which slows a no-op sync
 * (docs/dev/performance.md). The bindings are the same objects; a built-in's exports never change.
 */
const builtinsWithoutFacades: Plugin = {
  name: "builtins-without-facades",
  renderChunk(code) {
    let out = code;
    // From the last import up, so the offsets of the earlier ones stay right.
    for (const node of [...this.parse(code).body].reverse()) {
      if (node.type !== "ImportDeclaration" || typeof node.source.value !== "string") continue;
      if (!isBuiltin(node.source.value)) continue;
      const module = `globalThis.process.getBuiltinModule(${JSON.stringify(node.source.value)})`;
      const whole = node.specifiers.find((s) => s.type !== "ImportSpecifier")?.local.name;
      const named = node.specifiers.flatMap((s) => {
        if (s.type !== "ImportSpecifier") return [];
        if (s.imported.type !== "Identifier") throw new Error(`${node.source.value}: a string-named import`);
        return [s.imported.name === s.local.name ? s.local.name : `${s.imported.name}: ${s.local.name}`];
      });
      const statements = [
        ...(whole ? [`const ${whole} = ${module};`] : []),
        ...(named.length > 0 ? [`const { ${named.join(", ")} } = ${whole ?? module};`] : []),
      ];
      const { start, end } = node as unknown as { start: number; end: number };
      out = `${out.slice(0, start)}${statements.join(" ")}${out.slice(end)}`;
    }
    return { code: out, map: null };
  },
};

// Every command module but sync (which has a build of its own, below); the commands' declarations
// (`<command>-flags.ts`) are the command line's, built into cli.js.
const commands = readdirSync(new URL("./src/commands/", import.meta.url))
  .filter((f) => f.endsWith(".ts") && f !== "sync.ts" && !f.endsWith("-flags.ts"))
  .map((f) => f.slice(0, -".ts".length));
// Six builds, loaded by path at run time (see load() in src/cli.ts; bin/mcp-twin.js loads cli.js,
// or version.js for --version). Code they share is copied, not shared: errors are recognised by
// kind across copies (src/core/errors.ts).
export default defineConfig([
  // The command line alone, one file: commander, flags, exit codes.
  // No __dirname shims: nothing in its graph uses them (checked by test/e2e/package.test.ts).
  // Built into a staging folder, then re-chunked into dist/ (see rechunk).
  {
    ...shared,
    entry: { cli: "src/cli.ts" },
    shims: false,
    outDir: "dist/.cli",
    onSuccess: () => rechunk("dist/.cli", "dist", ["cli"]),
  },
  // The version alone, for `mcp-twin --version`: one file with nothing to import (not even the
  // require banner's node:module), as bin/mcp-twin.js loads nothing else then.
  { ...shared, entry: { version: "src/version.ts" }, splitting: false, shims: false, banner: {} },
  // Every command but sync, split into shared chunks, each loaded only when its command runs; the
  // schemas for scripts/generate-schema.js.
  {
    ...shared,
    entry: {
      "manifest-schema": "src/core/manifest/schema.ts",
      "template-schema": "src/core/catalogue/schema.ts",
      ...Object.fromEntries(commands.map((c) => [`commands/${c}`, `src/commands/${c}.ts`])),
    },
  },
  // `connect` on its own (bin/mcp-twin.js runs it without cli.js): a relay runs for every client
  // session, so its start-up is one small file without commander, zod or the SDK; starting the
  // bridge, SSE and a login load lazily.
  {
    ...shared,
    entry: { connect: "src/commands/connect/entry.ts" },
    outDir: "dist/.connect",
    onSuccess: () => rechunk("dist/.connect", "dist/connect", ["connect"]),
  },
  // `serve --http` on its own (bin/mcp-twin.js runs it without cli.js): the bridge runs for days
  // and keeps every module it loads, so its start-up is one file without commander, zod or the
  // SDK; a session, the gateway's forwarding and the bridge's tools load with the first request.
  {
    ...shared,
    entry: { serve: "src/commands/serve/http-entry.ts" },
    outDir: "dist/.serve",
    onSuccess: () => rechunk("dist/.serve", "dist/serve", ["serve"]),
  },
  // The process a running bridge starts to fill its list cache (gateway/fill-apart.ts): built on
  // its own, so the bridge's start-up stays one file.
  {
    ...shared,
    entry: { "fill-caches": "src/commands/serve/fill-caches-entry.ts" },
    outDir: "dist/.fill",
    onSuccess: () => rechunk("dist/.fill", "dist/fill", ["fill-caches"]),
  },
  // Shell completion's callback on its own (bin/mcp-twin.js runs it for `__complete`): its start-up
  // one file without commander (execa, never used there, stays in a chunk of its own); the table of commands and flags is written beside it
  // by scripts/completion-table.mjs from the built command line.
  {
    ...shared,
    entry: { complete: "src/commands/complete/on-tab.ts" },
    outDir: "dist/.complete",
    onSuccess: () => rechunk("dist/.complete", "dist/complete", ["complete"]),
  },
  // `sync` on its own: its start-up is one file; its lazy parts (zod, execa, the bridge) stay in
  // chunks of their own.
  {
    ...shared,
    entry: { sync: "src/commands/sync.ts" },
    outDir: "dist/.sync",
    onSuccess: () => rechunk("dist/.sync", "dist/sync", ["sync"]),
  },
]);
