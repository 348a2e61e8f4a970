/**
 * The lean way into `connect` (bin/mcp-twin.js runs it without commander, the colour library or
 * the SDK: a relay runs per client session); usage mistakes go to the full command line.
 */
import { ExitCode } from "../../core/errors.js";
import { processHost } from "../../core/system/host.js";
import { relayLog } from "../../ui/relay-log.js";
import { connectCommand } from "../connect-flags.js";
import { leanArgv } from "../shared/lean-argv.js";
import { type ConnectOptions, type PreparedConnect, prepareConnect } from "./prepare.js";
import { relaysShare, runConnect } from "./session.js";

/**
 * `connect`'s command line without commander; what it cannot take as it is (help, a flag it does
 * not know, a second argument) is null: the full command line takes it.
 */
export function parseConnectArgv(args: readonly string[]): (ConnectOptions & { noColor: boolean }) | null {
  const parsed = leanArgv(connectCommand, args);
  const url = parsed?.positionals.length === 1 ? parsed.positionals[0] : undefined;
  if (!parsed || url === undefined) return null;
  const { header, tokenFile, start, transport = "http", auth, as: client, color } = parsed.options;
  return { url, header, tokenFile, start, transport, auth, client, noColor: color === false };
}

/** `argv`: process.argv (`node`, the script, `connect`, …). The exit code, or undefined. */
export async function fastConnect(argv: readonly string[]): Promise<number | undefined> {
  const options = parseConnectArgv(argv.slice(3));
  if (!options) return undefined;
  // A relay lives as long as its client session and allocates a little per message: V8's young
  // space would double itself a few times under that steady load (more memory, no speed gained:
  // what is allocated dies within the message). This flag is read when the space would grow.
  process.getBuiltinModule("node:v8").setFlagsFromString("--semi-space-growth-factor=1");
  const host = processHost();
  let prepared: PreparedConnect;
  try {
    prepared = prepareConnect(options, host.env, host.cwd);
  } catch {
    return undefined;
  }
  const log = relayLog(host.env, process.stderr, options.noColor);
  // Ctrl-C ends the session (exit 0, as `connect` always did); a second one ends it at once. So
  // does SIGTERM, which clients send their servers on exit, for a shared server's relay: its
  // session there is ended first (DELETE), so its process stops. Other relays die at once, as
  // before (a login renewal they interrupt is recorded for the next relay: oauth/refresh-record.ts).
  const abort = new AbortController();
  const onSignal = () => {
    if (abort.signal.aborted) process.exit(ExitCode.interrupted);
    abort.abort();
  };
  const term = relaysShare(prepared);
  process.on("SIGINT", onSignal);
  if (term) process.on("SIGTERM", onSignal);
  try {
    return await runConnect(prepared, { host, out: log, signal: abort.signal });
  } catch (error) {
    const [{ createOutput }, { reportError }] = await Promise.all([
      import("../../ui/output.js"),
      import("../../ui/report-error.js"),
    ]);
    const output = createOutput({ color: !options.noColor }, host.env);
    output.addSecrets(log.secrets);
    return reportError(error, output, abort.signal.aborted);
  } finally {
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
  }
}
