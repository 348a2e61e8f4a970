/** Types of scripts/sdk-shims-alias.mjs, for tsup.config.ts and its test. */
import type { Plugin } from "esbuild";

export const SHIMS: string;
export const sdkShimsEsbuildPlugin: Plugin;
