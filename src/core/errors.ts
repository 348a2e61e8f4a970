/**
 * Typed errors. Core code throws them; only the CLI entry turns them into exit codes.
 * Messages must never contain secret values: callers pass names, never values.
 */

export const ExitCode = {
  ok: 0,
  failed: 1,
  usage: 2,
  /**
   * `serve --http` found this home's bridge running already (it holds the state): nothing failed,
   * so a service manager that restarts the bridge on failure must not restart it on this one.
   */
  bridgeRunning: 3,
  /**
   * `serve --http` under its keeper ended to be started again at once on the same socket (`bridge
   * restart`: SIGUSR2): the keeper starts it without a pause.
   */
  bridgeRestart: 4,
  interrupted: 130,
} as const;

export interface ErrorLocation {
  file?: string;
  line?: number;
  column?: number;
}

/**
 * `sync` ships as a bundle of its own (for its start-up), so one process can hold two
 * copies of these classes: `instanceof` goes by a brand each instance carries, not by identity.
 */
const BRAND = Symbol.for("mcp-twin.error-kinds");

/** Base class: an error with a stable code and an exit status. */
export class TwinError extends Error {
  static readonly kind: string = "TwinError";

  static override [Symbol.hasInstance](value: unknown): boolean {
    const kinds = (value as { [BRAND]?: readonly string[] } | null | undefined)?.[BRAND];
    // `this`: the class `instanceof` was asked about (InterruptedError, UsageError…), not TwinError.
    // biome-ignore lint/complexity/noThisInStatic: the class name would make every kind match every TwinError
    return Array.isArray(kinds) && kinds.includes(this.kind);
  }

  readonly code: string;
  readonly exitCode: number;
  readonly location: ErrorLocation;
  /** What the user can do about it, shown under the message. */
  readonly hint: string | undefined;

  constructor(
    code: string,
    message: string,
    options: { exitCode?: number; location?: ErrorLocation; hint?: string; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    const kinds: string[] = [];
    for (let c: unknown = new.target; c && Object.hasOwn(c as object, "kind"); c = Object.getPrototypeOf(c))
      kinds.push((c as typeof TwinError).kind);
    Object.defineProperty(this, BRAND, { value: kinds });
    this.name = new.target.kind;
    this.code = code;
    this.exitCode = options.exitCode ?? ExitCode.failed;
    this.location = options.location ?? {};
    this.hint = options.hint;
  }
}

/** Bad usage or bad input found before anything changed: exit 2. */
export class UsageError extends TwinError {
  static override readonly kind: string = "UsageError";
  constructor(
    code: string,
    message: string,
    options: { location?: ErrorLocation; hint?: string; cause?: unknown } = {},
  ) {
    super(code, message, { ...options, exitCode: ExitCode.usage });
  }
}

/**
 * A name a flag or argument gave that is not known (a client, an environment, a server, a restore
 * target…): exit 2, with the known names and the closest ones. Built by core/selectors.ts only, so
 * every command says it the same way; `--json` carries `known` and `didYouMean` as well.
 */
export class UnknownNameError extends UsageError {
  static override readonly kind: string = "UnknownNameError";
  readonly known: readonly string[];
  readonly suggestions: readonly string[];
  constructor(
    code: string,
    message: string,
    options: {
      known: readonly string[];
      suggestions: readonly string[];
      hint?: string;
      location?: ErrorLocation;
    },
  ) {
    super(code, message, {
      ...(options.hint ? { hint: options.hint } : {}),
      ...(options.location ? { location: options.location } : {}),
    });
    this.known = options.known;
    this.suggestions = options.suggestions;
  }
}

/** The operation ran and failed, in part or whole: exit 1. */
export class OperationError extends TwinError {
  static override readonly kind: string = "OperationError";
  constructor(
    code: string,
    message: string,
    options: { location?: ErrorLocation; hint?: string; cause?: unknown } = {},
  ) {
    super(code, message, { ...options, exitCode: ExitCode.failed });
  }
}

/** The user pressed Ctrl-C (or a prompt was aborted): exit 130, nothing half-written. */
export class InterruptedError extends TwinError {
  static override readonly kind: string = "InterruptedError";
  constructor(message = "Interrupted.") {
    super("interrupted", message, { exitCode: ExitCode.interrupted });
  }
}

/** Several usage errors found in one pass (all reported, nothing written). */
export class UsageErrors extends UsageError {
  static override readonly kind: string = "UsageErrors";
  readonly errors: UsageError[];
  constructor(errors: UsageError[]) {
    const first = errors[0];
    super(first?.code ?? "usage", errors.map((e) => e.message).join("\n"), {
      ...(first?.location ? { location: first.location } : {}),
      ...(first?.hint ? { hint: first.hint } : {}),
    });
    this.errors = errors;
  }
}

export function isTwinError(error: unknown): error is TwinError {
  return error instanceof TwinError;
}

/** Line and column (1-based) of a character offset in a text. */
export function lineColumnAt(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}

/** "file:line:column" for messages. */
export function formatLocation(location: ErrorLocation): string {
  if (!location.file) return "";
  if (location.line === undefined) return location.file;
  return `${location.file}:${location.line}:${location.column ?? 1}`;
}
