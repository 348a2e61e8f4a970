/**
 * `connect`'s command line without commander, for the lean entry; what it cannot take as it is
 * (help, a flag it does not know, a second argument) is null: the full command line takes it.
 */
import { leanArgv } from "../shared/lean-argv.js";
import type { ConnectOptions } from "./prepare.js";

export interface ConnectArgv extends ConnectOptions {
  /** --no-color */
  noColor: boolean;
}

const FLAGS = {
  header: { type: "string", multiple: true },
  "token-file": { type: "string" },
  transport: { type: "string" },
  auth: { type: "string" },
  as: { type: "string" },
  "no-start": { type: "boolean" },
  "no-color": { type: "boolean" },
  verbose: { type: "boolean" },
} as const;

export function parseConnectArgv(args: readonly string[]): ConnectArgv | null {
  const parsed = leanArgv(args, FLAGS);
  const url = parsed?.positionals.length === 1 ? parsed.positionals[0] : undefined;
  if (!parsed || url === undefined) return null;
  const v = parsed.values;
  return {
    url,
    header: v.header ?? [],
    tokenFile: v["token-file"],
    start: v["no-start"] !== true,
    transport: v.transport ?? "http",
    auth: v.auth,
    client: v.as,
    noColor: v["no-color"] === true,
  };
}
