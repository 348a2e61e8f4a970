#!/usr/bin/env node
// Tiny on purpose: check Node, then hand over to the bundle. Commands load lazily from there.
// CommonJS (bin/package.json), so that a relay (`connect`, one per client session) runs without
// Node's ES module loader: a main that is an ES module has Node load it, and with it its file
// reading (fs/promises, readline, fs watchers) and libuv's thread pool — 0.6–1.3 MB of every
// relay's RSS after 5,000 calls (bench/relay.ts, side by side). The relay's bundle is an ES module
// all the same, taken with require() (require(esm): synchronous, and without a warning on the Node
// versions below); every other command is import()ed as before.
"use strict";
// The same range as `engines` in package.json (a test holds them, and the README, together): what
// the bundled libraries declare they need (toml-eslint-parser, @inquirer/prompts, write-file-atomic).
const [major, minor] = process.versions.node.split(".").map(Number);
if (!((major === 20 && minor >= 19) || (major === 22 && minor >= 13) || major >= 24)) {
  process.stderr.write(`mcp-twin needs Node.js 20.19+, 22.13+ or 24+ (this is v${process.versions.node}).\n`);
  process.exit(2);
}
// `mcp-twin … | head`: a reader that stops early is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw error;
  });
}
// Node >= 22.1 keeps compiled code between runs (a few ms of every start); absent on Node 20.
// getBuiltinModule, not import(): an ESM import of a built-in builds a facade of all its exports.
process.getBuiltinModule("node:module").enableCompileCache?.();

/** What the command line asks, run; its exit code (undefined: as the process ends by itself). */
async function run(argv) {
  if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-V")) {
    const { VERSION } = await import("../dist/version.js");
    process.stdout.write(`${VERSION}\n`);
    return undefined;
  }
  if (argv[0] === "__complete") {
    // What a completion script asks on every Tab: without the command line, no process, no network.
    const { completeWords } = await import("../dist/complete/complete.js");
    const url = process.getBuiltinModule("node:url");
    const root = new URL("../", url.pathToFileURL(__filename));
    return completeWords(
      argv.slice(1),
      process.stdout,
      new URL("dist/complete/table.json", root),
      url.fileURLToPath(root),
    );
  }
  // `connect` (a relay, one per client session) and `serve --http` (the bridge, which runs for
  // days) start without the command line when they can.
  const code =
    argv[0] === "connect"
      ? await require("../dist/connect/connect.js").fastConnect(process.argv)
      : argv[0] === "serve" && argv.includes("--http")
        ? await (await import("../dist/serve/serve.js")).fastServe(process.argv)
        : undefined;
  if (code !== undefined) return code;
  const { main } = await import("../dist/cli.js");
  return main(process.argv);
}

// A failure rejects: Node prints it and exits 1, as it did for the top-level await this was.
run(process.argv.slice(2)).then((code) => {
  if (code !== undefined) process.exitCode = code;
});
