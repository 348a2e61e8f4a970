/**
 * The bridge, when the manifest enables it, at the manifest's settings: its token, what runs at its
 * address, and whether Windows clients reach it from WSL. Pure: gather/bridge-phase.ts gathers.
 */

import { portHeldBy } from "../../bridge-link/index.js";
import { BRIDGE_ENTRY } from "../../manifest/bridge-entry-name.js";
import { own } from "../../plain-records.js";
import { defineCheck } from "../check-def.js";
import { type Finding, finding } from "../types.js";

/**
 * The bridge, when the manifest enables it, at the manifest's settings: its token exists; what runs
 * at its address — this home's bridge answering MCP with the token, nothing (fine: every entry
 * starts it), or something else holding the port (named, with the fix); and — seen from WSL —
 * whether Windows clients should reach it through WSL's localhost forwarding, as .wslconfig says
 * (read, not tried from Windows). Pure: gather/bridge-phase.ts gathers.
 */
export const bridgeChecks = [
  defineCheck({
    id: "bridge.token",
    scope: "machine",
    doc: "bridge enabled but no token (neither sync nor the bridge ever ran), an empty one, or one readable by others.",
    fix: "`mcp-twin sync` (it creates the token) or `mcp-twin bridge start`; `chmod 600`.",
    run: ({ bridge: b }) => {
      if (!b) return [];
      const { file, token, where } = b;
      if (token.state === "missing")
        return [
          finding("fail", where, `no bridge token at ${file}: the bridge has not started here yet.`, {
            fix: "Run `mcp-twin sync` (it creates the token), or start the bridge once: `mcp-twin bridge start`.",
          }),
        ];
      if (token.state === "empty")
        return [
          finding("fail", where, `the bridge token ${file} is empty.`, {
            fix: "Delete it and start the bridge again (`mcp-twin bridge restart`).",
          }),
        ];
      if (token.modesMatter && (token.mode & 0o077) !== 0)
        return [
          finding(
            "warn",
            where,
            `the bridge token ${file} is readable by others (mode ${(token.mode & 0o777).toString(8)}).`,
            { fix: `Run \`chmod 600 ${file}\`.` },
          ),
        ];
      return [finding("pass", where, `bridge token ${file}.`)];
    },
  }),
  defineCheck({
    id: "bridge.reachable",
    scope: "machine",
    doc: "what runs at the manifest's bridge address (`http://<bridge.host>:<bridge.port>/mcp`, the same settings every path uses): this home's bridge answering an MCP `initialize` with this home's token (pass, with its version); nothing (pass when a client config holds the bridge's entry — the bridge's own entry is a `connect` relay that starts the bridge on first use; warn when none does, as before the first sync or after an uninstall); or something else holding the port (fail), named from its answer — another mcp-twin bridge that refuses this home's token (another home, or another WSL distro: distros share one network), a program asking for other credentials, a web server — and, on Linux/WSL, by pid and command line. Skip when not enabled (with shared servers, saying that the bridge runs for them and only its own tools are off).",
    fix: 'no entry yet: `mcp-twin sync` writes them; the port held: `mcp-twin sync`, which moves this home\'s gateway to a free port and points the entries there — or, when the manifest pins the port, another port, named free now (`"bridge": { "port": <n> }` in the manifest, then `mcp-twin sync`). The relays themselves (`mcp-twin` entries) are not probed: that would start a bridge that outlives doctor.',
    run: ({ bridge: b, manifest, configs, shared }) => {
      if (!b && manifest && shared?.status?.shared.length)
        // Shared servers run in the bridge whatever `bridge.enabled` says: only its own tools are off.
        return [
          finding(
            "skip",
            {},
            "the bridge's own tools (memory, notes, hand-offs) are not enabled in the manifest; it runs for the shared servers (see shared.status).",
          ),
        ];
      if (!b) return manifest ? [finding("skip", {}, "the bridge is not enabled in the manifest.")] : [];
      const r = b.reach;
      if (!r) return [];
      const { url, where } = b;
      if (r.state === "ours")
        return [
          finding(
            "pass",
            where,
            `the bridge at ${url} answers with this home's token (mcp-twin ${r.version}, ${r.ms} ms).`,
          ),
        ];
      // Not running is fine: every entry runs `mcp-twin connect`, which starts it on first use —
      // when there is an entry: before the first sync (or after an uninstall) no client has one.
      if (r.state === "free") {
        const holding = configs.filter((c) =>
          c.config.sets.some((set) => own(set.entries, BRIDGE_ENTRY) !== undefined),
        );
        return [
          holding.length > 0
            ? finding(
                "pass",
                where,
                `the bridge is not running at ${url} now; the client entries that reach it (${holding.length === 1 ? "1 config" : `${holding.length} configs`}) start it on first use.`,
              )
            : finding(
                "warn",
                where,
                `the bridge is not running at ${url}, and no client config checked holds its entry (${BRIDGE_ENTRY}), so nothing will start it.`,
                {
                  fix: "Run `mcp-twin sync`: it writes the bridge's entry into every client and starts the bridge.",
                },
              ),
        ];
      }
      return [
        finding(
          "fail",
          where,
          `${portHeldBy(b.port, r.what, r.holder)}; this home's bridge cannot run there.`,
          {
            // `mcp-twin bridge start` would fail the same way: the fix moves the bridge.
            fix: r.fix,
          },
        ),
      ];
    },
  }),
  defineCheck({
    id: "bridge.windows",
    scope: "machine",
    doc: "from WSL: `.wslconfig` turns `localhostForwarding` off (NAT mode), so Windows clients cannot reach the bridge in WSL. Read from the file, not tried from Windows: a pass says they should reach it.",
    fix: "remove it, or use `networkingMode=mirrored`; `wsl --shutdown`.",
    run: ({ bridge: b }): Finding[] => {
      const conf = b?.wslConfig;
      if (!b || !conf) return [];
      if (conf.networkingMode !== "mirrored" && conf.localhostForwarding === false)
        return [
          finding(
            "fail",
            b.where,
            `%USERPROFILE%\\.wslconfig sets localhostForwarding=false: Windows clients cannot reach the bridge on 127.0.0.1:${b.port} in WSL.`,
            {
              fix: "Remove localhostForwarding=false (or use networkingMode=mirrored), then `wsl --shutdown`.",
            },
          ),
        ];
      // Read from .wslconfig, not tried: a connection from Windows would cost a Windows process
      // (tens to hundreds of ms through interop) and needs the bridge running, which it need not be.
      const how =
        conf.networkingMode === "mirrored"
          ? "%USERPROFILE%\\.wslconfig sets networkingMode=mirrored"
          : "localhost forwarding is on (WSL's default; %USERPROFILE%\\.wslconfig does not turn it off)";
      return [
        finding(
          "pass",
          b.where,
          `Windows clients should reach 127.0.0.1:${b.port} in WSL: ${how}; not tried from Windows.`,
        ),
      ];
    },
  }),
] as const;
