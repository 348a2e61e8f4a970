/** Types of scripts/sdk-shims-alias.mjs, for tsup.config.ts, vitest.config.ts and its test. */
import type { Plugin as EsbuildPlugin } from "esbuild";
import type { Plugin as VitePlugin } from "vite";

export const SHIMS: string;
export const sdkShimsEsbuildPlugin: EsbuildPlugin;
export const sdkShimsVitePlugin: VitePlugin;
