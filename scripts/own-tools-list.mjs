// Writes src/bridge-server/tools/builtin-tools.json — the bridge's built-in tools as tools/list
// shows them (name, title, description, the input's JSON Schema, annotations) — from the tools'
// own zod schemas. Run by `npm run build` before tsup: the bridge lists its tools from this file,
// so a session's first tools/list loads no zod (a built-in tool's first call loads it).
// test/bridge-server/own-tools-list.test.ts holds the file to the schemas, so it cannot drift.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";

const repo = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const tools = path.join(repo, "src", "bridge-server", "tools");
// The factories only keep the state they are given until a call: none is touched here.
const entry = `
import { z } from "zod";
import { memoryTools } from "./memory.js";
import { notesTools } from "./notes.js";
import { handoffTools } from "./handoff.js";
import { statusTool } from "./bridge-status.js";
export const list = [...memoryTools({}), ...notesTools({}), ...handoffTools({}), statusTool({})].map((t) => ({
  name: t.name,
  ...(t.title ? { title: t.title } : {}),
  description: t.description,
  inputSchema: z.toJSONSchema(t.input, { target: "draft-7", io: "input" }),
  ...(t.annotations ? { annotations: t.annotations } : {}),
}));
`;
// Inside the repo, so the bundle resolves zod from node_modules as the sources do.
mkdirSync(path.join(repo, ".tmp"), { recursive: true });
const dir = mkdtempSync(path.join(repo, ".tmp", "own-tools-"));
try {
  const outfile = path.join(dir, "list.mjs");
  await build({
    stdin: { contents: entry, resolveDir: tools, loader: "ts" },
    bundle: true,
    platform: "node",
    format: "esm",
    packages: "external",
    outfile,
    logLevel: "error",
  });
  const { list } = await import(pathToFileURL(outfile).href);
  const file = path.join(tools, "builtin-tools.json");
  // Formatted in memory as the repository formats it, and written only when it changed: a build
  // leaves the committed file untouched, so `npm run lint` beside it (.ci/run) never reads it
  // half-formatted.
  const text = execFileSync(
    path.join(repo, "node_modules", ".bin", "biome"),
    ["format", `--stdin-file-path=${file}`],
    { input: `${JSON.stringify(list, null, 2)}\n`, encoding: "utf8", stdio: ["pipe", "pipe", "ignore"] },
  );
  if (!existsSync(file) || readFileSync(file, "utf8") !== text) writeFileSync(file, text);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
