/**
 * docs/clients.md's table and sources are the client modules' own (`npm run docs:clients` writes
 * them): the page must be what they give, every client cites where its facts come from, and the
 * README says how many clients there are and links the table.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, test } from "vitest";
import { GENERATED } from "../../src/core/clients/clients-docs.js";
import { CLIENTS } from "../../src/core/clients/index.js";

const REPO = path.join(import.meta.dirname, "..", "..");

test("docs/clients.md is what `npm run docs:clients` writes", () => {
  for (const { file, apply } of GENERATED) {
    const text = readFileSync(path.join(REPO, file), "utf8");
    expect(apply(text), `${file} is stale: run \`npm run docs:clients\``).toBe(text);
  }
});

test("every client's row names it, its id and its sources, and each source is a URL", () => {
  const docs = readFileSync(path.join(REPO, "docs", "clients.md"), "utf8");
  for (const c of CLIENTS) {
    expect(docs).toContain(`| ${c.name} (\`${c.id}\`)`);
    expect(c.sources?.length, `${c.id} cites no source`).toBeGreaterThan(0);
    for (const s of c.sources ?? []) expect(s.url).toMatch(/^https:\/\/\S+$/);
    expect(docs).toContain(`### Sources: ${c.id}\n`);
  }
});

test("the README says how many clients there are and links the table", () => {
  const readme = readFileSync(path.join(REPO, "README.md"), "utf8");
  expect(readme).toContain(
    `Clients: ${CLIENTS.length} of them ([the table](docs/clients.md#the-clients-and-their-files))`,
  );
});
