/**
 * Prompts, behind a small interface so commands can be driven by tests and by `--yes`.
 * @inquirer/prompts is loaded on first use. Ctrl-C surfaces as ExitPromptError, a signal as the
 * run's InterruptedError: exit 130 either way (nothing is written before the last confirmation).
 */
export interface Choice<T> {
  name: string;
  value: T;
  description?: string;
  /** What the answered prompt shows (default: name). */
  short?: string;
  checked?: boolean;
  /** Shown but not selectable (a note in a list, e.g. why a search found nothing). */
  disabled?: boolean | string;
}

export interface Prompts {
  input(options: {
    message: string;
    default?: string;
    validate?: (value: string) => true | string;
  }): Promise<string>;
  password(options: { message: string; validate?: (value: string) => true | string }): Promise<string>;
  confirm(options: { message: string; default?: boolean }): Promise<boolean>;
  checkbox<T>(options: { message: string; choices: Choice<T>[]; pageSize?: number }): Promise<T[]>;
  /** One of a few choices (the first is the default). */
  select<T>(options: { message: string; choices: Choice<T>[] }): Promise<T>;
  /**
   * Type to filter a long list; returns the one chosen. The source may answer later (a network
   * search): its signal is aborted when the term changes.
   */
  search<T>(options: { message: string; source: SearchSource<T> }): Promise<T>;
}

type SearchSource<T> = (
  term: string | undefined,
  opt: { signal: AbortSignal },
) => Choice<T>[] | Promise<Choice<T>[]>;

/**
 * The prompts of one run, each ended by the run's signal: a SIGINT, SIGTERM or SIGHUP sent to the
 * process (not the Ctrl-C keypress, which inquirer reads itself) ends the prompt on screen — cursor
 * shown, raw mode off — and it rejects with the run's reason (an InterruptedError), at once.
 */
export function inquirerPrompts(signal: AbortSignal): Prompts {
  const lib = () => import("@inquirer/prompts");
  const context = { signal };
  // inquirer rejects with its AbortPromptError: what goes on is why the run stopped.
  const asked = <T>(answer: Promise<T>): Promise<T> =>
    answer.catch((error: unknown) => {
      throw signal.aborted ? signal.reason : error;
    });
  return {
    input: async (o) => asked((await lib()).input(o, context)),
    // No mask characters (they would tell the key's length) and no Ctrl+T to reveal it: the
    // prompt says the input is hidden; a secret never appears on screen.
    password: async (o) => asked((await lib()).password({ ...o, mask: false, toggleMask: false }, context)),
    confirm: async (o) => asked((await lib()).confirm(o, context)),
    checkbox: async <T>(o: { message: string; choices: Choice<T>[]; pageSize?: number }) =>
      asked((await lib()).checkbox<T>({ ...o, pageSize: o.pageSize ?? 12 }, context)),
    select: async <T>(o: { message: string; choices: Choice<T>[] }) =>
      asked((await lib()).select<T>(o, context)),
    search: async <T>(o: { message: string; source: SearchSource<T> }) =>
      asked(
        (await lib()).search<T>(
          {
            message: o.message,
            source: async (term, opt) => o.source(term, opt),
            pageSize: 12,
          },
          context,
        ),
      ),
  };
}

/**
 * Everything a non-TTY caller sends on stdin (a secret piped in), without the final newline. The
 * run's signal ends the wait (a pipe that never closes): stdin is let go, its reason thrown.
 */
export function readStdin(
  stdin: NodeJS.ReadableStream = process.stdin,
  signal?: AbortSignal,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const onData = (chunk: Buffer | string) => chunks.push(Buffer.from(chunk));
    const onEnd = () => {
      settled();
      resolve(
        Buffer.concat(chunks)
          .toString("utf8")
          .replace(/\r?\n$/, ""),
      );
    };
    const onError = (error: unknown) => {
      settled();
      reject(error);
    };
    // A stdin still read from would keep the process alive after the signal.
    const onAbort = () => {
      settled();
      stdin.pause();
      reject(signal?.reason);
    };
    const settled = () => {
      stdin.off("data", onData);
      stdin.off("end", onEnd);
      stdin.off("error", onError);
      signal?.removeEventListener("abort", onAbort);
    };
    if (signal?.aborted) return reject(signal.reason);
    stdin.on("data", onData);
    stdin.once("end", onEnd);
    stdin.once("error", onError);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
