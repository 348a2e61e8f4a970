/**
 * For the OAuth tests: the scripted browser (test/fixtures/oauth/browser.mjs) as `BROWSER` runs it.
 */
import { fileURLToPath } from "node:url";

export const BROWSER_SCRIPT = fileURLToPath(new URL("../fixtures/oauth/browser.mjs", import.meta.url));
/** `BROWSER`'s value: node and the script (the URL comes last). */
export const BROWSER = `${process.execPath} ${BROWSER_SCRIPT}`;
