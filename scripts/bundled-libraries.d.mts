/** Types of scripts/bundled-libraries.mjs, for tsup.config.ts and the tests. */
import type { Plugin } from "esbuild";
export const SBOM_FILE: string;
export function packageDirOf(input: string): string | undefined;
export function bundledLibrariesPlugin(root?: string): Plugin;
