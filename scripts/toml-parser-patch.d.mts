/** Types of scripts/toml-parser-patch.mjs, for tsup.config.ts and vitest.config.ts. */
import type { Plugin as EsbuildPlugin } from "esbuild";
import type { Plugin as VitePlugin } from "vite";
export function patchTomlParser(code: string): string;
export const tomlParserEsbuildPlugin: EsbuildPlugin;
export const tomlParserVitePlugin: VitePlugin;
