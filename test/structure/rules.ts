/**
 * The structure rules docs/dev/architecture.md states, as data, and a checker that reads a source file the way
 * TypeScript does (its own parser: static, dynamic and type-only imports, re-exports, and which
 * names come from which module) and says where a rule is broken, file:line.
 *
 * - Layers: cli.ts → commands/ → core/ (and ui/ beside commands). core/ never reaches the command
 *   line or the terminal; the bridge server (bridge-server/) never reaches the command line; ui/ never
 *   reaches commands/.
 * - Inside core/, the layers of CORE_LAYERS: no import from a lower layer up to a higher one, and no
 *   cycle between two folders of core/ (type imports counted for both).
 * - No cycle of imports between files anywhere under src/ (fileEdges, fileCycles): type imports,
 *   `import("x")` types, dynamic imports and `export … from` all count.
 * - One home: nothing outside core/clients/ branches on a client id; formats/ and bridge-link/ are
 *   reached through their index; doctor's I/O is in core/doctor/gather/ and core/doctor/probe/, and
 *   its checks import only types from there.
 * - Only core/system/files.ts changes the file system (writes, removes, renames, creates folders, changes
 *   modes) through node:fs.
 * - Only core/system/run.ts starts processes (node:child_process, execa, the SDK's stdio client
 *   transport, which spawns on its own).
 * - Client configs and the manifest are replaced (replaceFile) only by sync's write sequence and
 *   the manifest writer: restore, uninstall, import and adopt write through them.
 *
 * - Type escapes (`as never`, which is `any` renamed, and `as unknown as`): at most MAX_TYPE_ESCAPES
 *   in src/, each with a comment on the line right above it saying why the types cannot say it
 *   (typeEscapes, typeEscapeBudget).
 * - No function is longer than MAX_FUNCTION_LINES (functionLengths, longFunctions).
 *
 * Type-only imports are allowed across the I/O rules (they run nothing), not across layers.
 */
import path from "node:path";
import ts from "typescript";
import { CLIENT_IDS } from "../../src/core/clients/ids.js";

export interface Violation {
  /** Path under src/, with forward slashes. */
  file: string;
  line: number;
  rule: string;
  message: string;
}

interface LayerRule {
  id: string;
  /** Files this rule is about (a folder ending in `/`, or one file). */
  from: string;
  /** What they must not import (folders ending in `/`, or files), as paths under src/. */
  forbid: string[];
  why: string;
}

const LAYER_RULES: LayerRule[] = [
  {
    id: "layers.core",
    from: "core/",
    forbid: ["cli.ts", "cli/", "commands/", "ui/", "bridge-server/"],
    why: "core/ has no console, prompts or command line; the bridge server is started by a command",
  },
  {
    id: "layers.bridge",
    from: "bridge-server/",
    forbid: ["cli.ts", "cli/", "commands/", "ui/"],
    why: "the bridge server is a library the serve command starts; it never reaches the command line",
  },
  {
    id: "layers.bridge-relay",
    from: "bridge-server/",
    forbid: ["core/relay/"],
    why: "the bridge server and the relay are two ends of one wire: what both need (JSON-RPC's codes, framing, envelope headers) lives in core/jsonrpc/",
  },
  {
    id: "layers.ui",
    from: "ui/",
    forbid: ["cli.ts", "cli/", "commands/"],
    why: "ui/ renders for commands; commands use it, not the other way round",
  },
];

/**
 * The layers inside core/, lowest first (docs/dev/architecture.md draws them). A module of core/
 * imports — type imports counted — only from its own folder, from another folder of its layer, or
 * from a layer below; and no two folders of core/ import each other, however indirectly. Every
 * folder (and loose file) of core/ has its place here: a new one fails until it is given one.
 */
export const CORE_LAYERS: ReadonlyArray<{ layer: string; members: readonly string[] }> = [
  {
    layer: "text and errors",
    members: ["errors.ts", "plain-records.ts", "text/", "text-search/", "jsonrpc/"],
  },
  { layer: "the machine and file formats", members: ["system/", "formats/"] },
  { layer: "environments", members: ["environments/"] },
  { layer: "clients", members: ["clients/"] },
  { layer: "names and the ledger", members: ["selectors.ts", "ledger/", "pins/"] },
  { layer: "the manifest", members: ["manifest/"] },
  {
    layer: "what a manifest leads to",
    members: ["secrets/", "context/", "packages/", "oauth/", "bridge-link/", "bridge-control/"],
  },
  { layer: "the catalogue and relays", members: ["catalogue/", "relay/", "remote-upstream/"] },
  { layer: "the MCP Registry", members: ["registry/"] },
  { layer: "entries", members: ["entries/"] },
  {
    layer: "the commands' cores",
    members: ["status/", "sync/", "undo/", "import/", "budget/", "tool-search/"],
  },
  { layer: "doctor", members: ["doctor/"] },
];

/** A file's place in core/: its folder (`sync/`) or, loose, its name (`errors.ts`); undefined outside core/. */
export function coreNode(rel: string): string | undefined {
  const m = /^core\/([^/]+)(\/)?/.exec(rel);
  if (!m) return undefined;
  return m[2] ? `${m[1]}/` : m[1];
}

const LAYER_OF = new Map(CORE_LAYERS.flatMap((l, rank) => l.members.map((m) => [m, rank] as const)));

/** Folders reached from outside through their index only: a room with one door. */
const DOORS = [
  { folder: "core/formats/", index: "core/formats/index.ts", rule: "formats.index" },
  { folder: "core/bridge-link/", index: "core/bridge-link/index.ts", rule: "bridge-link.door" },
  { folder: "bridge-server/gateway/", index: "bridge-server/gateway/index.ts", rule: "gateway.door" },
];

/**
 * The layers inside bridge-server/, lowest first (docs/dev/architecture.md draws them): a module
 * imports — type imports counted — only from its own layer or one below. The gateway runs shared
 * servers and knows nothing of the bridge's own server, its HTTP front or its process.
 */
export const BRIDGE_LAYERS: ReadonlyArray<{ layer: string; members: readonly string[] }> = [
  {
    layer: "plumbing",
    members: [
      "credential.ts",
      "endpoint.ts",
      "http-guards.ts",
      "sdk-stamp.ts",
      "call-stop.ts",
      "clock.ts",
      "connection-limits.ts",
      "lane.ts",
      "connections-from.ts",
      "notes-folder.ts",
      "param-check.ts",
      "peer-check.ts",
      "session-policy.ts",
      "session-seal.ts",
      "session-transport.ts",
      "json-store.ts",
      "sessions.ts",
      "stream-backlog.ts",
      "token-guard.ts",
      "web-exchange.ts",
    ],
  },
  { layer: "the route", members: ["route/"] },
  { layer: "the gateway", members: ["gateway/"] },
  {
    layer: "the bridge's own server",
    members: [
      "description.ts",
      "own-server.ts",
      "own-tools.ts",
      "plugins.ts",
      "resources.ts",
      "status-report.ts",
      "tools/",
    ],
  },
  { layer: "the HTTP front", members: ["control-routes.ts", "http.ts"] },
  { layer: "the process", members: ["main.ts", "serve-log.ts"] },
];

/** A file's place in bridge-server/: its folder (`gateway/`) or its name; undefined outside. */
export function bridgeNode(rel: string): string | undefined {
  const m = /^bridge-server\/([^/]+)(\/)?/.exec(rel);
  if (!m) return undefined;
  return m[2] ? `${m[1]}/` : m[1];
}

const BRIDGE_LAYER_OF = new Map(BRIDGE_LAYERS.flatMap((l, rank) => l.members.map((m) => [m, rank] as const)));

/**
 * Doctor's I/O — every file, PATH, process and network answer it looks at — is gathered in these
 * folders; its checks (core/doctor/checks/) and the rest of core/doctor/ only read what they found.
 */
const DOCTOR_IO = ["core/doctor/gather/", "core/doctor/probe/"];
/** node: modules that reach outside the process: files, processes, the network, the terminal. */
const IO_MODULES = new Set(
  [
    "fs",
    "fs/promises",
    "child_process",
    "net",
    "http",
    "https",
    "http2",
    "dns",
    "tls",
    "dgram",
    "readline",
  ].flatMap((m) => [m, `node:${m}`]),
);

/** The one file allowed to change the file system, and the one allowed to start processes. */
const WRITER = "core/system/files.ts";
const PROCESS_STARTER = "core/system/run.ts";
/** The write sequence every client config change goes through, and the one manifest writer. */
const REPLACERS = ["core/ledger/write-sequence.ts", "core/manifest/edit.ts"];

/** node:fs functions that change the file system (sync, callback and promise forms share names). */
const FS_WRITES = new Set(
  [
    "writeFile",
    "appendFile",
    "mkdir",
    "mkdtemp",
    "rm",
    "rmdir",
    "unlink",
    "rename",
    "copyFile",
    "cp",
    "link",
    "symlink",
    "chmod",
    "lchmod",
    "chown",
    "lchown",
    "truncate",
    "utimes",
    "lutimes",
    "open",
    "createWriteStream",
  ].flatMap((name) => [name, `${name}Sync`]),
);
/** The SDK's v1 line: it stops at protocol 2025-11-25, so nothing in src/ imports it, types included. */
const V1_SDK = "@modelcontextprotocol/sdk";
const FS_MODULES = new Set(["node:fs", "fs", "node:fs/promises", "fs/promises"]);
const PROCESS_MODULES = new Set([
  "node:child_process",
  "child_process",
  "execa",
  "cross-spawn",
  "@modelcontextprotocol/client/stdio",
]);

/** One import of a file: the module, the names taken (undefined: the whole module), where. */
interface ImportUse {
  spec: string;
  typeOnly: boolean;
  line: number;
  /** Named imports; "*" for a default or namespace binding (then `bindingUses` lists member uses). */
  names: Array<{ name: string; line: number }>;
}

/**
 * Each file's syntax tree, parsed once per test file (the rules each walk the same tree: parsing
 * src/ again for every rule was most of the structure tests' CPU); the tree is only read. One per
 * file name, for the text it was parsed from; `forgetSources` drops them when a test file ends.
 */
const sources = new Map<string, { text: string; source: ts.SourceFile }>();

function sourceOf(fileName: string, text: string): ts.SourceFile {
  const known = sources.get(fileName);
  if (known?.text === text) return known.source;
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  sources.set(fileName, { text, source });
  return source;
}

export function forgetSources(): void {
  sources.clear();
}

function lineOf(source: ts.SourceFile, node: ts.Node): number {
  return source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
}

/** Every import of a file: static, dynamic (`import("x")`), `export … from`, `import("x")` types. */
export function importsOf(fileName: string, text: string): ImportUse[] {
  const source = sourceOf(fileName, text);
  const uses: ImportUse[] = [];
  // Default and namespace bindings of fs modules, to follow `fs.rm(…)` / `fs.promises.rm(…)`.
  const fsBindings = new Map<string, ImportUse>();

  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const use: ImportUse = {
        spec: node.moduleSpecifier.text,
        typeOnly: Boolean(clause?.isTypeOnly),
        line: lineOf(source, node),
        names: [],
      };
      if (clause?.name) fsBindings.set(clause.name.text, use);
      const bindings = clause?.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings)) fsBindings.set(bindings.name.text, use);
      if (bindings && ts.isNamedImports(bindings))
        for (const el of bindings.elements)
          if (!el.isTypeOnly)
            use.names.push({ name: (el.propertyName ?? el.name).text, line: lineOf(source, el) });
      if (bindings && ts.isNamedImports(bindings) && !use.typeOnly && !clause?.name)
        use.typeOnly = bindings.elements.length > 0 && bindings.elements.every((el) => el.isTypeOnly);
      uses.push(use);
    } else if (
      ts.isExportDeclaration(node) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      const use: ImportUse = {
        spec: node.moduleSpecifier.text,
        typeOnly: node.isTypeOnly,
        line: lineOf(source, node),
        names: [],
      };
      if (node.exportClause && ts.isNamedExports(node.exportClause))
        for (const el of node.exportClause.elements)
          use.names.push({ name: (el.propertyName ?? el.name).text, line: lineOf(source, el) });
      uses.push(use);
    } else if (
      ts.isCallExpression(node) &&
      (node.expression.kind === ts.SyntaxKind.ImportKeyword ||
        (ts.isIdentifier(node.expression) && node.expression.text === "require") ||
        // createRequire(import.meta.url)("x")
        (ts.isCallExpression(node.expression) &&
          ts.isIdentifier(node.expression.expression) &&
          node.expression.expression.text === "createRequire")) &&
      node.arguments[0] &&
      ts.isStringLiteralLike(node.arguments[0])
    ) {
      // A dynamic import: what it takes is read from `const { a, b } = await import("x")`.
      const use: ImportUse = {
        spec: node.arguments[0].text,
        typeOnly: false,
        line: lineOf(source, node),
        names: [],
      };
      let holder: ts.Node = node.parent;
      while (holder && (ts.isAwaitExpression(holder) || ts.isParenthesizedExpression(holder)))
        holder = holder.parent;
      if (ts.isVariableDeclaration(holder) && ts.isObjectBindingPattern(holder.name)) {
        for (const el of holder.name.elements) {
          const key = el.propertyName ?? el.name;
          if (ts.isIdentifier(key)) use.names.push({ name: key.text, line: lineOf(source, el) });
        }
      } else if (ts.isVariableDeclaration(holder) && ts.isIdentifier(holder.name)) {
        fsBindings.set(holder.name.text, use);
      } else {
        use.names.push({ name: "*", line: use.line });
      }
      uses.push(use);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      const lit = node.argument.literal;
      if (ts.isStringLiteral(lit))
        uses.push({ spec: lit.text, typeOnly: true, line: lineOf(source, node), names: [] });
    } else if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression)) {
      // `fs.writeFileSync(…)`, `fs.promises.rm(…)` through a default or namespace binding.
      const use = fsBindings.get(node.expression.text);
      if (use) {
        let name = node.name.text;
        if (name === "promises" && ts.isPropertyAccessExpression(node.parent)) name = node.parent.name.text;
        use.names.push({ name, line: lineOf(source, node) });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return uses;
}

/** A relative specifier as a path under src/ ("commands/serve.ts"); bare ones as they are. */
function target(srcRoot: string, file: string, spec: string): string {
  if (!spec.startsWith(".")) return spec;
  return path
    .relative(srcRoot, path.resolve(path.dirname(file), spec))
    .split(path.sep)
    .join("/")
    .replace(/\.js$/, ".ts");
}

const within = (rel: string, place: string) => (place.endsWith("/") ? rel.startsWith(place) : rel === place);

/** The rules broken by one source file (`file` absolute, under `srcRoot`). */
export function checkFile(srcRoot: string, file: string, text: string): Violation[] {
  const rel = path.relative(srcRoot, file).split(path.sep).join("/");
  const found: Violation[] = [
    ...coreLayerBreaks(rel, srcRoot, file, text),
    ...bridgeLayerBreaks(rel, srcRoot, file, text),
    ...clientIdBranches(rel, file, text),
    ...rpcCodeLiterals(rel, file, text),
    ...eraNicknames(rel, file, text),
    ...unexplainedEscapes(rel, file, text),
  ];
  for (const use of importsOf(file, text)) {
    const to = target(srcRoot, file, use.spec);
    for (const door of DOORS)
      if (to.startsWith(door.folder) && !rel.startsWith(door.folder) && to !== door.index)
        found.push({
          file: rel,
          line: use.line,
          rule: door.rule,
          message: `${rel} imports ${to}: ${door.folder} is reached through ${door.index} only (export what you need there)`,
        });
    for (const rule of LAYER_RULES) {
      if (!within(rel, rule.from)) continue;
      const hit = rule.forbid.find((place) => within(to, place));
      if (hit)
        found.push({
          file: rel,
          line: use.line,
          rule: rule.id,
          message: `${rel} imports ${to}: nothing in ${rule.from} imports ${hit} (${rule.why})`,
        });
    }
    if (use.spec === V1_SDK || use.spec.startsWith(`${V1_SDK}/`))
      found.push({
        file: rel,
        line: use.line,
        rule: "sdk.v2",
        message: `${rel} imports ${use.spec}: mcp-twin speaks MCP through SDK v2 (@modelcontextprotocol/server, client, core); the v1 package builds test peers only`,
      });
    if (use.typeOnly) continue;
    const doctorPure = rel.startsWith("core/doctor/") && !DOCTOR_IO.some((d) => rel.startsWith(d));
    if (doctorPure && IO_MODULES.has(to))
      found.push({
        file: rel,
        line: use.line,
        rule: "doctor.io",
        message: `${rel} imports ${to}: doctor's I/O is in ${DOCTOR_IO.join(" and ")}; the rest of doctor reads what they found`,
      });
    if (rel.startsWith("core/doctor/checks/") && DOCTOR_IO.some((d) => to.startsWith(d)))
      found.push({
        file: rel,
        line: use.line,
        rule: "doctor.checks-pure",
        message: `${rel} imports ${to}: a check reads the facts gathered (type imports only from there); it runs nothing`,
      });
    if (PROCESS_MODULES.has(to) && rel !== PROCESS_STARTER)
      found.push({
        file: rel,
        line: use.line,
        rule: "io.processes",
        message: `${rel} imports ${to}: only ${PROCESS_STARTER} starts processes (use the host's runner)`,
      });
    if (to === WRITER && !REPLACERS.includes(rel))
      for (const { name, line } of use.names)
        if (name === "replaceFile")
          found.push({
            file: rel,
            line,
            rule: "io.replace",
            message: `${rel} uses replaceFile: only ${REPLACERS.join(" and ")} replace configs (write through them)`,
          });
    if (FS_MODULES.has(to) && rel !== WRITER)
      for (const { name, line } of use.names)
        if (FS_WRITES.has(name) || name === "*")
          found.push({
            file: rel,
            line,
            rule: "io.writes",
            message: `${rel} uses ${to} ${name === "*" ? "as a whole" : name}: only ${WRITER} changes files (add or use a function there)`,
          });
  }
  return found;
}

/**
 * Imports of a core/ module from a higher layer of core/, or from a folder with no layer (type
 * imports too). A module in a folder with no layer is named by the test that every folder has one.
 */
function coreLayerBreaks(rel: string, srcRoot: string, file: string, text: string): Violation[] {
  const from = coreNode(rel);
  if (from === undefined) return [];
  const found: Violation[] = [];
  const unplaced = (node: string, line: number): Violation => ({
    file: rel,
    line,
    rule: "layers.core-unplaced",
    message: `core/${node} has no layer: give it one in CORE_LAYERS (test/structure/rules.ts) and docs/dev/architecture.md`,
  });
  for (const use of importsOf(file, text)) {
    const to = coreNode(target(srcRoot, file, use.spec));
    if (to === undefined || to === from) continue;
    const [a, b] = [LAYER_OF.get(from), LAYER_OF.get(to)];
    if (b === undefined) found.push(unplaced(to, use.line));
    else if (a !== undefined && b > a)
      found.push({
        file: rel,
        line: use.line,
        rule: "layers.core-order",
        message: `${rel} imports core/${to}${use.typeOnly ? " (a type)" : ""}: ${CORE_LAYERS[b]!.layer} (core/${to}) sits above ${CORE_LAYERS[a]!.layer} (core/${from}); move what both need down`,
      });
  }
  return found;
}

/** The one home of JSON-RPC's error codes: everything else names them (RPC.invalidParams). */
const RPC_CODES = "core/jsonrpc/codes.ts";

/** A JSON-RPC error code written as a number (-32768 to -32000) outside RPC_CODES. */
function rpcCodeLiterals(rel: string, file: string, text: string): Violation[] {
  if (rel === RPC_CODES) return [];
  const source = sourceOf(file, text);
  const found: Violation[] = [];
  const visit = (node: ts.Node): void => {
    if (
      ts.isPrefixUnaryExpression(node) &&
      node.operator === ts.SyntaxKind.MinusToken &&
      ts.isNumericLiteral(node.operand)
    ) {
      const value = Number(node.operand.text);
      if (value >= 32000 && value <= 32768)
        found.push({
          file: rel,
          line: lineOf(source, node),
          rule: "rpc.codes",
          message: `${rel} writes the JSON-RPC code -${value}: name it from ${RPC_CODES} (RPC), its one home`,
        });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/**
 * Where the SDK's own vocabulary says "legacy" and "modern" (its era names, negotiation modes and
 * prior discoveries): a literal on a line naming one of these is the SDK's word, not ours.
 */
const SDK_ERA_WORDS = /getProtocolEra|PriorDiscovery|VersionNegotiationMode|era\.kind|sdkEra|SDK's name/;

/**
 * A protocol revision called "legacy" or "modern" in mcp-twin's own code: revisions are named by
 * their dates ("2025-11-25", "2026-07-28"), which the next revision cannot make wrong.
 */
function eraNicknames(rel: string, file: string, text: string): Violation[] {
  const source = sourceOf(file, text);
  const lines = text.split("\n");
  const found: Violation[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteralLike(node) && (node.text === "legacy" || node.text === "modern")) {
      const line = lineOf(source, node);
      if (!SDK_ERA_WORDS.test(lines[line - 1] ?? ""))
        found.push({
          file: rel,
          line,
          rule: "names.eras",
          message: `${rel} calls a protocol revision "${node.text}": name it by its date ("2025-11-25", "2026-07-28"); the SDK's own words go on a line that names the SDK API (or says "SDK's name")`,
        });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Imports inside bridge-server/ from a higher layer of it, or from a module with no layer (type imports too). */
function bridgeLayerBreaks(rel: string, srcRoot: string, file: string, text: string): Violation[] {
  const from = bridgeNode(rel);
  if (from === undefined) return [];
  const found: Violation[] = [];
  for (const use of importsOf(file, text)) {
    const to = bridgeNode(target(srcRoot, file, use.spec));
    if (to === undefined || to === from) continue;
    const [a, b] = [BRIDGE_LAYER_OF.get(from), BRIDGE_LAYER_OF.get(to)];
    if (a === undefined || b === undefined)
      found.push({
        file: rel,
        line: use.line,
        rule: "layers.bridge-unplaced",
        message: `bridge-server/${a === undefined ? from : to} has no layer: give it one in BRIDGE_LAYERS (test/structure/rules.ts) and docs/dev/architecture.md`,
      });
    else if (b > a)
      found.push({
        file: rel,
        line: use.line,
        rule: "layers.bridge-order",
        message: `${rel} imports bridge-server/${to}${use.typeOnly ? " (a type)" : ""}: ${BRIDGE_LAYERS[b]!.layer} sits above ${BRIDGE_LAYERS[a]!.layer}; move what both need down`,
      });
  }
  return found;
}

/** One import between two folders (or loose files) of core/: where it is written. */
interface CoreEdge {
  from: string;
  to: string;
  file: string;
  line: number;
}

/** The imports between folders of core/ (type imports included), for cycles. */
export function coreEdges(srcRoot: string, files: ReadonlyArray<{ file: string; text: string }>): CoreEdge[] {
  const edges: CoreEdge[] = [];
  for (const { file, text } of files) {
    const rel = path.relative(srcRoot, file).split(path.sep).join("/");
    const from = coreNode(rel);
    if (from === undefined) continue;
    for (const use of importsOf(file, text)) {
      const to = coreNode(target(srcRoot, file, use.spec));
      if (to !== undefined && to !== from) edges.push({ from, to, file: rel, line: use.line });
    }
  }
  return edges;
}

/**
 * The strongly connected components of a directed graph of more than one node, or of one node that
 * imports itself: the cycles (Tarjan's algorithm). Each component's nodes, and the components, in
 * the order first seen.
 */
function stronglyConnected(next: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let counter = 0;
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) ?? 0, index.get(w) ?? 0));
    }
    if (low.get(v) !== index.get(v)) return;
    const members: string[] = [];
    for (let w = stack.pop(); w !== undefined; w = w === v ? undefined : stack.pop()) {
      onStack.delete(w);
      members.push(w);
    }
    if (members.length > 1 || next.get(v)?.has(v)) found.push(members.reverse());
  };
  for (const v of next.keys()) if (!index.has(v)) visit(v);
  return found;
}

/** Each edge's `from` → the set of its `to`s. */
function adjacency(edges: ReadonlyArray<{ from: string; to: string }>): Map<string, Set<string>> {
  const next = new Map<string, Set<string>>();
  for (const e of edges) next.set(e.from, (next.get(e.from) ?? new Set()).add(e.to));
  return next;
}

/**
 * Cycles between folders of core/ (type imports counted): every import that closes one, named
 * file:line. A strongly connected component of more than one folder is a cycle.
 */
export function coreCycles(edges: readonly CoreEdge[]): Violation[] {
  const component = new Map<string, number>();
  stronglyConnected(adjacency(edges)).forEach((members, i) => {
    for (const m of members) component.set(m, i);
  });
  return edges
    .filter((e) => component.has(e.from) && component.get(e.from) === component.get(e.to))
    .map((e) => ({
      file: e.file,
      line: e.line,
      rule: "layers.core-cycle",
      message: `${e.file} imports core/${e.to}, and core/${e.to} imports core/${e.from} (maybe through others): give what both need one home below them`,
    }));
}

/** One import from a file of src/ to another (both paths under src/), where it is written. */
export interface FileEdge {
  from: string;
  to: string;
  line: number;
  typeOnly: boolean;
}

/**
 * The imports between files of src/: static, dynamic, `import type`, `import("x")` types and
 * `export … from` alike, a `.js` specifier resolved to its `.ts` file. Imports of anything that is
 * not one of `files` (packages, node:, generated JSON) are left out: they cannot close a cycle.
 */
export function fileEdges(srcRoot: string, files: ReadonlyArray<{ file: string; text: string }>): FileEdge[] {
  const rels = new Set(files.map(({ file }) => path.relative(srcRoot, file).split(path.sep).join("/")));
  const edges: FileEdge[] = [];
  for (const { file, text } of files) {
    const from = path.relative(srcRoot, file).split(path.sep).join("/");
    for (const use of importsOf(file, text)) {
      const to = target(srcRoot, file, use.spec);
      if (rels.has(to)) edges.push({ from, to, line: use.line, typeOnly: use.typeOnly });
    }
  }
  return edges;
}

/**
 * One way round a cycle, from its first file back to it: each step the import that takes it
 * (file:line), found by a breadth-first search inside the component so the way is a shortest one.
 */
function wayRound(members: readonly string[], edges: readonly FileEdge[]): FileEdge[] {
  const inside = new Set(members);
  const start = members[0] ?? "";
  const cameBy = new Map<string, FileEdge>();
  const queue = [start];
  for (let i = 0; i < queue.length && !cameBy.has(start); i++) {
    const at = queue[i] ?? "";
    for (const e of edges) {
      if (e.from !== at || !inside.has(e.to) || cameBy.has(e.to)) continue;
      cameBy.set(e.to, e);
      queue.push(e.to);
    }
  }
  const way: FileEdge[] = [];
  for (let e = cameBy.get(start); e && way.length <= members.length; e = cameBy.get(e.from)) {
    way.unshift(e);
    if (e.from === start) break;
  }
  return way;
}

/**
 * Every cycle of imports between files of src/ (type imports counted): one violation per strongly
 * connected component, at its first file, naming every file of it and one way round it.
 */
export function fileCycles(edges: readonly FileEdge[]): Violation[] {
  return stronglyConnected(adjacency(edges)).map((members) => {
    const way = wayRound(members, edges);
    const steps = way.map((e) => `${e.from}:${e.line}${e.typeOnly ? " (type)" : ""}`);
    const who =
      members.length === 1
        ? `${members[0]} imports itself`
        : `${members.length} files import each other in a cycle: ${[...members].sort().join(", ")}`;
    return {
      file: members[0] ?? "",
      line: way[0]?.line ?? 1,
      rule: "imports.file-cycle",
      message: `${who} (one way round: ${[...steps, members[0]].join(" → ")}); move what they share to the module that owns the concept`,
    };
  });
}

const CLIENT_ID_SET = new Set<string>(CLIENT_IDS);

/**
 * Outside core/clients/, branches on a client id: `x === "codex"`, `case "cursor":`, a list of ids
 * (`["claude-desktop", "cursor"].includes(…)`). What differs between clients is a fact of their module.
 */
function clientIdBranches(rel: string, file: string, text: string): Violation[] {
  if (rel.startsWith("core/clients/")) return [];
  const source = sourceOf(file, text);
  const found: Violation[] = [];
  const isId = (node: ts.Node | undefined) =>
    node !== undefined && ts.isStringLiteralLike(node) && CLIENT_ID_SET.has(node.text);
  const hit = (node: ts.Node, id: string) =>
    found.push({
      file: rel,
      line: lineOf(source, node),
      rule: "clients.id-branch",
      message: `${rel} branches on the client id "${id}": say what differs as a fact of the client's module (core/clients/types.ts)`,
    });
  const EQUALITY = new Set([
    ts.SyntaxKind.EqualsEqualsEqualsToken,
    ts.SyntaxKind.ExclamationEqualsEqualsToken,
    ts.SyntaxKind.EqualsEqualsToken,
    ts.SyntaxKind.ExclamationEqualsToken,
  ]);
  const visit = (node: ts.Node): void => {
    if (ts.isBinaryExpression(node) && EQUALITY.has(node.operatorToken.kind)) {
      const literal = [node.left, node.right].find(isId);
      if (literal && ts.isStringLiteralLike(literal)) hit(node, literal.text);
    } else if (ts.isCaseClause(node) && isId(node.expression) && ts.isStringLiteralLike(node.expression)) {
      hit(node, node.expression.text);
    } else if (ts.isArrayLiteralExpression(node)) {
      const literal = node.elements.find(isId);
      if (literal && ts.isStringLiteralLike(literal)) hit(node, literal.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** The most type escapes src/ holds, all files together: what is left when the types cannot say it. */
export const MAX_TYPE_ESCAPES = 5;

/** One type escape: where, its form, and the comment on the line right above it (undefined: none). */
export interface TypeEscape {
  line: number;
  form: "as never" | "as unknown as";
  why: string | undefined;
}

/** The words of the comment lines right above line `index` (0-based), up to the first that is no comment. */
function commentAbove(lines: readonly string[], index: number): string | undefined {
  const words: string[] = [];
  for (let i = index - 1; i >= 0; i--) {
    const line = (lines[i] ?? "").trim();
    if (!/^(\/\/|\/\*|\*)/.test(line)) break;
    words.unshift(
      line
        .replace(/\*+\/$/, "")
        .replace(/^(\/\/+|\/\*+|\*+)/, "")
        .trim(),
    );
  }
  return words.join(" ").trim() || undefined;
}

/**
 * The type escapes of a file: `x as never` (`any` renamed: it fits anything) and `x as unknown as
 * T` (a cast TypeScript would refuse), their `<never>x` forms too, as TypeScript parses them (a
 * comment or a string saying "as never" is none); each with the comment right above it.
 */
export function typeEscapes(fileName: string, text: string): TypeEscape[] {
  const source = sourceOf(fileName, text);
  const lines = text.split("\n");
  const found: TypeEscape[] = [];
  const asserted = (node: ts.Node): { type: ts.TypeNode; expression: ts.Expression } | undefined =>
    ts.isAsExpression(node) || ts.isTypeAssertionExpression(node) ? node : undefined;
  const visit = (node: ts.Node): void => {
    const cast = asserted(node);
    if (cast) {
      let inner: ts.Expression = cast.expression;
      while (ts.isParenthesizedExpression(inner)) inner = inner.expression;
      const first = asserted(inner);
      const form =
        cast.type.kind === ts.SyntaxKind.NeverKeyword
          ? "as never"
          : first?.type.kind === ts.SyntaxKind.UnknownKeyword
            ? "as unknown as"
            : undefined;
      if (form) {
        const line = lineOf(source, node);
        found.push({ line, form, why: commentAbove(lines, line - 1) });
        // `x as unknown as never` is one escape, not two.
        if (first) {
          ts.forEachChild(first.expression, visit);
          return;
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** A type escape with no comment right above it saying why the types cannot say it. */
function unexplainedEscapes(rel: string, file: string, text: string): Violation[] {
  return typeEscapes(file, text)
    .filter((e) => e.why === undefined || e.why.split(/\s+/).length < 3)
    .map((e) => ({
      file: rel,
      line: e.line,
      rule: "types.escape-why",
      message: `${rel} writes \`${e.form}\` with no comment right above it: say it in types (a guard, a generic, the SDK's own types), or say there why the types cannot`,
    }));
}

/** Every type escape of src/ when there are more than `max` of them (each named, file:line). */
export function typeEscapeBudget(
  escapes: ReadonlyArray<TypeEscape & { file: string }>,
  max = MAX_TYPE_ESCAPES,
): Violation[] {
  if (escapes.length <= max) return [];
  return escapes.map((e) => ({
    file: e.file,
    line: e.line,
    rule: "types.escape-budget",
    message: `${e.file} writes \`${e.form}\`, one of ${escapes.length} type escapes in src/ (at most ${max}): say it in types (a guard, a generic, the SDK's own types, one typed adapter)`,
  }));
}

export function formatViolation(v: Violation): string {
  return `src/${v.file}:${v.line} [${v.rule}] ${v.message}`;
}

/** The longest a function may be, in lines (its first line to its last, comments inside included). */
export const MAX_FUNCTION_LINES = 120;

/** One function, method, arrow function or function expression and its length in lines. */
export interface FunctionLength {
  line: number;
  name: string;
  lines: number;
}

/** What a function is called where it is written: its own name, its variable, property or call. */
function functionName(node: ts.FunctionLikeDeclaration): string {
  if (
    node.name &&
    (ts.isIdentifier(node.name) || ts.isStringLiteral(node.name) || ts.isPrivateIdentifier(node.name))
  )
    return node.name.text;
  if (ts.isConstructorDeclaration(node)) return "constructor";
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  if (ts.isPropertyAssignment(parent) && (ts.isIdentifier(parent.name) || ts.isStringLiteral(parent.name)))
    return parent.name.text;
  if (ts.isPropertyDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  if (ts.isCallExpression(parent)) {
    const callee = parent.expression;
    const called = ts.isPropertyAccessExpression(callee) ? callee.name.text : callee.getText();
    return `${called}(…) callback`;
  }
  return "(anonymous)";
}

/** Every function in a file with its length, in source order. */
export function functionLengths(fileName: string, text: string): FunctionLength[] {
  const source = sourceOf(fileName, text);
  const found: FunctionLength[] = [];
  const visit = (node: ts.Node): void => {
    if (
      (ts.isFunctionDeclaration(node) ||
        ts.isMethodDeclaration(node) ||
        ts.isConstructorDeclaration(node) ||
        ts.isGetAccessorDeclaration(node) ||
        ts.isSetAccessorDeclaration(node) ||
        ts.isArrowFunction(node) ||
        ts.isFunctionExpression(node)) &&
      node.body
    ) {
      const first = lineOf(source, node);
      const last = source.getLineAndCharacterOfPosition(node.getEnd()).line + 1;
      found.push({ line: first, name: functionName(node), lines: last - first + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** The functions of a file over the limit, as `src/<file>:<line> <name> <n> lines`. */
export function longFunctions(
  srcRoot: string,
  file: string,
  text: string,
  max = MAX_FUNCTION_LINES,
): string[] {
  const rel = path.relative(srcRoot, file).split(path.sep).join("/");
  return functionLengths(file, text)
    .filter((f) => f.lines > max)
    .map((f) => `src/${rel}:${f.line} ${f.name} ${f.lines} lines`);
}
