/**
 * The listening socket systemd hands a service it starts from a socket unit (socket activation):
 * read as sd_listen_fds(3) reads it, from LISTEN_PID and LISTEN_FDS.
 */

/** The first descriptor systemd passes (SD_LISTEN_FDS_START). */
const FIRST = 3;

/**
 * fd 3 when systemd passed this process exactly one socket: LISTEN_FDS is 1 and LISTEN_PID names
 * this process — systemd sets it after its fork, so a program that inherited the variables from a
 * parent started that way (a shared server the bridge runs) does not take them as its own; a
 * missing LISTEN_PID is refused as sd_listen_fds refuses it. The unit passes one ListenStream; more
 * than one is not ours to choose from.
 */
export function systemdSocket(
  env: Readonly<Record<string, string | undefined>>,
  pid: number,
): number | undefined {
  if (env.LISTEN_PID === undefined || Number(env.LISTEN_PID) !== pid) return undefined;
  return env.LISTEN_FDS === "1" ? FIRST : undefined;
}
