// The floor of any HTTP relay of a stdio server for bench/bridge.ts: node:http passing every POST's
// message to one child (the server given as argv[2]) as a line under an id of its own, and the
// child's answer back under the caller's id — the least a relay shared by several sessions does
// (one parse and one serialisation each way), with no MCP library, no checks, no sessions. What
// `serve --share` adds beyond it is the bridge's own cost. A measuring stick, not a server.
// Prints the port on stdout once listening.
import { spawn } from "node:child_process";
import http from "node:http";

const child = spawn(process.execPath, [process.argv[2]], { stdio: ["pipe", "pipe", "ignore"] });
const waiting = new Map();
let nextId = 1;
let buffered = "";
child.stdout.setEncoding("utf8");
child.stdout.on("data", (text) => {
  buffered += text;
  for (let nl = buffered.indexOf("\n"); nl !== -1; nl = buffered.indexOf("\n")) {
    const m = JSON.parse(buffered.slice(0, nl));
    buffered = buffered.slice(nl + 1);
    const asked = waiting.get(m.id);
    if (!asked) continue;
    waiting.delete(m.id);
    m.id = asked.id;
    const out = JSON.stringify(m);
    asked.res.writeHead(200, {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(out),
      "mcp-session-id": "relay-floor",
    });
    asked.res.end(out);
  }
});

const server = http.createServer((req, res) => {
  let body = "";
  req.on("data", (c) => {
    body += c;
  });
  req.on("end", () => {
    if (req.method !== "POST") {
      res.writeHead(405).end();
      return;
    }
    const m = JSON.parse(body);
    if (m.id === undefined) res.writeHead(202).end();
    else {
      waiting.set(nextId, { res, id: m.id });
      m.id = nextId++;
    }
    child.stdin.write(`${JSON.stringify(m)}\n`);
  });
});
server.listen(0, "127.0.0.1", () => process.stdout.write(`${server.address().port}\n`));
process.on("SIGTERM", () => {
  child.kill();
  process.exit(0);
});
