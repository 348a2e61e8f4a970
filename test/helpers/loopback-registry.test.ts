import { execFileSync } from "node:child_process";
import { expect, inject, test } from "vitest";

test("the loopback registry serves the packed fixture", () => {
  const out = execFileSync("npm", ["view", inject("fixtureName"), "versions", "--json"], {
    env: {
      ...process.env,
      npm_config_registry: inject("registryUrl"),
      npm_config_cache: "/tmp/mcp-twin-test-npm-cache",
    },
    encoding: "utf8",
  });
  expect(JSON.parse(out)).toEqual(["1.0.0", "1.1.0"]);
});
