/** Types of scripts/sdk-guards-patch.mjs, for tsup.config.ts and its test. */
import type { Plugin as EsbuildPlugin } from "esbuild";
export const HELPERS: string;
export function patchSdkGuards(code: string): string;
export const sdkGuardsEsbuildPlugin: EsbuildPlugin;
