/**
 * What `add` shows a server will run (ui/reports/server-launch.ts): values as written, references
 * as references, only secrets masked — by the one rule for secret names (secrets/placeholders.ts).
 */
import { expect, test } from "vitest";
import { launchLines } from "../../src/ui/reports/server-launch.js";

test("a command: arguments quoted as a shell reads them, a secret flag's value masked", () => {
  expect(
    launchLines({
      command: "uvx",
      args: [
        "srv@1.0",
        "--api-key",
        "sk-live-123",
        "--token=abc123",
        "--name",
        "two words",
        "",
        "--pat",
        "${secret:PAT}",
      ],
      env: { NODE_OPTIONS: "--require /tmp/x.js", GITHUB_TOKEN: "ghp_literal", API_KEY: "${secret:API_KEY}" },
    }),
  ).toEqual([
    "  runs  uvx",
    '  args  srv@1.0 --api-key ******** --token=******** --name "two words" "" --pat "${secret:PAT}"',
    "  env   NODE_OPTIONS=--require /tmp/x.js",
    "        GITHUB_TOKEN=********",
    "        API_KEY=${secret:API_KEY}",
  ]);
});

test("a remote: URL and transport, headers; Bearer with a reference is shown, a literal one masked", () => {
  expect(
    launchLines({
      url: "https://x.example/sse",
      transport: "sse",
      headers: { Authorization: "Bearer ${secret:X}", "X-Api-Key": "literal-key", "X-Client": "mcp-twin" },
    }),
  ).toEqual([
    "  url     https://x.example/sse (SSE)",
    "  header  Authorization: Bearer ${secret:X}",
    "          X-Api-Key: ********",
    "          X-Client: mcp-twin",
  ]);
});

test("an npm package: run with node, its bin named", () => {
  expect(launchLines({ package: "pkg@1.2.3", bin: "pkg-mcp" })).toEqual([
    "  runs  npm package pkg@1.2.3 (its bin pkg-mcp), with node",
  ]);
});
