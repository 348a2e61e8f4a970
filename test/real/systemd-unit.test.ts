/**
 * The systemd user unit sync installs, judged by a real systemd (opt-in: MCP_TWIN_REAL_SYSTEMD=1,
 * as root, with util-linux `unshare` and systemd installed; skipped with the reason otherwise).
 * A user manager (`systemd --user`) runs in a mount namespace of its own — where
 * `/run/systemd/system` exists, as on a machine booted with systemd — in a temp HOME: sync
 * installs and enables the unit; the unit starts the bridge; a bridge killed with SIGKILL is back
 * within 10 s; a second start while one runs exits 3 and is not restarted.
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
UNIT=mcp-twin-bridge.service
echo "enabled=$(systemctl --user is-enabled $UNIT 2>&1)"
node "$BIN" bridge stop >/dev/null 2>&1
systemctl --user start $UNIT
for i in $(seq 1 100); do node "$BIN" bridge status --json 2>/dev/null | grep -q '"state": *"running"' && break; sleep 0.1; done
PID=$(systemctl --user show -p MainPID --value $UNIT); echo "first=$PID"
kill -9 "$PID"; T0=$(date +%s%N)
for i in $(seq 1 200); do
  NP=$(systemctl --user show -p MainPID --value $UNIT)
  if [ "$NP" != 0 ] && [ "$NP" != "$PID" ] && node "$BIN" bridge status --json 2>/dev/null | grep -q '"state": *"running"'; then
    echo "back=$NP"; echo "backMs=$(( ($(date +%s%N) - T0) / 1000000 ))"; break
  fi
  sleep 0.1
done
cp "$HOME/.config/systemd/user/$UNIT" "$HOME/.config/systemd/user/second-$UNIT"
systemctl --user daemon-reload
systemctl --user start second-$UNIT; sleep 3
echo "secondStatus=$(systemctl --user show -p ExecMainStatus --value second-$UNIT)"
echo "secondRestarts=$(systemctl --user show -p NRestarts --value second-$UNIT)"
echo "stillRunning=$(systemctl --user show -p MainPID --value $UNIT)"
systemctl --user stop $UNIT second-$UNIT
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
    const manifest = {
      bridge: { port: await freePort() },
      servers: { fix: { command: process.execPath, args: [inject("fixtureScript")], share: "machine" } },
    };
    writeFileSync(path.join(home, ".config", "mcp-twin", "mcp-twin.jsonc"), JSON.stringify(manifest));
    const out = execFileSync("unshare", ["-m", "--propagation", "private", "bash", "-c", SCRIPT], {
      env: {
        PATH: process.env.PATH ?? "",
        HOME: home,
        XDG_RUNTIME_DIR: runtime,
        ROOT: root,
        BIN,
        NO_COLOR: "1",
      },
      encoding: "utf8",
      timeout: 120_000,
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
    expect(found.enabled).toBe("enabled");
    expect(Number(found.first)).toBeGreaterThan(0);
    // Restarted by systemd, not by anything of mcp-twin's: a new main process, answering.
    expect(Number(found.back)).toBeGreaterThan(0);
    expect(Number(found.backMs)).toBeLessThan(10_000);
    // Another bridge of this home runs: exit 3, which the unit tells systemd not to restart.
    expect(found.secondStatus).toBe("3");
    expect(found.secondRestarts).toBe("0");
    expect(found.stillRunning).toBe(found.back);
    console.info(`real systemd: the bridge was back ${found.backMs} ms after SIGKILL`);
  },
  180_000,
);
