/**
 * A hostile stdio MCP server (2025-11-25, no SDK) for the gateway's flood tests: a call that floods
 * its caller with progress and log messages, a `tools/list_changed` storm, a stop to reading stdin.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";

/**
 * Tools: `echo` (answers at once); `big` (answers, then logs one message of `bytes`); `flood`
 * (`ms`: progress — when the call has a token — and log messages as fast as the pipe takes them,
 * for `ms` or until cancelled, then its answer); `storm` (answers at once, then
 * `tools/list_changed` as fast as the pipe takes it for `ms`); `stall` (answers, then never reads
 * its stdin again, the process staying up); `logs` and `updates` (answer, then write `n` log
 * messages, or `n` `resources/updated` of `uri`, in one write; `<file>.logs`/`.updates` after).
 * Resources can be subscribed to: `<file>.subs` counts the subscribe and unsubscribe requests.
 * `tools/list` is answered at once the
 * first time; later ones never (or, with a second argument `slow`, after 200 ms), counted with the
 * most ever unanswered at once in the file named by the first argument (JSON); `<that file>.flood`
 * and `.storm` say when a flood and a storm ended.
 */
const SCRIPT = String.raw`
const { renameSync, writeFileSync } = require("node:fs");
const countFile = process.argv[2];
let lists = 0;
let pending = 0;
let maxPending = 0;
const cancelled = new Set();
const counts = {};
const out = (m) => process.stdout.write(JSON.stringify(m) + "\n");
const TOOLS = ["echo", "big", "flood", "storm", "stall", "logs", "updates"].map((name) => ({ name, inputSchema: { type: "object" } }));

/** Write make() until the pipe is full, then go on at "drain", until stop() or ms have passed. */
function pump(make, ms, stop, done) {
  const end = Date.now() + ms;
  const go = () => {
    for (;;) {
      if (Date.now() > end || stop()) return done();
      if (!process.stdout.write(make())) return void process.stdout.once("drain", go);
    }
  };
  go();
}

function call(m) {
  const { name, arguments: args = {} } = m.params;
  const text = (t) => out({ jsonrpc: "2.0", id: m.id, result: { content: [{ type: "text", text: t }] } });
  if (name === "echo") return text("echo:" + String(args.text));
  if (name === "stall") {
    text("stalled");
    process.stdin.removeAllListeners("data");
    process.stdin.pause();
    return void setInterval(() => {}, 60_000);
  }
  if (name === "big") {
    text("big");
    // After the answer is taken, so the message is tied to no call: it goes to the sessions.
    const data = "b".repeat(Number(args.bytes));
    const log = { jsonrpc: "2.0", method: "notifications/message", params: { level: "info", data } };
    return void setTimeout(() => out(log), 200);
  }
  if (name === "logs" || name === "updates") {
    text(name);
    // One write, after the answer is taken: every line is tied to no call.
    const n = Number(args.n);
    const note =
      name === "logs"
        ? (i) => ({ method: "notifications/message", params: { level: "info", data: "l".repeat(1000) + i } })
        : () => ({ method: "notifications/resources/updated", params: { uri: String(args.uri) } });
    const lines = Array.from({ length: n }, (_, i) => JSON.stringify({ jsonrpc: "2.0", ...note(i) }) + "\n");
    return void setTimeout(() => process.stdout.write(lines.join(""), () => writeFileSync(countFile + "." + name, "written")), 200);
  }
  const ms = Number(args.ms ?? 3000);
  if (name === "storm") {
    text("storming");
    const line = JSON.stringify({ jsonrpc: "2.0", method: "notifications/tools/list_changed" }) + "\n";
    return pump(() => line, ms, () => false, () => writeFileSync(countFile + ".storm", "ended"));
  }
  const token = m.params._meta?.progressToken;
  let n = 0;
  const pad = "p".repeat(2000);
  const make = () => {
    n++;
    const note =
      token !== undefined && n % 2 === 0
        ? { method: "notifications/progress", params: { progressToken: token, progress: n, message: pad } }
        : { method: "notifications/message", params: { level: "info", data: pad + n } };
    return JSON.stringify({ jsonrpc: "2.0", ...note }) + "\n";
  };
  pump(make, ms, () => cancelled.has(m.id), () => {
    // Written whole, then named: a test that sees the file reads all of it.
    writeFileSync(countFile + ".flood.tmp", JSON.stringify({ sent: n, cancelled: cancelled.has(m.id) }));
    renameSync(countFile + ".flood.tmp", countFile + ".flood");
    text("flooded " + n);
  });
}

let buffered = "";
process.stdin.on("data", (chunk) => {
  buffered += chunk;
  for (let nl = buffered.indexOf("\n"); nl !== -1; nl = buffered.indexOf("\n")) {
    const m = JSON.parse(buffered.slice(0, nl));
    buffered = buffered.slice(nl + 1);
    if (m.method === "initialize")
      out({ jsonrpc: "2.0", id: m.id, result: {
        protocolVersion: "2025-11-25",
        capabilities: { tools: { listChanged: true }, logging: {}, resources: { subscribe: true } },
        serverInfo: { name: "hostile-stdio", version: "1.0.0" },
      } });
    else if (m.method === "notifications/cancelled") cancelled.add(m.params.requestId);
    else if (m.method === "resources/subscribe" || m.method === "resources/unsubscribe") {
      const k = m.method.slice(10);
      counts[k] = (counts[k] ?? 0) + 1;
      writeFileSync(countFile + ".subs", JSON.stringify(counts));
      out({ jsonrpc: "2.0", id: m.id, result: {} });
    } else if (m.method === "resources/list") out({ jsonrpc: "2.0", id: m.id, result: { resources: [] } });
    else if (m.method === "resources/templates/list")
      out({ jsonrpc: "2.0", id: m.id, result: { resourceTemplates: [] } });
    else if (m.method === "tools/list") {
      if (++lists === 1) out({ jsonrpc: "2.0", id: m.id, result: { tools: TOOLS } });
      else {
        pending++;
        maxPending = Math.max(maxPending, pending);
        writeFileSync(countFile + ".tmp", JSON.stringify({ rereads: lists - 1, maxPending }));
        renameSync(countFile + ".tmp", countFile);
        if (process.argv[3] === "slow")
          setTimeout(() => {
            pending--;
            out({ jsonrpc: "2.0", id: m.id, result: { tools: TOOLS } });
          }, 200);
      }
    } else if (m.method === "tools/call") call(m);
    else if (m.id !== undefined && m.method !== undefined) out({ jsonrpc: "2.0", id: m.id, result: {} });
  }
});
`;

/** The script written to `dir`; `counted` is where it counts the `tools/list` it left unanswered. */
export function writeHostileStdio(dir: string): { script: string; counted: string } {
  const script = path.join(dir, "hostile-stdio.cjs");
  writeFileSync(script, SCRIPT);
  return { script, counted: path.join(dir, "unanswered-lists") };
}
