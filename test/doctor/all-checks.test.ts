/**
 * Check ids are a contract, and the registry is their one source: docs/doctor.md's list of checks
 * is generated from it (`npm run docs:doctor`) and must not go stale.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, test } from "vitest";
import { clientById } from "../../src/core/clients/index.js";
import { CHECKS, runScope } from "../../src/core/doctor/all-checks.js";
import { GENERATED, withGenerated } from "../../src/core/doctor/docs.js";
import { emptyFacts } from "../../src/core/doctor/facts.js";
import { docFix } from "../../src/core/doctor/finding-words.js";
import { finding } from "../../src/core/doctor/types.js";
import { REPO } from "../helpers/fake-machine.js";

test("every check has a unique id of the form area.name and says what it finds", () => {
  const ids = CHECKS.map((c) => c.id);
  expect(new Set(ids).size).toBe(ids.length);
  for (const c of CHECKS) {
    expect(c.id).toMatch(/^[a-z]+\.[a-z-]+$/);
    expect(c.doc.length, c.id).toBeGreaterThan(20);
  }
});

test("docs/doctor.md is what `npm run docs:doctor` writes, and the only file it writes", () => {
  expect(GENERATED.map((g) => g.file)).toEqual(["docs/doctor.md"]);
  for (const { file, apply } of GENERATED) {
    const text = readFileSync(path.join(REPO, file), "utf8");
    expect(apply(text), `${file} is stale: run \`npm run docs:doctor\``).toBe(text);
  }
  const docs = readFileSync(path.join(REPO, "docs", "doctor.md"), "utf8");
  for (const c of CHECKS) expect(docs).toContain(`- \`${c.id}\` (`);
  // The README is a landing page: it links docs/doctor.md for the ids rather than listing them.
  expect(readFileSync(path.join(REPO, "README.md"), "utf8")).not.toContain("<!-- generated");
});

test("a stale list is caught, and missing markers are an error", () => {
  const { apply } = GENERATED[0]!;
  const text = readFileSync(path.join(REPO, "docs", "doctor.md"), "utf8");
  const stale = text.replace(/^- `probe\.stdout`.*\n/m, "");
  expect(stale).not.toBe(text);
  expect(apply(stale)).toBe(text);
  expect(() => withGenerated("no markers here", "checks", "x")).toThrow(/markers/);
});

test("a failure is never made without its fix: the report's last line sends the user to the → lines", () => {
  // The type asks for it (tsc, in `npm run lint`, fails on this line when it does not).
  // @ts-expect-error a failure without a fix
  const bare = finding("fail", {}, "broken.");
  expect(bare.fix).toBeUndefined();
  expect(finding("fail", {}, "broken.", { fix: "Mend it." }).fix).toBe("Mend it.");
  // A cause that brought no fix of its own gets the check's documented one.
  expect(docFix("fix it at that position")).toBe("Fix it at that position.");
});

test("a client that moved is said once by doctor, however many of its files it finds; one that did not, never", () => {
  const moved = ["continue", "roo-code", "goose", "amp", "gemini-cli"] as const;
  // Goose's move is said where its file holds an extension of a type 1.49 removed (written by hand).
  const removedType = "extensions:\n  old:\n    type: sse\n    uri: http://localhost:8080/sse\n";
  const config = (id: string, env: string, text = id === "goose" ? removedType : "{}") => ({
    config: { target: { client: clientById(id), env: { id: env } }, text },
  });
  const facts = {
    ...emptyFacts(),
    configs: [...moved.flatMap((id) => [config(id, "windows"), config(id, "wsl")]), config("zed", "wsl")],
  } as unknown as Parameters<typeof runScope<"machine">>[1];
  const found = runScope("machine", facts).filter((c) => c.id === "client.moved");
  expect(found.map((c) => [c.client, c.status])).toEqual(moved.map((id) => [id, "warn"]));
  for (const c of found) expect(c.message).toBe(clientById(c.client!)?.notice);
  // Each names where to go or what changed: a successor, a package, the removed types.
  expect(found.map((c) => c.message).join("\n")).toMatch(
    /Cursor[\s\S]*Zoo Code[\s\S]*sse[\s\S]*@ampcode\/cli[\s\S]*agy/,
  );
  // A Goose file with stdio and streamable_http extensions only: nothing to say.
  const fine = {
    ...emptyFacts(),
    configs: [config("goose", "wsl", "extensions:\n  fx:\n    type: stdio\n")],
  };
  expect(runScope("machine", fine as unknown as Parameters<typeof runScope<"machine">>[1])).toEqual(
    expect.not.arrayContaining([expect.objectContaining({ id: "client.moved" })]),
  );
});
