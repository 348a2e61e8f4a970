import { readFileSync } from "node:fs";
import { defineConfig } from "tsup";

const pkg = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8")) as {
  version: string;
};

// One ESM bundle per entry; commands are split into chunks that cli.ts imports lazily, so
// `mcp-twin --version` loads almost nothing.
export default defineConfig({
  entry: {
    cli: "src/cli.ts",
    version: "src/version.ts",
    "manifest-schema": "src/core/manifest/schema.ts",
    "template-schema": "src/core/catalogue/schema.ts",
  },
  format: ["esm"],
  target: "node20",
  platform: "node",
  splitting: true,
  shims: true,
  clean: true,
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
});
