/**
 * What says an npm package is an MCP server mcp-twin can run: a program to start (its bin), and
 * anything in npm's metadata that says MCP.
 */
import { expect, test } from "vitest";
import { parseNpmView } from "../../src/core/packages/npm-view.js";
import { serverEvidence } from "../../src/core/packages/server-evidence.js";

test("a library with no bin is not runnable, and nothing says MCP", () => {
  const lookup = parseNpmView(
    0,
    JSON.stringify({
      name: "lodash",
      version: "4.17.21",
      keywords: ["modules", "stdlib", "util"],
      description: "Lodash modular utilities.",
    }),
    "",
  );
  expect(lookup).toMatchObject({ found: true, keywords: ["modules", "stdlib", "util"] });
  if (!lookup.found) throw new Error("not found");
  expect(serverEvidence(lookup.name, lookup)).toEqual({ runnable: false, signs: [] });
});

test("each sign is named: mcpName, a keyword, the name, the description, the SDK", () => {
  expect(
    serverEvidence("@acme/thing", {
      bin: { thing: "dist/index.js" },
      mcpName: "io.github.acme/thing",
      keywords: ["Model Context Protocol"],
      description: "An MCP server for things",
      dependencies: { "@modelcontextprotocol/sdk": "1.0.0" },
    }),
  ).toEqual({
    runnable: true,
    signs: [
      "it is published in the MCP Registry as io.github.acme/thing",
      "its keywords say Model Context Protocol",
      "its description says MCP",
      "it is built on @modelcontextprotocol/sdk",
    ],
  });
  expect(serverEvidence("tavily-mcp", { bin: "index.js" })).toEqual({
    runnable: true,
    signs: ["its name says mcp"],
  });
  // A program, and nothing about MCP: runnable, no sign.
  expect(serverEvidence("left-pad-cli", { bin: { "left-pad": "cli.js" }, keywords: ["pad"] })).toEqual({
    runnable: true,
    signs: [],
  });
});

test("fields of the wrong type are left out, not trusted", () => {
  const lookup = parseNpmView(
    0,
    JSON.stringify({ name: "x", version: "1.0.0", bin: 5, keywords: "mcp", dependencies: ["a"] }),
    "",
  );
  expect(lookup).toEqual({ found: true, name: "x", version: "1.0.0" });
});

test("a server built on the SDK's v2 server package (protocol 2026-07-28) is one too", () => {
  expect(
    serverEvidence("@acme/weather", {
      bin: { weather: "dist/index.js" },
      dependencies: { "@modelcontextprotocol/server": "2.4.0", zod: "4.2.0" },
    }),
  ).toEqual({ runnable: true, signs: ["it is built on @modelcontextprotocol/server"] });
});
