/**
 * Before sync writes anything: the files it will write, as they are on disk — a read-only file or one
 * whose owner mcp-twin could not keep is refused, a readable one gaining a secret is warned about.
 */

import { shellQuote } from "../environments/path-translation.js";
import { UsageError, type UsageError as UsageErrorType } from "../errors.js";
import { type FileFacts, inspectFile, isReadOnly, readOnlyError } from "../system/files.js";

export interface PlannedWrite {
  /** As this process opens it. */
  file: string;
  /** As the user knows it (shown in messages). */
  path: string;
  /** The file lives on Windows (local Windows, or a Windows drive seen from WSL). */
  windows: boolean;
  /** Servers whose entries this write puts there with a secret (an env value, a header, the bridge token). */
  secretsOf: readonly string[];
}

/** A file others can read that this run writes a secret into: what to say, and the chmod. */
export interface ReadableSecret {
  /** As the user knows it (with the file it links to, when it is a link). */
  shown: string;
  /** Its mode bits, in octal (`644`). */
  mode: string;
  /** The servers whose keys it receives. */
  servers: readonly string[];
  /** The command that makes it private. */
  chmod: string;
}

/**
 * The warning, worded for when it is read: in a plan (a dry run) the file "will hold" the key;
 * after the write it "now holds" it.
 */
export function readableSecretWarning(r: ReadableSecret, when: "planned" | "written"): string {
  const keys = `${r.servers.length === 1 ? "a key" : "keys"} (${r.servers.join(", ")})`;
  return `${r.shown} ${when === "planned" ? "will hold" : "now holds"} ${keys} and is readable by other users (mode ${r.mode}): run ${r.chmod}`;
}

export interface SafetyFindings {
  errors: UsageErrorType[];
  /** Per file (as `path`): a file others can read that receives a secret. */
  warnings: Map<string, ReadableSecret>;
}

/**
 * A read-only file is refused (exit 2, nothing written) unless --force; a file whose owner mcp-twin
 * could not keep is refused; a file that others can read and into which this run writes a secret
 * gets a warning with the chmod that fixes it (a write that adds no secret says nothing: doctor's
 * config.private reports the standing state). Windows files are left out of the mode checks: on
 * Windows and on /mnt/c (DrvFs) mode bits mean nothing — the profile's ACL protects them.
 */
export function checkWrites(
  writes: readonly PlannedWrite[],
  options: { force: boolean; uid?: number | undefined },
): SafetyFindings {
  const findings: SafetyFindings = { errors: [], warnings: new Map() };
  const uid = options.uid ?? (typeof process.getuid === "function" ? process.getuid() : undefined);
  for (const w of writes) {
    let facts: FileFacts;
    try {
      facts = inspectFile(w.file);
    } catch (error) {
      findings.errors.push(
        new UsageError("config-unreadable", `${w.path}: ${(error as Error).message}`, {
          location: { file: w.path },
        }),
      );
      continue;
    }
    const problem = judge(w, facts, { force: options.force, uid });
    if (problem.error) findings.errors.push(problem.error);
    if (problem.warning) findings.warnings.set(w.path, problem.warning);
  }
  return findings;
}

/** The rules, on facts already gathered (pure). */
export function judge(
  w: PlannedWrite,
  facts: FileFacts,
  options: { force: boolean; uid: number | undefined },
): { error?: UsageErrorType; warning?: ReadableSecret } {
  if (!facts.exists || w.windows) return {};
  if (isReadOnly(facts) && !options.force) return { error: readOnlyError(w.path) };
  // Only root can give a file away: anyone else would leave it owned by themselves.
  if (options.uid !== undefined && options.uid !== 0 && facts.uid !== undefined && facts.uid !== options.uid)
    return {
      error: new UsageError(
        "owner",
        `${w.path} belongs to another user (uid ${facts.uid}); rewriting it would make it yours.`,
        { location: { file: w.path }, hint: "Run mcp-twin as the user who owns the file." },
      ),
    };
  if (w.secretsOf.length > 0 && facts.mode !== undefined && (facts.mode & 0o044) !== 0) {
    return {
      warning: {
        shown: facts.symlink ? `${w.path} (a link to ${facts.real})` : w.path,
        mode: (facts.mode & 0o777).toString(8).padStart(3, "0"),
        servers: [...w.secretsOf],
        chmod: `chmod 600 ${shellQuote(facts.real)}`,
      },
    };
  }
  return {};
}
