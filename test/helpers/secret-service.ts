/**
 * A real Secret Service for a test: a private D-Bus session bus and gnome-keyring-daemon on it,
 * its login keyring unlocked with a password on stdin, in a folder of its own. `.ci/run` installs
 * gnome-keyring and dbus when missing.
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { lockCollection, unlockCollection } from "./secret-unlock.js";

const LOGIN = "/org/freedesktop/secrets/collection/login";
const PASSWORD = "test-password";

export interface SecretService {
  /** DBUS_SESSION_BUS_ADDRESS of the private bus. */
  address: string;
  /** The folder its keyring is kept in. */
  dir: string;
  /** Every item the keyring holds under a service, as secret-tool finds them (name → value). */
  items(service: string): Record<string, string>;
  /** Lock its login collection, as a session's keyring is at logon (locking needs no prompt). */
  lock(): Promise<void>;
  /** Unlock it again with its password, no prompt (secret-unlock.ts). */
  unlock(): Promise<void>;
  stop(): void;
}

/**
 * `at`: a bus at this address (`unix:path=…`) serving the keyring of another service (`of`), its
 * folder left to that one — a keychain that starts answering where a process was told to look.
 */
export function startSecretService(options: { at?: string; of?: SecretService } = {}): SecretService {
  const dir = options.of?.dir ?? mkdtempSync(path.join(os.tmpdir(), "mcp-twin-keyring-"));
  const env = { ...process.env, HOME: dir, XDG_RUNTIME_DIR: dir, XDG_DATA_HOME: path.join(dir, "data") };
  const [address = "", pid = ""] = execFileSync(
    "dbus-daemon",
    [
      "--session",
      ...(options.at ? [`--address=${options.at}`] : []),
      "--fork",
      "--print-address=1",
      "--print-pid=1",
    ],
    { env, encoding: "utf8" },
  )
    .trim()
    .split("\n");
  const busEnv = { ...env, DBUS_SESSION_BUS_ADDRESS: address };
  // --unlock reads the login keyring's password on stdin, then daemonises (ended with its bus).
  execFileSync("gnome-keyring-daemon", ["--unlock", "--components=secrets"], {
    env: busEnv,
    input: PASSWORD,
    stdio: ["pipe", "ignore", "ignore"],
  });
  return {
    address,
    dir,
    items(service) {
      // secret-tool prints each item's attributes on stderr, its secret on stdout: one stream here.
      const out = execFileSync("sh", ["-c", 'secret-tool search --all service "$1" 2>&1', "sh", service], {
        env: busEnv,
        encoding: "utf8",
      });
      const found: Record<string, string> = {};
      for (const block of out.split(/^\[/m).slice(1)) {
        const secret = /^secret = (.*)$/m.exec(block)?.[1];
        const user = /^attribute\.username = (.*)$/m.exec(block)?.[1];
        if (secret !== undefined && user !== undefined) found[user] = secret;
      }
      return found;
    },
    lock: () => lockCollection(address, LOGIN),
    unlock: () => unlockCollection(address, LOGIN, PASSWORD),
    stop() {
      // The daemon leaves with its bus.
      spawn("kill", [pid]).on("exit", () => {
        if (!options.of) rmSync(dir, { recursive: true, force: true });
      });
    },
  };
}
