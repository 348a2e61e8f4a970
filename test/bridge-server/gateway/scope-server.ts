/**
 * A 2025-11-25 stdio MCP server written as one plain script (no dependencies, fast to start) whose
 * answers depend on where it runs and what it was written with: rewrite it to change the program.
 */
import { writeFileSync } from "node:fs";

/**
 * Write the server to `file`. Its tools are `tools` (each answers "<name> ok"), `where` (its pid,
 * folder, and how many times it answered tools/list) and `grow` (adds a tool `grown<n>` and says tools/list_changed); answered when named in
 * `tools` (the gateway calls only a listed tool): `ask` (asks its client `n` elicitations at once, answers what became of each once all
 * are settled; `asked`: so far, when named too), `orphan` (starts a `sleep` holding its stdout, writes its pid to
 * `pidFile`, exits without answering) and `detach` (starts a `sleep` in a session of its own,
 * answers its pid). Its instructions and its one resource (`plan-<folder's name>.md`) name the
 * folder it runs in.
 */
export function writeScopeServer(file: string, tools: string[]): void {
  writeFileSync(
    file,
    `import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
const tools = ${JSON.stringify(["where", "grow", ...tools])};
let grown = 0;
let listed = 0;
const send = (m) => process.stdout.write(JSON.stringify({ jsonrpc: "2.0", ...m }) + "\\n");
const text = (t) => ({ content: [{ type: "text", text: t }] });
const waiting = new Map();
let sent = 0;
const request = (method, params) =>
  new Promise((resolve) => {
    const id = "s" + ++sent;
    waiting.set(id, resolve);
    send({ id, method, params });
  });
let asks = { asked: 0, settled: [] };
const ask = async (n) => {
  asks = { asked: n, settled: [] };
  const mine = asks;
  const question = (k) => ({ message: "Question " + k, requestedSchema: { type: "object", properties: {} } });
  await Promise.all(
    Array.from({ length: n }, (_, k) =>
      request("elicitation/create", question(k)).then((m) =>
        mine.settled.push(m.error ? "error: " + m.error.message : "answered: " + JSON.stringify(m.result)),
      ),
    ),
  );
  return text(JSON.stringify(mine));
};
const answer = {
  initialize: (p) => ({
    protocolVersion: p?.protocolVersion ?? "2025-11-25",
    capabilities: { tools: { listChanged: true }, resources: { listChanged: true } },
    serverInfo: { name: "scope", version: "1.0.0" },
    instructions: "Serving the folder " + process.cwd(),
  }),
  ping: () => ({}),
  "tools/list": () => {
    listed++;
    return { tools: tools.map((name) => ({ name, inputSchema: { type: "object" } })) };
  },
  "resources/list": () => {
    const name = "plan-" + path.basename(process.cwd()) + ".md";
    return { resources: [{ uri: "file:///" + name, name }] };
  },
  "resources/templates/list": () => ({ resourceTemplates: [] }),
  "tools/call": (p) => {
    if (p.name === "where") return text(JSON.stringify({ pid: process.pid, cwd: process.cwd(), listed }));
    if (p.name === "grow") {
      tools.push("grown" + ++grown);
      setImmediate(() => send({ method: "notifications/tools/list_changed" }));
      return text("grown" + grown);
    }
    if (p.name === "ask") return ask(p.arguments?.n ?? 1);
    if (p.name === "asked") return text(JSON.stringify(asks));
    if (p.name === "orphan") {
      const child = spawn("sleep", ["300"], { stdio: ["ignore", "inherit", "ignore"] });
      writeFileSync(p.arguments.pidFile, String(child.pid));
      process.exit(3);
    }
    if (p.name === "detach") {
      const child = spawn("sleep", ["300"], { stdio: "ignore", detached: true });
      child.unref();
      return text(JSON.stringify({ pid: child.pid }));
    }
    if (tools.includes(p.name)) return text(p.name + " ok");
    throw Object.assign(new Error("Unknown tool: " + p.name), { code: -32602 });
  },
};
let buffer = "";
process.stdin.on("data", (chunk) => {
  buffer += chunk;
  let nl;
  while ((nl = buffer.indexOf("\\n")) !== -1) {
    const line = buffer.slice(0, nl);
    buffer = buffer.slice(nl + 1);
    if (!line.trim()) continue;
    const m = JSON.parse(line);
    if (m.method === undefined && waiting.has(m.id)) {
      waiting.get(m.id)(m);
      waiting.delete(m.id);
      continue;
    }
    if (m.id === undefined || m.method === undefined) continue;
    const handle = answer[m.method];
    if (!handle) {
      send({ id: m.id, error: { code: -32601, message: "Method not found: " + m.method } });
      continue;
    }
    let result;
    try {
      result = handle(m.params);
    } catch (e) {
      send({ id: m.id, error: { code: e.code ?? -32603, message: e.message } });
      continue;
    }
    if (result instanceof Promise) result.then((r) => send({ id: m.id, result: r }));
    else send({ id: m.id, result });
  }
});
process.stdin.on("end", () => process.exit(0));
`,
  );
}
