/**
 * `connect`'s command line without commander, for the lean entry; what it cannot take as it is
 * (help, a flag it does not know, a second argument) is null: the full command line takes it.
 */
import type { ConnectOptions } from "./prepare.js";

export interface ConnectArgv extends ConnectOptions {
  /** --no-color */
  noColor: boolean;
}

export function parseConnectArgv(args: readonly string[]): ConnectArgv | null {
  const o: ConnectArgv = { url: undefined, header: [], start: true, transport: "http", noColor: false };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? "";
    const eq = arg.startsWith("--") ? arg.indexOf("=") : -1;
    const flag = eq === -1 ? arg : arg.slice(0, eq);
    const value = (): string | null => {
      if (eq !== -1) return arg.slice(eq + 1);
      const next = args[++i];
      return next === undefined || next.startsWith("-") ? null : next;
    };
    const bare = eq === -1;
    const valued = ["--header", "--token-file", "--transport", "--auth", "--as"];
    if (valued.includes(flag)) {
      const v = value();
      if (v === null) return null;
      if (flag === "--header") o.header.push(v);
      else if (flag === "--token-file") o.tokenFile = v;
      else if (flag === "--transport") o.transport = v;
      else if (flag === "--as") o.client = v;
      else o.auth = v;
      continue;
    }
    switch (flag) {
      case "--no-start":
        if (!bare) return null;
        o.start = false;
        break;
      case "--no-color":
        if (!bare) return null;
        o.noColor = true;
        break;
      case "--verbose":
        if (!bare) return null;
        break;
      default:
        if (arg.startsWith("-") || o.url !== undefined) return null;
        o.url = arg;
    }
  }
  return o.url === undefined ? null : o;
}
