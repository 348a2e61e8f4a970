/** The name `add <url>` gives a remote server: its host's telling label, else "remote" (said so). */
import { expect, test } from "vitest";
import { nameFromUrl } from "../../src/core/manifest/url-name.js";

test.each([
  ["https://mcp.linear.app/mcp", "linear"],
  ["https://api.githubcopilot.com/mcp/", "githubcopilot"],
  ["https://mcp.notion.com/mcp", "notion"],
  ["https://mcp.atlassian.com/v1/sse", "atlassian"],
  ["https://docs.mcp.cloudflare.com/mcp", "docs"],
  ["https://example.com/mcp", "example"],
  ["https://My_Server.Example.org/mcp", "my_server"],
  ["http://localhost:3000/mcp", "localhost"],
  ["http://127.0.0.1:44419/mcp", "remote"],
  ["http://[::1]:8080/mcp", "remote"],
  ["https://mcp.app/mcp", "mcp"],
])("%s is %s", (url, name) => {
  expect(nameFromUrl(url)).toEqual({ name, fromHost: name !== "remote" });
});
