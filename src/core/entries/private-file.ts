/**
 * Whether only the user can read a target's file: the rule every file that would hold a credential
 * or a secret's value is held to (a bridge url entry's token, a withheld variable's value).
 */
import type { Target } from "../clients/types.js";
import { inspectFile } from "../system/files.js";

/**
 * Can a token go into this target's file? A Windows file is the profile's (its ACL keeps others
 * out; mode bits mean nothing there); a POSIX file only without group or other read bits, and
 * only when its app keeps them so. A file that does not exist yet is created private (mode 600).
 */
export function privateFile(target: Target): boolean {
  if (target.env.kind === "windows") return true;
  // Its app writes the file anew readable by others (Qwen Code on its first run): a token there would not stay private.
  if (target.client.rewritesReadable) return false;
  try {
    const facts = inspectFile(target.file);
    return !facts.exists || (facts.mode !== undefined && (facts.mode & 0o044) === 0);
  } catch {
    return false;
  }
}
