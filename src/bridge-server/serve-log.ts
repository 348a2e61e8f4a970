/**
 * The bridge's own log (serve.log) kept under a cap while the bridge runs: when its stderr is that
 * file, a line that would take the file past the cap first rotates it to `serve.log.1`.
 */
import { fstatSync, statSync } from "node:fs";
import { SERVE_LOG_BYTES } from "../core/bridge-link/index.js";
import { rotateLogInPlace } from "../core/system/files.js";

/** What a line costs on top of its text: the mark before it, its newline, a little masking. */
const LINE_EXTRA = 8;

/**
 * A guard to call before each line written to `fd` (the bridge's stderr): undefined when `fd` is
 * not `file` (a bridge run in a terminal). It counts what it is told is written and asks the file's
 * real size (others write there too: node's own warnings, a fill's children) only when the count
 * reaches the cap, so a line costs no stat. The two files never hold much more than twice the cap.
 */
export function serveLogCap(
  fd: number,
  file: string,
  capBytes = SERVE_LOG_BYTES,
): ((line: string) => void) | undefined {
  let size: number;
  try {
    const held = fstatSync(fd);
    const named = statSync(file);
    if (!held.isFile() || held.ino !== named.ino || held.dev !== named.dev) return undefined;
    size = held.size;
  } catch {
    return undefined;
  }
  return (line) => {
    const bytes = Buffer.byteLength(line) + LINE_EXTRA;
    if (size + bytes > capBytes) {
      try {
        size = fstatSync(fd).size;
        if (size > 0 && size + bytes > capBytes) {
          rotateLogInPlace(file);
          size = 0;
        }
      } catch {
        // A log that cannot be rotated still takes the line: the bridge keeps running.
      }
    }
    size += bytes;
  };
}
