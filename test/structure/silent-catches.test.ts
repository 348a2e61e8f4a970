/**
 * Every catch under src/ that drops an error says why in a comment (inside it, on its line or the
 * line above) or handles it: an error dropped without a word is one nobody can tell from a bug.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { silentCatches } from "./silent-catches.js";
import { tsSources } from "./sources.js";

const SRC = fileURLToPath(new URL("../../src/", import.meta.url));

test("no catch under src/ drops an error without saying why (each named src/<file>:<line>)", () => {
  const files = tsSources(SRC);
  expect(files.length).toBeGreaterThan(100);
  const silent = files.flatMap((file) =>
    silentCatches(file, readFileSync(file, "utf8")).map(
      (c) => `src/${path.relative(SRC, file).split(path.sep).join("/")}:${c.line} ${c.text}`,
    ),
  );
  expect(silent).toEqual([]);
});

describe("the checker", () => {
  const lines = (text: string) => silentCatches("f.ts", text).map((c) => c.line);

  test("finds empty catch blocks and handlers that do nothing or return a default", () => {
    const text = [
      "try { a(); } catch {}",
      "try { a(); } catch (e) { }",
      "p.catch(() => {});",
      "p.catch(() => undefined);",
      "p.catch(() => null).then(go);",
      'p.catch(function () { return ""; });',
      "p.catch(() => []);",
      "p.catch(() => void 0);",
    ].join("\n");
    expect(lines(text)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  test("a comment inside, on its line or on the line above says why; a handler that handles is fine", () => {
    const text = [
      "try { a(); } catch {",
      "  // gone already: nothing to close",
      "}",
      "p.catch(() => {}); // the client left",
      "// a cache: the next start reads it again",
      "p.catch(() => undefined);",
      "p.catch((e) => log(e));",
      "p.catch(() => fallback());",
      "try { a(); } catch { b(); }",
      "",
      "",
      'const s = "// not a comment"; p.catch(() => {});',
      "// closing is best effort",
      "await a.close().catch(() => {});",
      "await b.close().catch(() => {});",
    ].join("\n");
    expect(lines(text)).toEqual([12]);
  });
});
