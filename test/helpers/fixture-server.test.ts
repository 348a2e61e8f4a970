import { Client } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { expect, inject, test } from "vitest";

test("the bundled fixture server completes a real MCP handshake", async () => {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [inject("fixtureScript")],
    stderr: "pipe",
  });
  const client = new Client({ name: "test", version: "0.0.0" });
  await client.connect(transport);
  try {
    const tools = await client.listTools();
    expect(tools.tools.map((t) => t.name).sort()).toEqual(["add", "echo", "env", "whoami"]);
    const result = await client.callTool({ name: "echo", arguments: { text: "hi" } });
    expect(result.content).toEqual([{ type: "text", text: "hi" }]);
  } finally {
    await client.close();
  }
});
