/**
 * The YAML engine over seeded random files shaped as Continue's and Goose's configs: written by the
 * `yaml` library with 2 or 4 spaces, lists under their key or indented, then given comments at the
 * ends of lines (spaces and tabs), comment lines at any indentation, blank lines, a trailing comment
 * block, document markers, CRLF, no final newline. For each: an entry added keeps every line in
 * order, removing it gives the bytes back, and an entry changed after the person noted its lines
 * keeps every note. Removing it goes through what undo does with the file before (its backup): the
 * servers key's line taken from it, so `[]` between two different blanks, or a key that held nothing,
 * come back as they were too.
 */
import { expect, test } from "vitest";
import { parse, stringify } from "yaml";
import { yamlFormat } from "../../src/core/formats/yaml/index.js";

function random(seed: number) {
  let s = seed;
  const next = () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s / 0x7fffffff;
  };
  const pick = <T>(a: readonly T[]): T => a[Math.floor(next() * a.length)] as T;
  return { next, pick };
}

function fileOf(r: ReturnType<typeof random>, list: boolean): string {
  const servers = Array.from({ length: Math.floor(r.next() * 3) }, (_, i) => ({
    name: `s${i}`,
    command: "uvx",
    args: ["a", "b"],
    env: { K: "v" },
  }));
  const obj: Record<string, unknown> = list
    ? { name: "Main Config", version: "1.0.0", schema: "v1", models: [{ name: "m", roles: ["chat"] }] }
    : { GOOSE_PROVIDER: "anthropic" };
  const key = list ? "mcpServers" : "extensions";
  const mode = r.pick(["absent", "empty", "items", "null"]);
  if (mode === "empty") obj[key] = list ? [] : {};
  if (mode === "null") obj[key] = null;
  if (mode === "items")
    obj[key] = list
      ? servers
      : Object.fromEntries(servers.map((s) => [s.name, { cmd: s.command, args: s.args, envs: s.env }]));
  if (r.next() < 0.5) obj.tail = list ? ["r1"] : { a: 1 };
  const text = stringify(obj, { indent: r.pick([2, 4]), indentSeq: r.next() < 0.5 });
  // A key that holds nothing as people write it: `null`, `~` or nothing at all.
  return text.replace(`${key}: null\n`, `${key}:${r.pick([" null", " ~", ""])}\n`);
}

function decorated(r: ReturnType<typeof random>, plain: string): string {
  const blank = () => r.pick([" ", "  ", "\t", " \t"]);
  const out: string[] = [];
  for (const line of plain.replace(/\n$/, "").split("\n")) {
    if (r.next() < 0.2) out.push(`${" ".repeat(Math.floor(r.next() * 6))}# own${blank()}line`);
    out.push(r.next() < 0.4 ? `${line}${blank()}#${blank()}c` : line);
    if (r.next() < 0.05) out.push("");
  }
  let text = `${out.join("\n")}\n`;
  if (r.next() < 0.3) text += "# trailing\n#\tblock\n";
  if (r.next() < 0.2) text = `---\n${text}...\n`;
  if (r.next() < 0.3) text = text.replace(/\n/g, "\r\n");
  if (r.next() < 0.2) text = text.replace(/\r?\n$/, "");
  return text;
}

/** Every line of `before` in `after`, in order (an opened `[]`/`{}`/`~`/`null` gone from its key's line). */
function keptInOrder(before: string, after: string): boolean {
  const now = after.split(/(?<=\n)/);
  let at = 0;
  for (const line of before.split(/(?<=\n)/)) {
    const opened = line.replace(/[ \t](\[\]|\{\}|~|null)(?=[ \t]*(#.*)?(\r?\n)?$)/, "");
    const same = (l: string) =>
      [line, opened].includes(l) || [line, opened].includes(l.replace(/\r?\n$/, ""));
    while (at < now.length && !same(now[at] ?? "")) at++;
    if (at++ >= now.length) return false;
  }
  return true;
}

test.each([1, 2, 3])(
  "seed %i: 300 files, every line kept, the same bytes back, the person's notes kept",
  (seed) => {
    const r = random(seed);
    const failures: string[] = [];
    for (let i = 0; i < 300; i++) {
      const list = r.next() < 0.5;
      const plain = fileOf(r, list);
      const text = decorated(r, plain);
      expect(parse(text)).toEqual(parse(plain));
      const path = [list ? "mcpServers" : "extensions"];
      const options = list ? { listKey: "name" } : undefined;
      const edit = (t: string, e: Parameters<typeof yamlFormat.applyEntryEdits>[2]) =>
        yamlFormat.applyEntryEdits(t, path, e, "c.yaml", undefined, options);
      const env = list ? "env" : "envs";
      const value = {
        ...(list ? { command: "node" } : { name: "fx", cmd: "node" }),
        args: ["/x.js"],
        [env]: { T: "1" },
      };
      const added = edit(text, [{ name: "fx", value }]);
      let back = edit(added, [{ name: "fx", remove: true }]);
      const had = (parse(text) as Record<string, unknown>)[path[0] ?? ""];
      if (had === undefined) back = yamlFormat.removeEmptyServers?.(back, path, "c.yaml") ?? back;
      back = yamlFormat.emptyLayoutLike?.(back, text, path) ?? back;
      if (!keptInOrder(text, added) || back !== text) failures.push(JSON.stringify(text));
      // The person notes each line of the entry; then it changes: every note stays.
      const mine = new Set(text.split(/\r?\n/));
      const noted = added
        .split(/(?<=\n)/)
        .map((l) =>
          mine.has(l.replace(/\r?\n$/, "")) || l.trim() === "" ? l : l.replace(/(\r?\n)?$/, " # p$1"),
        )
        .join("");
      const changed = {
        ...value,
        ...(list ? { command: "node2" } : { cmd: "node2" }),
        args: ["/y.js", "-v"],
      };
      const after = edit(noted, [{ name: "fx", value: changed }]);
      const notes = (t: string) => t.split("# p").length;
      if (notes(after) !== notes(noted)) failures.push(`notes: ${JSON.stringify(noted)}`);
      expect(yamlFormat.parse(after, "c.yaml", options).entries(path).fx).toEqual(changed);
    }
    expect(failures).toEqual([]);
  },
);
