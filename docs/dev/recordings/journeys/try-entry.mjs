#!/usr/bin/env node
// docs/dev/recordings/journeys/try-entry.mjs — start one entry of a client config as that client would, and talk
// MCP to it over stdio: initialize, tools/list, then the calls named on the command line.
// Not part of mcp-twin: run.sh copies it into the simulated machine's home so a journey can make a
// real call through an entry sync wrote (wsl-sim's README: a Windows client's entry is tried by
// starting its command + args inside the sim, the Windows path turned into its /mnt/c/... form).
//
//   node try-entry.mjs CONFIG_FILE SERVER [TOOL JSON_ARGS]...
//
// Prints one line per answer (tool names, the text of each tool result, shortened); never the env
// the entry carries (it may hold a key). Exit 0 when every call answered without an error.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";

const [file, server, ...calls] = process.argv.slice(2);
if (!file || !server || calls.length % 2 !== 0) {
  console.error("usage: node try-entry.mjs CONFIG_FILE SERVER [TOOL JSON_ARGS]...");
  process.exit(2);
}
const config = JSON.parse(readFileSync(file, "utf8"));
const entry = (config.mcpServers ?? config.servers)?.[server];
if (!entry?.command) {
  console.error(`${file}: no stdio entry named ${server}`);
  process.exit(2);
}
// A Windows program path (C:\...) is reached through the drive's mount, as wsl-sim's README says.
const toLinux = (p) =>
  /^[A-Za-z]:\\/.test(p) ? `/mnt/${p[0].toLowerCase()}/${p.slice(3).replaceAll("\\", "/")}` : p;
const command = toLinux(entry.command);
const args = entry.args ?? [];
console.log(`entry ${server}: ${entry.command} ${args.join(" ")}`);
if (command !== entry.command) console.log(`started here as: ${command}`);

const child = spawn(command, args, { env: { ...process.env, ...(entry.env ?? {}) }, stdio: "pipe" });
let stderr = "";
child.stderr.on("data", (d) => {
  stderr += d;
});
const pending = new Map();
let buffer = "";
child.stdout.on("data", (d) => {
  buffer += d;
  for (let nl = buffer.indexOf("\n"); nl >= 0; nl = buffer.indexOf("\n")) {
    const line = buffer.slice(0, nl).trim();
    buffer = buffer.slice(nl + 1);
    if (!line) continue;
    const message = JSON.parse(line);
    if (message.id !== undefined && pending.has(message.id)) {
      pending.get(message.id)(message);
      pending.delete(message.id);
    }
  }
});
let nextId = 1;
const request = (method, params) =>
  new Promise((resolve, reject) => {
    const id = nextId++;
    const timer = setTimeout(() => reject(new Error(`${method}: no answer in 60 s`)), 60_000);
    pending.set(id, (m) => {
      clearTimeout(timer);
      resolve(m);
    });
    child.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", id, method, params })}\n`);
  });
const short = (s) => (s.length > 160 ? `${s.slice(0, 157)}...` : s);

let failed = false;
const t0 = Date.now();
try {
  const init = await request("initialize", {
    protocolVersion: "2025-06-18",
    capabilities: {},
    clientInfo: { name: "try-entry", version: "1" },
  });
  if (init.error) throw new Error(`initialize: ${init.error.message}`);
  const info = init.result.serverInfo;
  console.log(`initialize: ${info.name} ${info.version} (${Date.now() - t0} ms)`);
  child.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" })}\n`);
  const list = await request("tools/list", {});
  console.log(`tools/list: ${list.result.tools.map((t) => t.name).join(" ")}`);
  for (let i = 0; i < calls.length; i += 2) {
    const answer = await request("tools/call", { name: calls[i], arguments: JSON.parse(calls[i + 1]) });
    const r = answer.result;
    const text = answer.error
      ? `error ${answer.error.message}`
      : (r.content ?? []).map((c) => c.text ?? `[${c.type}]`).join(" ");
    if (answer.error || r.isError) failed = true;
    console.log(`${calls[i]}: ${r?.isError ? "(isError) " : ""}${short(text.replace(/\s+/g, " "))}`);
  }
} catch (error) {
  failed = true;
  console.log(`failed: ${error.message}`);
  if (stderr.trim()) console.log(`its stderr: ${short(stderr.trim().split("\n").slice(-3).join(" | "))}`);
}
child.stdin.end();
const code = await new Promise((resolve) => {
  const timer = setTimeout(() => child.kill("SIGTERM"), 10_000);
  child.on("exit", (c, signal) => {
    clearTimeout(timer);
    resolve(c ?? signal);
  });
});
console.log(`the entry's process ended (${code}) when its stdin closed`);
process.exit(failed ? 1 : 0);
