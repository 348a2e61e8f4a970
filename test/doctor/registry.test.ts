/** Check ids are a contract: every id the code emits is registered, documented and in the README. */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { expect, test } from "vitest";
import { CHECK_IDS } from "../../src/core/doctor/registry.js";
import { REPO } from "../helpers/fake-machine.js";

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory()
      ? sources(path.join(dir, d.name))
      : d.name.endsWith(".ts")
        ? [path.join(dir, d.name)]
        : [],
  );
}

test("every emitted check id is registered, and every registered id is emitted", () => {
  const emitted = new Set<string>();
  for (const file of sources(path.join(REPO, "src", "core", "doctor")))
    for (const m of readFileSync(file, "utf8").matchAll(/check\(\s*"([a-z]+\.[a-z-]+)"/g)) emitted.add(m[1]!);
  expect([...emitted].sort()).toEqual(Object.keys(CHECK_IDS).sort());
});

test("docs/doctor.md and the README list every check id", () => {
  const docs = readFileSync(path.join(REPO, "docs", "doctor.md"), "utf8");
  const readme = readFileSync(path.join(REPO, "README.md"), "utf8");
  for (const id of Object.keys(CHECK_IDS)) {
    expect(docs, id).toMatch(new RegExp(`^- \`${id.replace(".", "\\.")}\` — `, "m"));
    expect(readme, id).toContain(`\`${id}\``);
  }
});
