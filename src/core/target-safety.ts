/**
 * Before sync writes anything: the files it will write, as they are on disk. A read-only file is
 * refused (exit 2, nothing written) unless --force; a file whose owner mcp-twin could not keep is
 * refused; a file that will receive a secret and that others can read gets a warning with the
 * chmod that fixes it. Windows files are left out of the mode checks: on Windows and on /mnt/c
 * (DrvFs) mode bits mean nothing — the profile's ACL protects them.
 */
import { UsageError, type UsageError as UsageErrorType } from "./errors.js";
import { type FileFacts, inspectFile, isReadOnly, readOnlyError } from "./files.js";

export interface PlannedWrite {
  /** As this process opens it. */
  file: string;
  /** As the user knows it (shown in messages). */
  path: string;
  /** The file lives on Windows (local Windows, or a Windows drive seen from WSL). */
  windows: boolean;
  /** Entries written there carry a secret (an env value, a header, the bridge token). */
  receivesSecret: boolean;
}

export interface SafetyFindings {
  errors: UsageErrorType[];
  /** Per file (as `path`): what the user should know. */
  warnings: Map<string, string[]>;
}

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
    if (problem.warning)
      findings.warnings.set(w.path, [...(findings.warnings.get(w.path) ?? []), problem.warning]);
  }
  return findings;
}

/** The rules, on facts already gathered (pure). */
export function judge(
  w: PlannedWrite,
  facts: FileFacts,
  options: { force: boolean; uid: number | undefined },
): { error?: UsageErrorType; warning?: string } {
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
  if (w.receivesSecret && facts.mode !== undefined && (facts.mode & 0o044) !== 0) {
    const shown = facts.symlink ? `${w.path} (a link to ${facts.real})` : w.path;
    return {
      warning: `${shown} is readable by other users (mode ${(facts.mode & 0o777).toString(8).padStart(3, "0")}) and will hold a secret: run chmod 600 ${quote(facts.real)}`,
    };
  }
  return {};
}

function quote(file: string): string {
  return /^[A-Za-z0-9_./@%+=:,-]+$/.test(file) ? file : `'${file.replace(/'/g, "'\\''")}'`;
}
