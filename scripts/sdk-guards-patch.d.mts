/** Types of scripts/sdk-guards-patch.mjs, for tsup.config.ts, vitest.config.ts and its test. */
import type { Plugin as EsbuildPlugin } from "esbuild";
import type { Plugin as VitePlugin } from "vite";
export const HELPERS: string;
export function patchSdkGuards(code: string): string;
export const sdkGuardsEsbuildPlugin: EsbuildPlugin;
export const sdkGuardsVitePlugin: VitePlugin;
