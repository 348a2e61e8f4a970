/** Types of scripts/zod-locales-en.mjs, for tsup.config.ts. */
import type { Plugin as EsbuildPlugin } from "esbuild";
export const zodLocalesEsbuildPlugin: EsbuildPlugin;
