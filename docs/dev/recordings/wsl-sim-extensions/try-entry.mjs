// Start one entry of a client's config file the way that client would (command + args + env from
// the file, no shell), do an MCP handshake, call one tool, print where the server runs. Usage:
//   node try-entry.mjs <label> <config file> <servers key> <server> <tool> '<json arguments>'
import { readFileSync } from "node:fs";

// The SDK of the repository this script sits in (four folders up).
const sdk = new URL("../../../../node_modules/@modelcontextprotocol/sdk/dist/esm", import.meta.url).href;
const { Client } = await import(`${sdk}/client/index.js`);
const { StdioClientTransport } = await import(`${sdk}/client/stdio.js`);
const [label, file, key, name, tool, args] = process.argv.slice(2);
const entry = JSON.parse(readFileSync(file, "utf8"))[key][name];
const transport = new StdioClientTransport({
  command: entry.command,
  args: entry.args ?? [],
  env: { ...process.env, ...(entry.env ?? {}) },
  stderr: "pipe",
});
let err = "";
transport.stderr?.on("data", (c) => (err += c));
const client = new Client({ name: label, version: "1" });
try {
  await client.connect(transport);
  const r = await client.callTool({ name: tool, arguments: JSON.parse(args ?? "{}") });
  const text = r.content
    .map((c) => c.text ?? "")
    .join(" ")
    .replace(/\s+/g, " ")
    .slice(0, 160);
  console.log(`${label}: ${name} = ${entry.command} ${(entry.args ?? []).slice(0, 4).join(" ")} …`);
  console.log(`  ${tool} → ${text}`);
} catch (e) {
  console.log(`${label}: ${name} FAILED ${e.message}\n${err}`);
  process.exitCode = 1;
} finally {
  await client.close();
}
