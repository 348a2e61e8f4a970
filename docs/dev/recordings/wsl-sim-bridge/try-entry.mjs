// Start one client's `mcp-twin` entry the way that client would (command + args from its config
// file, no shell), do an MCP handshake, call one tool, print one line. Usage:
//   node try-entry.mjs <label> <config file> <tool> '<json arguments>'
import { readFileSync } from "node:fs";

// The SDK of the repository this script sits in (four folders up: docs/dev/recordings/wsl-sim-bridge/).
const sdk = new URL("../../../../node_modules/@modelcontextprotocol/sdk/dist/esm", import.meta.url).href;
const { Client } = await import(`${sdk}/client/index.js`);
const { StdioClientTransport } = await import(`${sdk}/client/stdio.js`);
const [label, file, tool, args] = process.argv.slice(2);
const entry = JSON.parse(readFileSync(file, "utf8")).mcpServers["mcp-twin"];
const transport = new StdioClientTransport({
  command: entry.command,
  args: entry.args ?? [],
  env: { ...process.env, ...(entry.env ?? {}) },
  stderr: "pipe",
});
let err = "";
transport.stderr?.on("data", (c) => (err += c));
const client = new Client({ name: label, version: "1" });
const t = Date.now();
try {
  await client.connect(transport);
  const r = await client.callTool({ name: tool, arguments: JSON.parse(args ?? "{}") });
  console.log(
    `${label}: ${entry.command} ${(entry.args ?? []).slice(-2).join(" ")} → ${tool} ${r.content[0].text} (${Date.now() - t} ms)`,
  );
} catch (e) {
  console.log(`${label}: FAILED ${e.message}\n${err}`);
  process.exitCode = 1;
} finally {
  await client.close();
}
if (err.trim())
  console.log(
    err
      .trim()
      .split("\n")
      .map((l) => `  [${label} stderr] ${l}`)
      .join("\n"),
  );
