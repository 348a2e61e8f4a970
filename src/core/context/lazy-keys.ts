/**
 * The home's keys known by name before their values are read: a no-op sync whose entries need no
 * key (every key-bearing server reached through the bridge) never reads the keychain.
 * Values are read once, the first time a run needs one, into the very record every holder has.
 */
import { loadSecretsFile } from "../manifest/secrets-file.js";
import { dict } from "../plain-records.js";
import { trace } from "../system/trace.js";

/** Keys stored in the keychain whose values this run has not read (yet). */
export interface UnreadKeys {
  /** The names not read: emptied by `read`. */
  readonly names: ReadonlySet<string>;
  /** Something asked for the value of one of them (an entry that writes its key): read before it is used. */
  readonly wanted: boolean;
  /** Their values, read now into the run's secrets (once; nothing again after). */
  read(): Promise<void>;
}

/**
 * The run's secrets, empty until read, with the names they will hold. A look-up of a name not read
 * yet finds nothing, and marks it wanted: the planner then reads the keys and plans again.
 */
export function lazyKeys(
  file: string,
  stored: readonly string[],
): { secrets: Record<string, string>; accepted: Set<string>; unread: UnreadKeys } {
  const values = dict<string>();
  const accepted = new Set<string>();
  const names = new Set(stored);
  let wanted = false;
  let reading: Promise<void> | undefined;
  const note = (name: string | symbol) => {
    if (typeof name === "string" && names.has(name)) wanted = true;
  };
  // Every own-property look-up (plain-records.ts `own`, `in`, indexing) passes here.
  const secrets = new Proxy(values, {
    getOwnPropertyDescriptor: (target, name) => {
      note(name);
      return Reflect.getOwnPropertyDescriptor(target, name);
    },
    has: (target, name) => {
      note(name);
      return Reflect.has(target, name);
    },
    get: (target, name, receiver) => {
      note(name);
      return Reflect.get(target, name, receiver);
    },
  });
  const unread: UnreadKeys = {
    names,
    get wanted() {
      return wanted;
    },
    read() {
      if (!reading) trace("keys: read");
      reading ??= loadSecretsFile(file).then((loaded) => {
        Object.assign(values, loaded.secrets);
        for (const name of loaded.accepted) accepted.add(name);
        names.clear();
      });
      return reading;
    },
  };
  return { secrets, accepted, unread };
}

/** The keys a run holds unread, read now (a launch needs them, or a message to mask): nothing when none is. */
export async function readKeys(ctx: { keysUnread?: UnreadKeys | undefined }): Promise<void> {
  if (ctx.keysUnread && ctx.keysUnread.names.size > 0) await ctx.keysUnread.read();
}
