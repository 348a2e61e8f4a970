/**
 * The structure rules of docs/dev/architecture.md hold for every file under src/
 * (test/structure/rules.ts says which), and the checker catches each kind of break, at the right line.
 * No function under src/ is longer than 120 lines — declarations, methods, arrow functions and
 * function expressions alike; a long one is split into named steps, and there is no list of exceptions.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, test } from "vitest";
import {
  BRIDGE_LAYERS,
  bridgeNode,
  CORE_LAYERS,
  checkFile,
  coreCycles,
  coreEdges,
  coreNode,
  fileCycles,
  fileEdges,
  forgetSources,
  formatViolation,
  functionLengths,
  importsOf,
  longFunctions,
  MAX_FUNCTION_LINES,
  MAX_TYPE_ESCAPES,
  type TypeEscape,
  typeEscapeBudget,
  typeEscapes,
} from "./rules.js";
import { tsSources } from "./sources.js";

const SRC = fileURLToPath(new URL("../../src/", import.meta.url));
// The trees the rules share (rules.ts sourceOf), not kept by the worker for the files after this one.
afterAll(forgetSources);

/** The checker on a made-up file at `rel` under src/. */
const check = (rel: string, text: string) =>
  checkFile(SRC, path.join(SRC, rel), text).map((v) => `${v.file}:${v.line} ${v.rule}`);

describe("the source tree keeps the structure rules (docs/dev/architecture.md)", () => {
  const files = tsSources(SRC);
  const broken = files.flatMap((file) => checkFile(SRC, file, readFileSync(file, "utf8")));

  test("no file under src/ breaks one (each break named file:line; there is no list of exceptions)", () => {
    expect(files.length).toBeGreaterThan(100);
    expect(broken.map(formatViolation)).toEqual([]);
  });

  // Read from the trees the rules above parsed (rules.ts sourceOf): src/ parsed once for both.
  test(`no function under src/ is over ${MAX_FUNCTION_LINES} lines (each named src/<file>:<line>)`, () => {
    const long = files.flatMap((file) => longFunctions(SRC, file, readFileSync(file, "utf8")));
    expect(long).toEqual([]);
  });

  test("no two folders of src/core/ import each other, however indirectly (type imports counted)", () => {
    const texts = files.map((file) => ({ file, text: readFileSync(file, "utf8") }));
    const edges = coreEdges(SRC, texts);
    expect(edges.length).toBeGreaterThan(100);
    expect(coreCycles(edges).map(formatViolation)).toEqual([]);
  });

  test("no file under src/ imports itself back, however indirectly (type imports and re-exports counted)", () => {
    const texts = files.map((file) => ({ file, text: readFileSync(file, "utf8") }));
    const edges = fileEdges(SRC, texts);
    expect(edges.length).toBeGreaterThan(1000);
    expect(edges.filter((e) => e.typeOnly).length).toBeGreaterThan(100);
    expect(fileCycles(edges).map(formatViolation)).toEqual([]);
  });

  test(`src/ holds at most ${MAX_TYPE_ESCAPES} type escapes (\`as never\`, \`as unknown as\`), all files together`, () => {
    const escapes = files.flatMap((file) =>
      typeEscapes(file, readFileSync(file, "utf8")).map((e) => ({
        ...e,
        file: path.relative(SRC, file).split(path.sep).join("/"),
      })),
    );
    expect(typeEscapeBudget(escapes).map(formatViolation)).toEqual([]);
  });

  test("every module of src/bridge-server/ has its layer, and every layer names what exists", () => {
    const rel = files.map((f) => path.relative(SRC, f).split(path.sep).join("/"));
    const present = new Set(rel.flatMap((f) => bridgeNode(f) ?? []));
    const placed = new Set(BRIDGE_LAYERS.flatMap((l) => l.members));
    expect(present.size).toBeGreaterThan(20);
    expect([...present].filter((n) => !placed.has(n))).toEqual([]);
    expect([...placed].filter((n) => !present.has(n))).toEqual([]);
  });

  test("every folder and loose file of src/core/ has its layer, and every layer names what exists", () => {
    const rel = files.map((f) => path.relative(SRC, f).split(path.sep).join("/"));
    const present = new Set(rel.flatMap((f) => coreNode(f) ?? []));
    const placed = new Set(CORE_LAYERS.flatMap((l) => l.members));
    expect([...present].filter((n) => !placed.has(n))).toEqual([]);
    expect([...placed].filter((n) => !present.has(n))).toEqual([]);
  });
});

describe("the layout: one folder per concept", () => {
  const files = tsSources(SRC).map((f) => path.relative(SRC, f).split(path.sep).join("/"));
  /** Names every folder may use for its own: a barrel, its types, its schema. */
  const SHARED_NAMES = new Set(["index.ts", "types.ts", "schema.ts"]);

  test("no two modules share a file name (index, types and schema aside)", () => {
    const byName = new Map<string, string[]>();
    for (const file of files) {
      const name = path.posix.basename(file);
      if (!SHARED_NAMES.has(name)) byName.set(name, [...(byName.get(name) ?? []), file]);
    }
    expect([...byName.values()].filter((same) => same.length > 1)).toEqual([]);
  });

  test("src/core/ holds folders, with at most a handful of loose files", () => {
    const loose = files.filter((f) => /^core\/[^/]+$/.test(f));
    expect(loose.length, `loose files in src/core/: ${loose.join(", ")}`).toBeLessThanOrEqual(5);
    expect(
      new Set(files.filter((f) => f.startsWith("core/")).map((f) => f.split("/")[1])).size,
    ).toBeGreaterThan(10);
  });

  test("test/ mirrors src/: every test folder is a folder of src/ (or a whole-program suite)", () => {
    const TEST = fileURLToPath(new URL("../", import.meta.url));
    const srcFolders = new Set(files.flatMap((f) => f.split("/").slice(0, -1)));
    const wholeProgram = new Set(["e2e", "real", "structure", "helpers", "fixtures", "init", "windows"]);
    const testFolders = readdirSync(TEST, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
    expect(testFolders.filter((dir) => !srcFolders.has(dir) && !wholeProgram.has(dir))).toEqual([]);
  });
});

describe("the checker", () => {
  test("sees static, dynamic, re-exported, required and type imports", () => {
    const text = [
      'import a from "./x.js";',
      'import type { T } from "./t.js";',
      'export { c } from "z";',
      'const { d } = await import("../y.js");',
      'const e = require("r");',
      'type U = import("u").U;',
    ].join("\n");
    expect(importsOf("f.ts", text).map((u) => [u.spec, u.line, u.typeOnly])).toEqual([
      ["./x.js", 1, false],
      ["./t.js", 2, true],
      ["z", 3, false],
      ["../y.js", 4, false],
      ["r", 5, false],
      ["u", 6, true],
    ]);
  });

  test("core/ reaching a command, the terminal or the bridge server is a layer break", () => {
    expect(
      check(
        "core/sync/run-sync.ts",
        [
          'import { run } from "../../commands/sync.js";',
          'import type { CommandContext } from "../../cli.js";',
          'const { spinner } = await import("../../ui/spinner.js");',
          'import { createBridgeServer } from "../../bridge-server/own-server.js";',
          'import { plan } from "./plan.js";',
        ].join("\n"),
      ),
    ).toEqual([
      "core/sync/run-sync.ts:1 layers.core",
      "core/sync/run-sync.ts:2 layers.core",
      "core/sync/run-sync.ts:3 layers.core",
      "core/sync/run-sync.ts:4 layers.core",
    ]);
  });

  test("the bridge server and ui/ never reach the command line", () => {
    expect(check("bridge-server/share.ts", 'import type { CommandContext } from "../cli.js";')).toEqual([
      "bridge-server/share.ts:1 layers.bridge",
    ]);
    expect(check("ui/reports/sync-report.ts", '\nimport { run } from "../../commands/sync.js";')).toEqual([
      "ui/reports/sync-report.ts:2 layers.ui",
    ]);
    expect(check("commands/sync.ts", 'import { run } from "../core/sync/run-sync.js";')).toEqual([]);
  });

  test("the bridge server imports nothing of the relay: JSON-RPC's codes and framing are core/jsonrpc/'s", () => {
    const text = [
      'import { RPC } from "../core/relay/rpc-codes.js";',
      'import type { RelayTarget } from "../core/relay/bridge-target.js";',
      'const { describeFailure } = await import("../core/relay/failure.js");',
      'import { RPC as codes } from "../core/jsonrpc/codes.js";',
    ].join("\n");
    expect(check("bridge-server/stdio.ts", text)).toEqual([
      "bridge-server/stdio.ts:1 layers.bridge-relay",
      "bridge-server/stdio.ts:2 layers.bridge-relay",
      "bridge-server/stdio.ts:3 layers.bridge-relay",
    ]);
    expect(
      check("commands/serve/stdio.ts", 'import { bridgeTarget } from "../../core/relay/bridge-target.js";'),
    ).toEqual([]);
  });

  test("only core/system/files.ts changes files: named, default, namespace, promises and dynamic forms", () => {
    const text = [
      'import { readFileSync, writeFileSync } from "node:fs";',
      'import fs from "node:fs";',
      'import * as fsp from "node:fs/promises";',
      "fs.readdirSync('.');",
      "fs.promises.rm('x');",
      "await fsp.mkdir('d');",
      'const { rename } = await import("node:fs/promises");',
      'import type { Stats } from "node:fs";',
    ].join("\n");
    const expected = (file: string) => [
      `${file}:1 io.writes`,
      `${file}:5 io.writes`,
      `${file}:6 io.writes`,
      `${file}:7 io.writes`,
    ];
    expect(check("core/manifest/edit.ts", text)).toEqual(expected("core/manifest/edit.ts"));
    expect(check("bridge-server/json-store.ts", text)).toEqual(expected("bridge-server/json-store.ts"));
    expect(check("core/system/files.ts", text)).toEqual([]);
    expect(check("core/system/home.ts", 'import { readdirSync, statSync } from "node:fs";')).toEqual([]);
  });

  test("only core/system/run.ts starts processes (child_process, execa, the SDK's stdio transport)", () => {
    const text = [
      'import { spawn } from "node:child_process";',
      'const { execa } = await import("execa");',
      'import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";',
      'const cp = createRequire(import.meta.url)("node:child_process");',
      'import type { ChildProcess } from "node:child_process";',
    ].join("\n");
    expect(check("core/bridge-control/instance.ts", text)).toEqual([
      "core/bridge-control/instance.ts:1 io.processes",
      "core/bridge-control/instance.ts:2 io.processes",
      "core/bridge-control/instance.ts:3 io.processes",
      "core/bridge-control/instance.ts:4 io.processes",
    ]);
    expect(check("core/system/run.ts", text)).toEqual([]);
  });

  test("nothing in src/ imports the SDK's v1 package (types included); v2's packages are fine", () => {
    const text = [
      'import { Client } from "@modelcontextprotocol/sdk/client/index.js";',
      'import type { Tool } from "@modelcontextprotocol/sdk/types.js";',
      'const m = await import("@modelcontextprotocol/sdk");',
      'import { Client as C2 } from "@modelcontextprotocol/client";',
      'import type { RequestId } from "@modelcontextprotocol/core";',
      'import { x } from "@modelcontextprotocol/sdk-extra";',
    ].join("\n");
    expect(check("core/doctor/probe/live-probe.ts", text)).toEqual([
      "core/doctor/probe/live-probe.ts:1 sdk.v2",
      "core/doctor/probe/live-probe.ts:2 sdk.v2",
      "core/doctor/probe/live-probe.ts:3 sdk.v2",
    ]);
  });

  test("only sync's write sequence and the manifest writer replace configs (replaceFile)", () => {
    const text = 'import { readTextOrNull, replaceFile } from "../system/files.js";';
    expect(check("core/undo/undo-runner.ts", text)).toEqual(["core/undo/undo-runner.ts:1 io.replace"]);
    expect(check("core/import/apply-import.ts", text)).toEqual(["core/import/apply-import.ts:1 io.replace"]);
    expect(check("core/ledger/write-sequence.ts", text)).toEqual([]);
    expect(check("core/manifest/edit.ts", text)).toEqual([]);
    expect(check("core/ledger/backups.ts", 'import { readTextOrNull } from "../system/files.js";')).toEqual(
      [],
    );
  });

  test("inside core/, an import from a lower layer up to a higher one is a break, type imports too", () => {
    const text = [
      'import type { Target } from "../clients/types.js";',
      'import { loadState } from "../ledger/state.js";',
      'import { lossless } from "../../core/text/lossless-text.js";',
      'import { run } from "./run.js";',
      'const { plan } = await import("../sync/plan.js");',
    ].join("\n");
    expect(check("core/system/files.ts", text)).toEqual([
      "core/system/files.ts:1 layers.core-order",
      "core/system/files.ts:2 layers.core-order",
      "core/system/files.ts:5 layers.core-order",
    ]);
    // Down, or within a layer (status, sync, undo and import share one), is fine.
    expect(check("core/sync/plan.ts", text.replace(/\.\.\/sync\//, "../undo/"))).toEqual([]);
    expect(check("commands/sync.ts", 'import { plan } from "../core/doctor/index.js";')).toEqual([]);
  });

  test("an import of a folder of core/ with no layer is a break", () => {
    expect(check("core/sync/plan.ts", '\nimport { a } from "../newthing/x.js";')).toEqual([
      "core/sync/plan.ts:2 layers.core-unplaced",
    ]);
  });

  test("a cycle between folders of core/ is named at every import that closes it, type imports counted", () => {
    const file = (rel: string, ...lines: string[]) => ({ file: path.join(SRC, rel), text: lines.join("\n") });
    const edges = coreEdges(SRC, [
      file("core/sync/plan.ts", 'import { a } from "../undo/restore.js";'),
      file("core/undo/restore.ts", "", 'import type { B } from "../doctor/x.js";'),
      file("core/doctor/x.ts", 'import type { C } from "../sync/plan.js";'),
      file("core/doctor/y.ts", 'import { d } from "../system/host.js";'),
    ]);
    expect(coreCycles(edges).map((v) => `${v.file}:${v.line} ${v.rule}`)).toEqual([
      "core/sync/plan.ts:1 layers.core-cycle",
      "core/undo/restore.ts:2 layers.core-cycle",
      "core/doctor/x.ts:1 layers.core-cycle",
    ]);
    expect(coreCycles(edges.filter((e) => e.from !== "doctor/"))).toEqual([]);
  });

  describe("file-level cycles (Tarjan over the import graph of src/**/*.ts)", () => {
    const graph = (files: Record<string, string>) =>
      fileEdges(
        SRC,
        Object.entries(files).map(([rel, text]) => ({ file: path.join(SRC, rel), text })),
      );

    test("a cycle of value imports is found once, at its first file, naming every file of it", () => {
      const edges = graph({
        "core/a/one.ts": 'import { b } from "./two.js";',
        "core/a/two.ts": '\nimport { c } from "../b/three.js";',
        "core/b/three.ts": 'import { leaf } from "../leaf.js";\nconst m = await import("../a/one.js");',
        "core/leaf.ts": "export const leaf = 1;",
        "core/d/four.ts": 'import { b } from "../a/two.js";',
      });
      expect(fileCycles(edges).map(formatViolation)).toEqual([
        "src/core/a/one.ts:1 [imports.file-cycle] 3 files import each other in a cycle: core/a/one.ts, core/a/two.ts, core/b/three.ts (one way round: core/a/one.ts:1 → core/a/two.ts:2 → core/b/three.ts:2 → core/a/one.ts); move what they share to the module that owns the concept",
      ]);
    });

    test("a cycle made only of type imports and re-exports is a cycle too", () => {
      const edges = graph({
        "core/doctor/types.ts": 'import type { CheckId } from "./all-checks.js";',
        "core/doctor/all-checks.ts": 'export type { Finding } from "./checks/x.js";',
        "core/doctor/checks/x.ts": 'type T = import("../types.js").Where;',
      });
      expect(edges.every((e) => e.typeOnly || e.from === "core/doctor/all-checks.ts")).toBe(true);
      const [cycle, ...more] = fileCycles(edges);
      expect(more).toEqual([]);
      expect(cycle?.file).toBe("core/doctor/types.ts");
      expect(cycle?.message).toContain(
        "core/doctor/all-checks.ts, core/doctor/checks/x.ts, core/doctor/types.ts",
      );
      expect(cycle?.message).toContain("core/doctor/types.ts:1 (type) → core/doctor/all-checks.ts:1");
    });

    test("a file that imports itself is a cycle of one", () => {
      const edges = graph({ "ui/theme.ts": 'import { x } from "./theme.js";' });
      expect(fileCycles(edges).map((v) => v.message)).toEqual([
        "ui/theme.ts imports itself (one way round: ui/theme.ts:1 → ui/theme.ts); move what they share to the module that owns the concept",
      ]);
    });

    test("an acyclic graph passes: shared imports, diamonds, packages and files outside the set", () => {
      const edges = graph({
        "cli.ts": 'import { a } from "./core/a.js";\nimport { b } from "./core/b.js";\nimport "node:fs";',
        "core/a.ts": 'import type { L } from "./leaf.js";\nexport { c } from "./b.js";',
        "core/b.ts": 'import { l } from "./leaf.js";\nimport x from "../../package.json";',
        "core/leaf.ts": 'import { z } from "zod";\nimport { gone } from "./not-in-the-set.js";',
      });
      expect(edges.map((e) => `${e.from}→${e.to}`)).toEqual([
        "cli.ts→core/a.ts",
        "cli.ts→core/b.ts",
        "core/a.ts→core/leaf.ts",
        "core/a.ts→core/b.ts",
        "core/b.ts→core/leaf.ts",
      ]);
      expect(fileCycles(edges)).toEqual([]);
    });
  });

  test("outside core/clients/, a comparison, case or list of client ids is a break", () => {
    const text = [
      'if (f.client === "codex") run();',
      "switch (client) {",
      '  case "cursor":',
      "}",
      'const desktop = ["claude-desktop", "cursor"].includes(t.client.id);',
      'query.set("cursor", page.cursor);',
      'const name = "vscode";',
    ].join("\n");
    expect(check("core/doctor/checks/x.ts", text)).toEqual([
      "core/doctor/checks/x.ts:1 clients.id-branch",
      "core/doctor/checks/x.ts:3 clients.id-branch",
      "core/doctor/checks/x.ts:5 clients.id-branch",
    ]);
    expect(check("core/clients/codex.ts", text)).toEqual([]);
  });

  test("formats/ is reached through its index only", () => {
    const text =
      'import { canonical } from "../formats/json/merge.js";\nimport { parseTarget } from "../formats/index.js";';
    expect(check("core/sync/target-plan.ts", text)).toEqual(["core/sync/target-plan.ts:1 formats.index"]);
    expect(check("core/formats/toml/splice.ts", 'import { a } from "../json/merge.js";')).toEqual([]);
  });

  test("bridge-link/ is reached through its index only, by core and the bridge alike", () => {
    const text =
      'import { reach } from "../bridge-link/reach.js";\nimport { control } from "../bridge-link/index.js";';
    expect(check("core/sync/gateway-sync.ts", text)).toEqual([
      "core/sync/gateway-sync.ts:1 bridge-link.door",
    ]);
    expect(check("bridge-server/http.ts", 'import { a } from "../core/bridge-link/proof.js";')).toEqual([
      "bridge-server/http.ts:1 bridge-link.door",
    ]);
    expect(check("core/bridge-link/reach.ts", 'import { a } from "./proof.js";')).toEqual([]);
  });

  test("a JSON-RPC error code is named from core/jsonrpc/codes.ts, never written as a number", () => {
    const text =
      "const a = { code: -32602 };\nconst b = RPC.invalidParams;\n// -32602 in a comment\nconst c = -1;";
    expect(check("bridge-server/http.ts", text)).toEqual(["bridge-server/http.ts:1 rpc.codes"]);
    expect(check("core/jsonrpc/codes.ts", "export const RPC = { invalidParams: -32602 };")).toEqual([]);
  });

  test('a protocol revision is named by its date; the SDK\'s own "legacy"/"modern" only beside its API', () => {
    const text = [
      'const session = { era: "modern" };',
      "// a legacy client, in a comment",
      'if (client.getProtocolEra() === "modern") relisten();',
      'const era: Era = "2025-11-25";',
      'await attempt("legacy"); // the SDK\'s name',
      "const mode = 'legacy';",
    ].join("\n");
    expect(check("bridge-server/gateway/share-host.ts", text)).toEqual([
      "bridge-server/gateway/share-host.ts:1 names.eras",
      "bridge-server/gateway/share-host.ts:6 names.eras",
    ]);
  });

  test("the gateway is a room with one door: the rest of bridge-server/ reaches it through its index", () => {
    const text =
      'import { SharedChild } from "./gateway/shared-child.js";\nimport { Gateway } from "./gateway/index.js";';
    expect(check("bridge-server/own-server.ts", text)).toEqual([
      "bridge-server/own-server.ts:1 gateway.door",
    ]);
    expect(check("bridge-server/gateway/share-host.ts", 'import { a } from "./shared-child.js";')).toEqual(
      [],
    );
  });

  test("inside bridge-server/, an import up a layer is a break, type imports too; a module with no layer too", () => {
    // The gateway knows nothing of the HTTP front, the bridge's own server or the process.
    const up =
      'import type { Endpoint } from "../http.js";\nimport type { Era } from "../own-server.js";\nimport { main } from "../main.js";';
    expect(check("bridge-server/gateway/gateway.ts", up)).toEqual([
      "bridge-server/gateway/gateway.ts:1 layers.bridge-order",
      "bridge-server/gateway/gateway.ts:2 layers.bridge-order",
      "bridge-server/gateway/gateway.ts:3 layers.bridge-order",
    ]);
    expect(
      check("bridge-server/gateway/gateway.ts", 'import type { Endpoint } from "../endpoint.js";'),
    ).toEqual([]);
    expect(check("bridge-server/http.ts", 'import { Gateway } from "./gateway/index.js";')).toEqual([]);
    expect(check("bridge-server/new-thing.ts", 'import { a } from "./json-store.js";')).toEqual([
      "bridge-server/new-thing.ts:1 layers.bridge-unplaced",
    ]);
  });

  test("doctor's I/O is in gather/ and probe/; its checks take only types from there", () => {
    const io = 'import { readFile } from "node:fs/promises";\nimport { request } from "node:http";';
    expect(check("core/doctor/group.ts", io)).toEqual([
      "core/doctor/group.ts:1 doctor.io",
      "core/doctor/group.ts:2 doctor.io",
    ]);
    expect(check("core/doctor/checks/node.ts", io)).toEqual([
      "core/doctor/checks/node.ts:1 doctor.io",
      "core/doctor/checks/node.ts:2 doctor.io",
    ]);
    expect(check("core/doctor/gather/lookups.ts", io)).toEqual([]);
    expect(check("core/doctor/probe/live-probe.ts", io)).toEqual([]);
    const gathered = [
      'import type { ConfigFacts } from "../gather/read-configs.js";',
      'import { readConfig } from "../gather/read-configs.js";',
      'import { probeAll } from "../probe/probe-phase.js";',
    ].join("\n");
    expect(check("core/doctor/checks/configs.ts", gathered)).toEqual([
      "core/doctor/checks/configs.ts:2 doctor.checks-pure",
      "core/doctor/checks/configs.ts:3 doctor.checks-pure",
    ]);
  });

  test("a type escape is found as TypeScript parses it, with the comment right above it", () => {
    const text = [
      "const a = x as never;",
      "// the SDK types it narrower than the wire",
      "const b = y as unknown as Json;",
      "const c = (z as unknown) as T;",
      "const d = <never>w;",
      "/**",
      " * A block that says why,",
      " * over two lines.",
      " */",
      "const e = v as unknown as never;",
      '// a machine it has never written to: "as never" in a comment is none',
      'const f = "x as never";',
      "const g = u as unknown;",
      "const h = t as Json;",
    ].join("\n");
    expect(typeEscapes("f.ts", text)).toEqual([
      { line: 1, form: "as never", why: undefined },
      { line: 3, form: "as unknown as", why: "the SDK types it narrower than the wire" },
      { line: 4, form: "as unknown as", why: undefined },
      { line: 5, form: "as never", why: undefined },
      { line: 10, form: "as never", why: "A block that says why, over two lines." },
    ]);
  });

  test("a type escape with no comment right above it saying why is a break", () => {
    const text = [
      "const a = x as never;",
      "// the SDK's result types are narrower than what passes through",
      "const b = y as unknown as Json;",
      "// why",
      "const c = z as never;",
      "// a reason, then a blank line: not right above",
      "",
      "send({",
      "  id,",
      "} as never);",
    ].join("\n");
    expect(check("bridge-server/gateway/share-host.ts", text)).toEqual([
      "bridge-server/gateway/share-host.ts:1 types.escape-why",
      "bridge-server/gateway/share-host.ts:5 types.escape-why",
      "bridge-server/gateway/share-host.ts:8 types.escape-why",
    ]);
  });

  test(`more than ${MAX_TYPE_ESCAPES} type escapes in src/, all files together, is a break naming each`, () => {
    const escapes = (n: number): Array<TypeEscape & { file: string }> =>
      Array.from({ length: n }, (_, i) => ({
        file: `core/x${i}.ts`,
        line: i + 1,
        form: "as never",
        why: "the types cannot say it",
      }));
    expect(typeEscapeBudget(escapes(MAX_TYPE_ESCAPES))).toEqual([]);
    const over = typeEscapeBudget(escapes(MAX_TYPE_ESCAPES + 1));
    expect(over.map((v) => `${v.file}:${v.line} ${v.rule}`)).toEqual(
      escapes(MAX_TYPE_ESCAPES + 1).map((e) => `${e.file}:${e.line} types.escape-budget`),
    );
    expect(formatViolation(over[0]!)).toBe(
      `src/core/x0.ts:1 [types.escape-budget] core/x0.ts writes \`as never\`, one of ${MAX_TYPE_ESCAPES + 1} type escapes in src/ (at most ${MAX_TYPE_ESCAPES}): say it in types (a guard, a generic, the SDK's own types, one typed adapter)`,
    );
  });

  test("a break is reported as src/<file>:<line> with the rule and what to do", () => {
    const [v] = checkFile(SRC, path.join(SRC, "core/x.ts"), 'import { rm } from "node:fs/promises";');
    expect(formatViolation(v!)).toBe(
      "src/core/x.ts:1 [io.writes] core/x.ts uses node:fs/promises rm: only core/system/files.ts changes files (add or use a function there)",
    );
  });
});

describe("the function-length checker", () => {
  /** A body of `n` lines in all: its first line, n - 2 statements, its last. */
  const body = (n: number) => `{\n${"  step();\n".repeat(n - 2)}}`;

  test("measures declarations, methods, arrow functions and function expressions, named where written", () => {
    const text = [
      `export function declared() ${body(3)}`,
      `const arrow = async () => ${body(4)};`,
      `class Machine { method() ${body(5)} }`,
      `register({ handler: function () ${body(6)} });`,
      `items.map((item) => ${body(3)});`,
    ].join("\n");
    expect(functionLengths("f.ts", text).map((f) => `${f.line} ${f.name} ${f.lines}`)).toEqual([
      "1 declared 3",
      "4 arrow 4",
      "8 method 5",
      "13 handler 6",
      "19 map(…) callback 3",
    ]);
  });

  test(`a function of ${MAX_FUNCTION_LINES} lines passes; one line more is reported, nested ones too`, () => {
    const file = path.join(SRC, "core/x.ts");
    expect(longFunctions(SRC, file, `function fits() ${body(MAX_FUNCTION_LINES)}`)).toEqual([]);
    expect(longFunctions(SRC, file, `function tooLong() ${body(MAX_FUNCTION_LINES + 1)}`)).toEqual([
      `src/core/x.ts:1 tooLong ${MAX_FUNCTION_LINES + 1} lines`,
    ]);
    const nested = `function outer() {\n  const inner = () => ${body(MAX_FUNCTION_LINES + 1)};\n}`;
    expect(longFunctions(SRC, file, nested)).toEqual([
      `src/core/x.ts:1 outer ${MAX_FUNCTION_LINES + 3} lines`,
      `src/core/x.ts:2 inner ${MAX_FUNCTION_LINES + 1} lines`,
    ]);
  });

  test("a leading comment is not counted; comments inside are", () => {
    const text = `/**\n * Why.\n */\nfunction documented() {\n  // inside\n  step();\n}`;
    expect(functionLengths("f.ts", text)).toEqual([{ line: 4, name: "documented", lines: 4 }]);
  });
});
