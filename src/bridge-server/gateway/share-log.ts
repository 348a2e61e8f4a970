/**
 * One shared server's own log: what its processes write on stderr and what happened to them, a
 * line each with the time and the process's key, its secret values masked, bounded on disk.
 */
import type { ShareLaunch } from "../../core/entries/share-launch.js";
import { maskText } from "../../core/secrets/mask.js";
import { isSecretName } from "../../core/secrets/placeholders.js";
import { appendCappedLog } from "../../core/system/files.js";

/** What its log masks: the secrets resolved into its launch, and values under secret names. */
export function launchSecrets(launch: Pick<ShareLaunch, "env" | "secrets">): string[] {
  const named = Object.entries(launch.env).filter(([k, v]) => isSecretName(k) && v.length >= 4);
  return [...(launch.secrets ?? []), ...named.map(([, v]) => v)];
}

/** The log moves to `.1` past this size: a server keeps at most twice it on disk. */
export const SHARE_LOG_BYTES = 1024 * 1024;
/** Lines waiting for the disk past this are dropped (and counted): a flood cannot grow the bridge. */
const PENDING_BYTES = 256 * 1024;

export class ShareLog {
  readonly file: string;
  #secrets: readonly string[];
  #pending: string[] = [];
  #pendingBytes = 0;
  #dropped = 0;
  #writing: Promise<void> = Promise.resolve();
  #scheduled = false;

  /** `secrets`: the values resolved into its launch, masked wherever a line holds them. */
  constructor(file: string, secrets: readonly string[] = []) {
    this.file = file;
    this.#secrets = secrets;
  }

  /** A new launch's values (a reload): masked from now on. */
  set secrets(values: readonly string[]) {
    this.#secrets = values;
  }

  /** One line of the process `key` (machine, project:<folder>, session:<label>, warm). */
  write(key: string, text: string): void {
    // The credential shapes are masked too (a server may print a header it was sent).
    const line = `${new Date().toISOString()} [${key}] ${maskText(text, this.#secrets)}\n`;
    if (this.#pendingBytes + line.length > PENDING_BYTES) {
      this.#dropped++;
      return;
    }
    this.#pending.push(line);
    this.#pendingBytes += line.length;
    if (this.#scheduled) return;
    this.#scheduled = true;
    // Lines that come together are written together, one append at a time.
    this.#writing = this.#writing.then(() => this.#flush());
  }

  async #flush(): Promise<void> {
    this.#scheduled = false;
    const lines = this.#pending.splice(0);
    this.#pendingBytes = 0;
    if (this.#dropped > 0) {
      lines.push(
        `${new Date().toISOString()} [log] ${this.#dropped} line${this.#dropped === 1 ? "" : "s"} dropped: written faster than the disk took them\n`,
      );
      this.#dropped = 0;
    }
    if (lines.length === 0) return;
    // A log that cannot be written must not take the server (or the bridge) down.
    await appendCappedLog(this.file, lines.join(""), SHARE_LOG_BYTES).catch(() => {});
  }

  async flushed(): Promise<void> {
    for (let last: Promise<void> | undefined; last !== this.#writing; ) {
      last = this.#writing;
      await last;
    }
  }
}
