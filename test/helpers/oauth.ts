/**
 * For the OAuth tests (and bench/oauth.ts): the scripted browser (test/fixtures/oauth/browser.mjs)
 * as `BROWSER` runs it.
 */
import path from "node:path";
import { REPO } from "./fake-machine.js";

export const BROWSER_SCRIPT = path.join(REPO, "test", "fixtures", "oauth", "browser.mjs");
/** `BROWSER`'s value: node and the script (the URL comes last). */
export const BROWSER = `${process.execPath} ${BROWSER_SCRIPT}`;
