/**
 * adopt's merge, case by case: each changed value goes where the manifest defines it (an override
 * for the entry's environment, else the server's own fields), what did not change keeps the
 * manifest's text, a new value behind an existing `${secret:X}` is a new value for X, and another
 * package replaces the launch.
 */
import { describe, expect, test } from "vitest";
import { adoptMerge, matchTemplate, type ReadEntry } from "../../src/core/import/adopt-merge.js";
import type { Form, SecretUse } from "../../src/core/import/inline-keys.js";

const form = (f: Partial<Form>): Form => ({
  kind: "package",
  package: "pkg",
  range: "",
  args: [],
  env: {},
  headers: {},
  ...f,
});
const entry = (f: Partial<Form>, uses: SecretUse[] = [], via = "node <installed script>"): ReadEntry => ({
  form: form(f),
  uses,
  via,
});
const resolve = (t: string) => t.replace("${secret:TOKEN}", "old-token").replace("${env:HOME}", "/home/bob");

describe("adoptMerge", () => {
  test("a changed arg defined in the environment's override goes there; the rest stays", () => {
    const spec = {
      package: "pkg@1.0.0",
      args: ["/home/bob/docs"],
      overrides: { windows: { args: ["C:\\Users\\alice\\docs"] } },
    };
    const merge = adoptMerge({
      spec,
      runsIn: "windows",
      now: entry({ args: ["C:\\Users\\alice\\docs", "--read-only"] }),
      before: entry({ args: ["C:\\Users\\alice\\docs"] }),
      resolve,
    });
    expect(merge.edits).toEqual([
      { path: ["overrides", "windows", "args"], value: ["C:\\Users\\alice\\docs", "--read-only"] },
    ]);
    expect(merge.replaced).toBe(false);
  });

  test("a new value behind an existing reference is a new value for that secret, the reference kept", () => {
    const merge = adoptMerge({
      spec: { url: "https://x.example/mcp", headers: { Authorization: "Bearer ${secret:TOKEN}" } },
      runsIn: "windows",
      now: entry(
        { kind: "url", url: "https://x.example/mcp", headers: { Authorization: "Bearer ${secret:X_TOKEN}" } },
        [{ name: "X_TOKEN", value: "new-token", field: "headers.Authorization" }],
        "url (http)",
      ),
      before: undefined,
      resolve,
    });
    expect(merge.edits).toEqual([]);
    expect(merge.rotations).toEqual({ TOKEN: "new-token" });
    expect(merge.changes).toEqual(["headers.Authorization: a new value for TOKEN"]);
  });

  test("unchanged values keep the manifest's text (references too); a removed one is removed where defined", () => {
    const merge = adoptMerge({
      spec: {
        package: "pkg",
        env: { ROOT: "${env:HOME}", DEBUG: "1" },
        overrides: { wsl: { env: { MODE: "x" } } },
      },
      runsIn: "wsl:Ubuntu",
      now: entry({ env: { ROOT: "/home/bob", DEBUG: "1", WSLENV: "ROOT/u" } }),
      before: entry({ env: { ROOT: "/home/bob", DEBUG: "1", MODE: "x", WSLENV: "ROOT/u:DEBUG/u" } }),
      resolve,
    });
    expect(merge.edits).toEqual([{ path: ["overrides", "wsl", "env", "MODE"], remove: true }]);
  });

  test("npx naming another version pins it; the installed script's version does not", () => {
    const spec = { package: "pkg@1.0.0" };
    const pinned = adoptMerge({
      spec,
      runsIn: "windows",
      now: entry({ range: "2.0.0" }, [], "npx"),
      before: undefined,
      resolve,
    });
    expect(pinned.edits).toEqual([{ path: ["package"], value: "pkg@2.0.0" }]);
    const installed = adoptMerge({
      spec,
      runsIn: "windows",
      now: entry({ range: "1.0.1" }),
      before: undefined,
      resolve,
    });
    expect(installed.edits).toEqual([]);
  });

  test("another package replaces the launch and drops the overrides; new keys are new references", () => {
    const merge = adoptMerge({
      spec: {
        package: "pkg",
        description: "mine",
        clients: ["cursor"],
        overrides: { windows: { args: ["a"] } },
      },
      runsIn: "windows",
      now: entry({ package: "other", env: { OTHER_KEY: "${secret:OTHER_KEY}" } }, [
        { name: "OTHER_KEY", value: "sk-secret", field: "env.OTHER_KEY" },
      ]),
      before: undefined,
      resolve,
    });
    expect(merge.replaced).toBe(true);
    expect(merge.edits).toEqual([
      { path: ["package"], remove: true },
      { path: ["overrides"], remove: true },
      { path: ["package"], value: "other" },
      { path: ["env"], value: { OTHER_KEY: "${secret:OTHER_KEY}" } },
    ]);
    expect(merge.newSecrets).toEqual([{ name: "OTHER_KEY", value: "sk-secret" }]);
  });

  test.each([
    ["${secret:X}", "abc", { X: "abc" }],
    ["Bearer ${secret:X}", "Bearer abc", { X: "abc" }],
    ["Bearer ${secret:X}", "Token abc", undefined],
    ["${secret:X}:${secret:Y}", "a:b", undefined],
    ["${env:X}", "abc", undefined],
    ["plain", "other", undefined],
  ])("matchTemplate(%j, %j)", (template, value, expected) =>
    expect(matchTemplate(template, value)).toEqual(expected),
  );
});
