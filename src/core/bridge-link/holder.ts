/**
 * Which process listens on a TCP port, from /proc (Linux and WSL): the listening socket's inode in
 * /proc/net/tcp{,6}, then the process whose file descriptors hold it. Best effort: processes of
 * other users (and of other WSL distros, which share the network but not /proc) stay unnamed.
 */
import path from "node:path";
import { untrusted } from "../text/control-chars.js";
import { hexPort, readSocketTable } from "./socket-owner.js";

export interface PortHolder {
  pid: number;
  /** Its command line, as others wrote it (a process sets its own title): every control escaped. */
  command: string;
}

export async function portHolder(port: number, proc = "/proc"): Promise<PortHolder | undefined> {
  const inodes = new Set<string>();
  // The rows whose local end is the port (none where a table cannot be read: no IPv6, no /proc).
  for (const table of ["tcp", "tcp6"] as const)
    for (const row of (await readSocketTable(table, port, proc)).get(`:${hexPort(port)}`) ?? []) {
      // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
      const [, , , state, , , , , , inode = "0"] = row.trim().split(/\s+/);
      // A listening socket's (0A), never a connection's on the same port.
      if (state === "0A" && inode !== "0") inodes.add(`socket:[${inode}]`);
    }
  if (inodes.size === 0) return undefined;
  // node:fs/promises here, not imported: every relay loads this module, never this (bench/relay.ts).
  const { readdir, readFile, readlink } = process.getBuiltinModule("node:fs/promises");
  const pids = (await readdir(proc).catch(() => [] as string[])).filter((n) => /^\d+$/.test(n));
  for (const pid of pids) {
    const fdDir = path.join(proc, pid, "fd");
    const fds = await readdir(fdDir).catch(() => [] as string[]);
    for (const fd of fds) {
      // A process that ended, or another account's: not readable, not the holder we can name.
      const link = await readlink(path.join(fdDir, fd)).catch(() => "");
      if (!inodes.has(link)) continue;
      const cmdline = await readFile(path.join(proc, pid, "cmdline"), "utf8").catch(() => ""); // ended, or not ours
      const command = untrusted(cmdline.split("\u0000").filter(Boolean).join(" "));
      return { pid: Number(pid), command: command.length > 160 ? `${command.slice(0, 160)}…` : command };
    }
  }
}

/**
 * The port-taken message, worded here only so sync, status, doctor and `bridge status` say the
 * same: what holds the port as describeAnswer named it (and its pid and command when known).
 * `sentence`: it starts a sentence.
 */
export function portHeldBy(
  port: number | string,
  what: string | undefined,
  holder?: { pid: number; command: string } | undefined,
  sentence = false,
): string {
  return `${sentence ? "Port" : "port"} ${port} is held by ${heldWords(what ?? "a program that could not be named", holder)}`;
}

/** What holds a port, in words: what answers there (reach's `what`), and its pid and command when known. */
export function heldWords(what: string, holder?: { pid: number; command: string } | undefined): string {
  return `${what}${holder ? ` — pid ${holder.pid}: ${holder.command}` : ""}`;
}
