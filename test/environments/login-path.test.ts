/**
 * The PATH the bridge's start at logon carries (core/environments/login-path.ts), pure: only the
 * folders it needs, in the shell's order.
 */
import { describe, expect, test } from "vitest";
import { carriedPath } from "../../src/core/environments/login-path.js";

describe("the PATH a start at logon carries", () => {
  test("only node's folder, the folders of the programs the bridge runs and the system's, in sync's order", () => {
    const shell = [
      "/home/ann/project/.venv/bin",
      "/home/ann/.local/bin",
      "/home/ann/.nvm/versions/node/v22/bin",
      "/usr/local/bin",
      "/usr/bin",
      "/bin",
      "/mnt/c/Windows/system32",
      "/mnt/c/Program Files/Docker/resources/bin",
    ].join(":");
    expect(carriedPath(shell, "/home/ann/.nvm/versions/node/v22/bin", ["/home/ann/.local/bin"])).toBe(
      "/home/ann/.local/bin:/home/ann/.nvm/versions/node/v22/bin:/usr/local/bin:/usr/bin:/bin",
    );
  });

  test("node's folder first when the shell's PATH lacks it; each folder once", () => {
    expect(carriedPath("/usr/bin:/usr/bin/:/opt/x", "/opt/node/bin", [])).toBe("/opt/node/bin:/usr/bin");
  });
});
