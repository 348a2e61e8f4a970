// toml-eslint-parser builds each string and number token with `String.fromCodePoint(...codePoints)`:
// one call argument per character, on the stack, so a token longer than ~120,000 characters (a
// long string in a config.toml Codex reads happily) throws "Maximum call stack size exceeded".
// This rewrites those calls, where the library is loaded (the build's esbuild, the tests' Vite),
// into one that builds the text in slices. The parser is otherwise untouched: every range it
// reports is the same, so edits stay byte-for-byte.

const LIBRARY = /[\\/]toml-eslint-parser[\\/]lib[\\/]index\.mjs$/;
const HELPER =
  '\nfunction __mcpTwinFromCodePoints(codePoints) { let text = ""; for (let i = 0; i < codePoints.length; i += 8192) text += String.fromCodePoint(...codePoints.slice(i, i + 8192)); return text; }\n';

/** The library's code with every spread `String.fromCodePoint(…, ...x, …)` made stack-safe. */
export function patchTomlParser(code) {
  let count = 0;
  const patched = code.replace(/String\.fromCodePoint\(([^()]*\.\.\.[^()]*)\)/g, (_, args) => {
    count++;
    return `__mcpTwinFromCodePoints([${args}])`;
  });
  // A new version of the library that builds its tokens otherwise must be looked at again.
  if (count === 0 || /fromCodePoint\([^)]*\.\.\./.test(patched))
    throw new Error(
      "toml-eslint-parser: the String.fromCodePoint(...) calls to patch were not found as expected",
    );
  return `${patched}${HELPER}`;
}

/** For tsup (esbuild). */
export const tomlParserEsbuildPlugin = {
  name: "toml-parser-patch",
  setup(build) {
    build.onLoad({ filter: LIBRARY }, async (args) => {
      const { readFile } = await import("node:fs/promises");
      return { contents: patchTomlParser(await readFile(args.path, "utf8")), loader: "js" };
    });
  },
};

/** For Vitest (Vite); the library must be inlined (`server.deps.inline`) for Vite to see it. */
export const tomlParserVitePlugin = {
  name: "toml-parser-patch",
  transform(code, id) {
    return LIBRARY.test(id.split("?")[0]) ? { code: patchTomlParser(code), map: null } : undefined;
  },
};
