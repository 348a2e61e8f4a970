/**
 * The systemd user unit sync installs, judged by a real systemd (opt-in: MCP_TWIN_REAL_SYSTEMD=1,
 * as root, with util-linux `unshare` and systemd installed; skipped with the reason otherwise).
 * A user manager (`systemd --user`) runs in a mount namespace of its own — where
 * `/run/systemd/system` exists, as on a machine booted with systemd — in a temp HOME: sync
 * installs, enables and starts the socket unit, handing it the port of the bridge it started, and
 * the bridge runs again as systemd's (its child, in the service's cgroup, no keeper of ours); a
 * bridge killed with SIGKILL is back within 10 s, the port held by systemd meanwhile; a sync with
 * all in place restarts nothing; `bridge stop` leaves the port systemd's, and `bridge start` is
 * an activation; uninstall stops the socket unit and the port is free.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, expect, inject, test } from "vitest";
import { BIN } from "../helpers/fake-machine.js";
import { freePort } from "../helpers/net.js";

const SYSTEMD = "/lib/systemd/systemd";

function skipReason(): string | undefined {
  if (process.env.MCP_TWIN_REAL_SYSTEMD !== "1")
    return "opt-in: set MCP_TWIN_REAL_SYSTEMD=1 (runs systemd --user as root in a mount namespace)";
  if (process.platform !== "linux" || process.getuid?.() !== 0)
    return "needs Linux and root (a mount namespace)";
  if (!existsSync(SYSTEMD)) return `no ${SYSTEMD}`;
  if (spawnSync("unshare", ["--version"]).status !== 0) return "no util-linux unshare";
  return undefined;
}
const skip = skipReason();
// Shown in every run's output, so a skip is never silent.
if (skip) console.warn(`real systemd unit test skipped: ${skip}`);

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** What the script inside the namespace does, each finding a `key=value` line. */
const SCRIPT = `
set -u
mount -t tmpfs tmpfs /run/systemd && mkdir -p /run/systemd/system || { echo "fail=no namespace mount"; exit 0; }
${SYSTEMD} --user >"$ROOT/systemd.log" 2>&1 &
SD=$!
for i in $(seq 1 50); do systemctl --user is-system-running >/dev/null 2>&1 && break; sleep 0.1; done
echo "manager=$(systemctl --user is-system-running 2>&1)"
node "$BIN" sync --client claude-code >"$ROOT/sync.out" 2>&1; echo "sync=$?"
SOCKET=mcp-twin-bridge.socket; UNIT=mcp-twin-bridge.service
echo "enabled=$(systemctl --user is-enabled $SOCKET 2>&1)"
echo "listening=$(systemctl --user is-active $SOCKET 2>&1)"
bridgePid() { node -e 'try { console.log(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).pid) } catch { console.log(0) }' "$STATE/serve.json"; }
binds() { node -e 'const s = require("net").createServer(); s.once("error", (e) => console.log(e.code)); s.listen(+process.argv[1], "127.0.0.1", () => s.close(() => console.log("bound")))' "$PORT"; }
running() { node "$BIN" bridge status --json 2>/dev/null | grep -q '"state": *"running"'; }
for i in $(seq 1 100); do running && break; sleep 0.1; done
PID=$(bridgePid); echo "first=$PID"
echo "parentIsManager=$([ "$(awk '{print $4}' /proc/$PID/stat)" = "$SD" ] && echo yes || echo no)"
echo "inUnit=$(grep -q "$UNIT" /proc/$PID/cgroup && echo yes || echo no)"
echo "keeperFile=$([ -e "$STATE/keeper.json" ] && echo yes || echo no)"
kill -9 "$PID"; T0=$(date +%s%N)
echo "heldWhileDown=$(binds)"
for i in $(seq 1 200); do
  NP=$(bridgePid)
  if [ "$NP" != 0 ] && [ "$NP" != "$PID" ] && running; then
    echo "back=$NP"; echo "backMs=$(( ($(date +%s%N) - T0) / 1000000 ))"; break
  fi
  sleep 0.1
done
node "$BIN" sync --client claude-code >"$ROOT/sync2.out" 2>&1; echo "syncAgain=$?"
echo "sameAfterSync=$([ "$(bridgePid)" = "$NP" ] && echo yes || echo no)"
node "$BIN" bridge stop >/dev/null 2>&1; echo "stop=$?"
echo "heldAfterStop=$(binds)"
node "$BIN" bridge start >/dev/null 2>&1; echo "startAfterStop=$?"
echo "startedByManager=$([ "$(awk '{print $4}' /proc/$(bridgePid)/stat)" = "$SD" ] && echo yes || echo no)"
node "$BIN" uninstall --yes >"$ROOT/uninstall.out" 2>&1; echo "uninstall=$?"
echo "socketAfterUninstall=$(systemctl --user is-active $SOCKET 2>&1)"
echo "portAfterUninstall=$(binds)"
kill $SD; wait $SD 2>/dev/null
`;

test.skipIf(skip !== undefined)(
  `a real systemd runs the unit sync installs${skip ? ` (skipped: ${skip})` : ""}`,
  async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), "mcp-twin-systemd-"));
    dirs.push(root);
    const home = path.join(root, "home");
    const runtime = path.join(root, "run");
    mkdirSync(path.join(home, ".config", "mcp-twin"), { recursive: true });
    mkdirSync(runtime, { mode: 0o700 });
    const port = await freePort();
    const manifest = {
      bridge: { port },
      servers: { fix: { command: process.execPath, args: [inject("fixtureSdkScript")], share: "machine" } },
    };
    writeFileSync(path.join(home, ".config", "mcp-twin", "mcp-twin.jsonc"), JSON.stringify(manifest));
    const out = execFileSync("unshare", ["-m", "--propagation", "private", "bash", "-c", SCRIPT], {
      env: {
        PATH: process.env.PATH ?? "",
        HOME: home,
        XDG_RUNTIME_DIR: runtime,
        ROOT: root,
        BIN,
        PORT: String(port),
        STATE: path.join(home, ".local", "share", "mcp-twin", "bridge"),
        NO_COLOR: "1",
      },
      encoding: "utf8",
      timeout: 150_000,
    });
    const found = Object.fromEntries(
      out
        .split("\n")
        .filter((l) => l.includes("="))
        .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
    );
    expect(found.fail).toBeUndefined();
    expect(found.manager).toMatch(/^(running|degraded)$/);
    expect(found.sync).toBe("0");
    // The socket unit is enabled and listens: the bridge sync started was handed over to it.
    expect(found.enabled).toBe("enabled");
    expect(found.listening).toBe("active");
    expect(Number(found.first)).toBeGreaterThan(0);
    expect(found.parentIsManager).toBe("yes");
    expect(found.inUnit).toBe("yes");
    expect(found.keeperFile).toBe("no");
    // Killed: systemd holds the port, and starts a new bridge on it.
    expect(found.heldWhileDown).toBe("EADDRINUSE");
    expect(Number(found.back)).toBeGreaterThan(0);
    expect(Number(found.backMs)).toBeLessThan(10_000);
    // A sync with everything in place hands nothing over.
    expect(found.syncAgain).toBe("0");
    expect(found.sameAfterSync).toBe("yes");
    // `bridge stop` ends the bridge; the port stays systemd's, and a start is an activation.
    expect(found.stop).toBe("0");
    expect(found.heldAfterStop).toBe("EADDRINUSE");
    expect(found.startAfterStop).toBe("0");
    expect(found.startedByManager).toBe("yes");
    // uninstall lets the port go.
    expect(found.uninstall).toBe("0");
    expect(found.socketAfterUninstall).not.toBe("active");
    expect(found.portAfterUninstall).toBe("bound");
    console.info(`real systemd: the bridge was back ${found.backMs} ms after SIGKILL`);
  },
  180_000,
);
