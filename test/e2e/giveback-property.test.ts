/**
 * Property (issue 9, "Done when"): for random configs — the shapes of real configs people wrote
 * (test/fixtures/corpus, with CRLF, BOM, tabs, trailing whitespace variants), random junk bytes
 * (invalid UTF-8 too) in comments outside JSON strings, and a hand-written entry with its own key —
 * `sync` then `uninstall` gives back the original bytes exactly, and no `--dry-run` output of those
 * runs (whose inputs hold secrets) shows any of them. The real CLI, on real files.
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { afterEach, expect, test } from "vitest";
import { applyEntryEdits, parseConfig } from "../../src/core/formats/json/merge.js";
import {
  createFakeMachine,
  type FakeMachine,
  runInProcessByDefault,
  writeManifest,
  writeSecrets,
} from "../helpers/fake-machine.js";

// mcp-twin runs in this process (test/helpers/in-process.ts); MCP_TWIN_TEST_CLI=binary runs the binary.
runInProcessByDefault();

const CORPUS = path.resolve(__dirname, "../fixtures/corpus");
const shapes = readdirSync(CORPUS)
  .filter((f) => f.endsWith(".json") && !f.startsWith("vscode--"))
  .map((f) => ({ name: f, text: readFileSync(path.join(CORPUS, f), "utf8") }))
  .filter(({ name, text }) => {
    try {
      parseConfig(text, name);
      return true;
    } catch {
      return false;
    }
  });

const variants: Record<string, (t: string) => string> = {
  "as written": (t) => t,
  CRLF: (t) => t.replace(/\r?\n/g, "\r\n"),
  BOM: (t) => `\uFEFF${t}`,
  tabs: (t) => t.replace(/^( +)/gm, (s) => "\t".repeat(Math.max(1, Math.round(s.length / 2)))),
  "no final newline": (t) => t.replace(/\s+$/, ""),
  "trailing blanks": (t) => `${t.replace(/\s+$/, "")}  \n\n`,
};

/** Secrets distinct from anything in the corpus (whose keys are redacted to x's). */
const secret = fc.stringMatching(/^[A-Za-z0-9_-]{10,28}$/).map((s) => `k7${s}Q`);

const machines: FakeMachine[] = [];
afterEach(() => {
  for (const m of machines.splice(0)) m.cleanup();
});

/** Junk in a block comment at the start of a line (never inside a string: JSON strings are one line). */
function withJunk(text: string, junk: Array<{ line: number; bytes: Uint8Array }>): Buffer {
  const bom = text.startsWith("\uFEFF");
  const body = Buffer.from(bom ? text.slice(1) : text, "utf8");
  const starts = [0];
  for (let i = 0; i < body.length; i++) if (body[i] === 0x0a) starts.push(i + 1);
  const at = new Map<number, Buffer[]>();
  for (const j of junk) {
    const start = starts[j.line % starts.length]!;
    // "*/" would end the comment early: no "/" in the junk.
    const bytes = Buffer.from(j.bytes.map((b) => (b === 0x2f ? 0x2e : b)));
    at.set(start, [...(at.get(start) ?? []), Buffer.concat([Buffer.from("/*"), bytes, Buffer.from("*/")])]);
  }
  const parts: Buffer[] = bom ? [Buffer.from([0xef, 0xbb, 0xbf])] : [];
  let last = 0;
  for (const start of [...at.keys()].sort((a, b) => a - b)) {
    parts.push(body.subarray(last, start), ...at.get(start)!);
    last = start;
  }
  parts.push(body.subarray(last));
  return Buffer.concat(parts);
}

test("sync then uninstall gives back the original bytes; no dry run shows a secret", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...shapes),
      fc.constantFrom(...Object.keys(variants)),
      fc.array(fc.record({ line: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }), {
        maxLength: 3,
      }),
      fc.tuple(secret, secret, secret),
      fc.boolean(),
      async (shape, variant, junk, [toolKey, docsToken, handKey], withHandEntry) => {
        let text = variants[variant]!(shape.text);
        if (withHandEntry)
          text = applyEntryEdits(
            text,
            ["mcpServers"],
            [{ name: "hand-written", value: { command: "their-server", env: { HAND_KEY: handKey } } }],
            shape.name,
          );
        const original = withJunk(text, junk);

        const m = createFakeMachine({ kind: "linux" });
        machines.push(m);
        // `share: off`: the keys resolved into the entries, so the dry runs hold them (what must not
        // show), and no bridge started per run (this property is about the user's bytes).
        writeManifest(m, {
          servers: {
            "prop-tool": {
              command: "uvx",
              args: ["tool-mcp"],
              env: { TOOL_KEY: "${secret:TOOL_KEY}" },
              share: "off",
            },
            "prop-docs": {
              url: "https://docs.example.com/mcp",
              headers: { Authorization: "Bearer ${secret:DOCS_TOKEN}" },
              share: "off",
            },
          },
        });
        writeSecrets(m, { TOOL_KEY: toolKey, DOCS_TOKEN: docsToken });
        const file = m.paths.claudeCodeConfig;
        writeFileSync(file, original, { mode: 0o600 });
        const secrets = [toolKey, docsToken, ...(withHandEntry ? [handKey] : [])];
        const noSecret = (what: string, r: { stdout: string; stderr: string }) => {
          for (const s of secrets) expect(r.stdout + r.stderr, `${what} shows a secret`).not.toContain(s);
        };

        const dry = await m.run(["sync", "--dry-run"]);
        expect(dry.code, dry.stderr).toBe(0);
        noSecret("sync --dry-run", dry);
        const sync = await m.run(["sync"]);
        expect(sync.code, sync.stderr).toBe(0);
        expect(readFileSync(file)).not.toEqual(original);
        noSecret("restore --dry-run", await m.run(["restore", "--dry-run"]));
        noSecret("uninstall --dry-run", await m.run(["uninstall", "--dry-run"]));
        const u = await m.run(["uninstall", "--yes"]);
        expect(u.code, u.stderr).toBe(0);
        const back = readFileSync(file);
        expect(back.equals(original), `${shape.name} (${variant}): not the same bytes after uninstall`).toBe(
          true,
        );
      },
    ),
    { numRuns: Number(process.env.PROP_RUNS ?? 24) },
  );
}, 300_000);
