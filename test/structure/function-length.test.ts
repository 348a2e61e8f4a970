/**
 * No function under src/ is longer than 120 lines — function declarations, methods, arrow functions
 * and function expressions alike, read with TypeScript's parser (rules.ts); a long one is split into
 * named steps. There is no list of exceptions.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, test } from "vitest";
import { forgetSources, functionLengths, longFunctions, MAX_FUNCTION_LINES } from "./rules.js";
import { tsSources } from "./sources.js";

const SRC = fileURLToPath(new URL("../../src/", import.meta.url));
// The trees rules.ts parsed, not kept by the worker for the files after this one.
afterAll(forgetSources);

test(`no function under src/ is over ${MAX_FUNCTION_LINES} lines (each named src/<file>:<line>)`, () => {
  const files = tsSources(SRC);
  expect(files.length).toBeGreaterThan(100);
  const long = files.flatMap((file) => longFunctions(SRC, file, readFileSync(file, "utf8")));
  expect(long).toEqual([]);
});

describe("the checker", () => {
  /** A body of `n` lines in all: its first line, n - 2 statements, its last. */
  const body = (n: number) => `{\n${"  step();\n".repeat(n - 2)}}`;

  test("measures declarations, methods, arrow functions and function expressions, named where written", () => {
    const text = [
      `export function declared() ${body(3)}`,
      `const arrow = async () => ${body(4)};`,
      `class Machine { method() ${body(5)} }`,
      `register({ handler: function () ${body(6)} });`,
      `items.map((item) => ${body(3)});`,
    ].join("\n");
    expect(functionLengths("f.ts", text).map((f) => `${f.line} ${f.name} ${f.lines}`)).toEqual([
      "1 declared 3",
      "4 arrow 4",
      "8 method 5",
      "13 handler 6",
      "19 map(…) callback 3",
    ]);
  });

  test(`a function of ${MAX_FUNCTION_LINES} lines passes; one line more is reported, nested ones too`, () => {
    const file = path.join(SRC, "core/x.ts");
    expect(longFunctions(SRC, file, `function fits() ${body(MAX_FUNCTION_LINES)}`)).toEqual([]);
    expect(longFunctions(SRC, file, `function tooLong() ${body(MAX_FUNCTION_LINES + 1)}`)).toEqual([
      `src/core/x.ts:1 tooLong ${MAX_FUNCTION_LINES + 1} lines`,
    ]);
    const nested = `function outer() {\n  const inner = () => ${body(MAX_FUNCTION_LINES + 1)};\n}`;
    expect(longFunctions(SRC, file, nested)).toEqual([
      `src/core/x.ts:1 outer ${MAX_FUNCTION_LINES + 3} lines`,
      `src/core/x.ts:2 inner ${MAX_FUNCTION_LINES + 1} lines`,
    ]);
  });

  test("a leading comment is not counted; comments inside are", () => {
    const text = `/**\n * Why.\n */\nfunction documented() {\n  // inside\n  step();\n}`;
    expect(functionLengths("f.ts", text)).toEqual([{ line: 4, name: "documented", lines: 4 }]);
  });
});
