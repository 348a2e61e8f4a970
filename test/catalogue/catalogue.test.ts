/** The catalogue is data: every template validates and makes a valid manifest server. */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import {
  catalogueMatch,
  checkInput,
  checkSecret,
  instantiate,
  loadCatalogue,
  searchTemplates,
} from "../../src/core/catalogue/index.js";
import { templateJsonSchema } from "../../src/core/catalogue/schema.js";
import { serverSchema } from "../../src/core/manifest/schema.js";
import { REPO } from "../helpers/fake-machine.js";

const tmp = mkdtempSync(path.join(os.tmpdir(), "mcp-twin-catalogue-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const { templates, problems } = loadCatalogue();

test("at least 15 templates, all valid, no problems", () => {
  expect(problems).toEqual([]);
  expect(templates.length).toBeGreaterThanOrEqual(15);
  expect(templates.length).toBe(readdirSync(path.join(REPO, "templates")).length);
});

test("memory and tavily are exactly what users expect", () => {
  const memory = templates.find((t) => t.name === "memory")!;
  expect(memory.server.package).toMatch(/^@modelcontextprotocol\/server-memory@\d/);
  const tavily = templates.find((t) => t.name === "tavily")!;
  expect(tavily.server.package).toMatch(/^tavily-mcp@/);
  expect(tavily.secrets?.map((s) => s.name)).toEqual(["TAVILY_API_KEY"]);
});

describe.each(templates.map((t) => [t.name, t] as const))("%s", (_name, template) => {
  test("instantiates into a valid manifest server", () => {
    const inputs = Object.fromEntries(
      Object.entries(template.inputs ?? {}).map(([k, spec]) => [
        k,
        spec.type === "folder" ? tmp : spec.type === "url" ? "https://example.com" : "abcdefghijklmnopqrst",
      ]),
    );
    const made = instantiate(template, { inputs }, tmp);
    expect(serverSchema.safeParse(made.server).success).toBe(true);
    expect(JSON.stringify(made.server)).not.toContain("${input:");
    // every secret it refers to is declared with where to get it
    for (const ref of JSON.stringify(made.server).matchAll(/\$\{secret:(\w+)\}/g)) {
      expect(made.secrets.find((s) => s.name === ref[1])?.url).toMatch(/^https:/);
    }
  });

  test("points at the shipped template schema", () => {
    const text = readFileSync(path.join(REPO, "templates", `${template.name}.jsonc`), "utf8");
    expect(text).toContain('"$schema": "../schema/template.schema.json"');
  });
});

test("a third-party template is one file in <home>/templates; a broken one is reported and skipped", () => {
  const home = path.join(tmp, "home");
  mkdirSync(path.join(home, "templates"), { recursive: true });
  writeFileSync(
    path.join(home, "templates", "acme.jsonc"),
    '// ours\n{ "name": "acme", "title": "Acme", "description": "Acme search", "homepage": "https://acme.example", "runtime": "node",\n  "server": { "package": "acme-mcp@1.0.0" } }\n',
  );
  writeFileSync(path.join(home, "templates", "broken.jsonc"), '{\n  "name": "broken",\n  "title": oops\n}\n');
  const c = loadCatalogue({ homeDir: home });
  expect(c.templates.map((t) => t.name)).toContain("acme");
  expect(c.problems).toEqual([
    { file: path.join(home, "templates", "broken.jsonc"), line: 3, column: 12, message: "not valid JSON(C)" },
  ]);
  expect(searchTemplates(c.templates, "acme")).toHaveLength(1);
});

test("inputs and secrets are checked", () => {
  expect(checkInput({ type: "folder", description: "d" }, tmp, tmp)).toBeUndefined();
  expect(checkInput({ type: "folder", description: "d" }, path.join(tmp, "nope"), tmp)).toMatch(
    /does not exist/,
  );
  expect(checkInput({ type: "url", description: "d" }, "ftp://x", tmp)).toMatch(/http/);
  expect(checkInput({ type: "string", description: "d", pattern: "^[a-z]{3}$" }, "abcd", tmp)).toMatch(
    /does not look right/,
  );
  const spec = {
    name: "TAVILY_API_KEY",
    description: "d",
    url: "https://x",
    pattern: "^tvly-[A-Za-z0-9_-]{8,}$",
  };
  expect(checkSecret(spec, "tvly-abcdefgh1234")).toBeUndefined();
  expect(checkSecret(spec, "your-api-key")).toMatch(/placeholder/);
  expect(checkSecret(spec, "abc")).toMatch(/does not look like/);
});

test("an optional secret left out drops what refers to it", () => {
  const context7 = templates.find((t) => t.name === "context7")!;
  expect(instantiate(context7, { withoutSecrets: ["CONTEXT7_API_KEY"] }, tmp).server).toEqual({
    package: context7.server.package,
    share: "machine",
  });
});

test("the committed template JSON Schema is the generated one", () => {
  expect(JSON.parse(readFileSync(path.join(REPO, "schema", "template.schema.json"), "utf8"))).toEqual(
    templateJsonSchema(),
  );
});

test.each([
  ["io.github.github/github-mcp-server", "github"],
  ["io.github.tavily-ai/tavily-search", "tavily"],
  ["io.github.modelcontextprotocol/server-memory", "memory"],
  ["io.github.modelcontextprotocol/server-sequential-thinking", "sequential-thinking"],
  ["io.github.someone/memory", undefined],
  ["io.github.modelcontextprotocol/inspector", undefined],
  ["com.example/weather", undefined],
])("the registry's %s is the catalogue's %s", (name, expected) => {
  expect(catalogueMatch(name, templates)?.name).toBe(expected);
});

describe("share defaults", () => {
  test("every template of a server mcp-twin starts, and every remote with a key, says how it is shared, and why", () => {
    for (const t of templates) {
      const keyed = JSON.stringify(t.server).includes("${secret:");
      if (t.server.url === undefined || keyed) expect(t.share?.why.length, t.name).toBeGreaterThan(10);
      // A keyed remote goes through the bridge, which adds its key: no client's file holds it.
      if (t.server.url !== undefined && keyed) expect(t.share?.mode, t.name).toBe("machine");
    }
    const mode = (name: string) => templates.find((t) => t.name === name)?.share?.mode;
    // State meant to be common, or none: one process; per-conversation state: one per session.
    expect(["memory", "tavily", "context7", "notion", "brave-search"].map(mode)).toEqual(
      Array(5).fill("machine"),
    );
    expect(["playwright", "sequential-thinking"].map(mode)).toEqual(["session", "session"]);
  });

  test("a template sharing a url server per project is refused (a remote has no folder)", () => {
    const dir = path.join(tmp, "url-share");
    mkdirSync(path.join(dir, "templates"), { recursive: true });
    writeFileSync(
      path.join(dir, "templates", "remote-x.jsonc"),
      JSON.stringify({
        name: "remote-x",
        title: "X",
        description: "x",
        homepage: "https://example.com",
        runtime: "remote",
        share: { mode: "project", why: "no" },
        server: { url: "https://example.com/mcp" },
      }),
    );
    const { problems } = loadCatalogue({ homeDir: dir });
    expect(problems.map((p) => p.message).join("\n")).toMatch(/a url server has no project folder/);
  });

  test("a template's wrong value is said in the product's words, not zod's", () => {
    const dir = path.join(tmp, "wrong-type");
    mkdirSync(path.join(dir, "templates"), { recursive: true });
    writeFileSync(
      path.join(dir, "templates", "t.jsonc"),
      JSON.stringify({
        name: "t",
        title: "T",
        description: "t",
        homepage: "https://example.com",
        runtime: 5,
      }),
    );
    const [problem] = loadCatalogue({ homeDir: dir }).problems;
    expect(problem?.message).toMatch(/^runtime: must be one of .*, not 5$/);
    expect(problem?.message).not.toMatch(/Invalid|expected \w+, received/);
  });
});
