import { InMemoryTransport, McpServer } from "@modelcontextprotocol/server";
import { describe, expect, test } from "vitest";
import { type Descriptor, handshake } from "../../../src/bridge-server/route/handshake.js";

const described: Descriptor = {
  serverInfo: { name: "fixture", version: "1.2.3" },
  capabilities: { tools: { listChanged: true }, logging: {} },
  instructions: "Use echo.",
};

describe("initialize", () => {
  test.each(["2025-11-25", "2025-06-18", "2024-11-05", "1999-01-01"])(
    "a client asking %s gets the revision the SDK's server would give",
    async (asked) => {
      const sdk = new McpServer(described.serverInfo, {
        capabilities: described.capabilities,
        instructions: described.instructions,
      });
      const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
      await sdk.connect(serverSide);
      const answered = new Promise<unknown>((resolve) => {
        clientSide.onmessage = (m) => resolve(m);
      });
      await clientSide.start();
      await clientSide.send({
        jsonrpc: "2.0",
        id: 1,
        method: "initialize",
        params: { protocolVersion: asked, capabilities: {}, clientInfo: { name: "t", version: "1" } },
      });
      const fromSdk = ((await answered) as { result: Record<string, unknown> }).result;
      await sdk.close();
      const ours = handshake("initialize", { protocolVersion: asked }, described);
      expect(ours).toEqual({ kind: "answer", result: fromSdk });
    },
  );
});

test("server/discover names 2026-07-28 and what the server said; ping is empty; others go upstream", () => {
  expect(handshake("server/discover", undefined, described)).toEqual({
    kind: "answer",
    result: {
      supportedVersions: ["2026-07-28"],
      capabilities: described.capabilities,
      instructions: "Use echo.",
    },
  });
  expect(handshake("ping", undefined, described)).toEqual({ kind: "answer", result: {} });
  expect(handshake("tools/list", undefined, described)).toBeUndefined();
  expect(handshake("tools/call", { name: "echo" }, described)).toBeUndefined();
});

test("logging/setLevel: a level for a server that logs; a bad level, or a server that does not log, an error", () => {
  expect(handshake("logging/setLevel", { level: "warning" }, described)).toEqual({
    kind: "level",
    level: "warning",
    result: {},
  });
  expect(handshake("logging/setLevel", { level: "loud" }, described)).toMatchObject({
    kind: "error",
    code: -32602,
  });
  const silent = { ...described, capabilities: { tools: {} } };
  expect(handshake("logging/setLevel", { level: "info" }, silent)).toMatchObject({
    kind: "error",
    code: -32601,
  });
});
