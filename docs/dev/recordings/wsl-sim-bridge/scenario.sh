#!/usr/bin/env bash
# The bridge on the simulated WSL machine: one lifecycle, no dead entry. Each step prints the
# command, then what it printed. Run inside the simulated WSL machine (a development tool) after setup.sh:
#   wsl-sim.sh --state /tmp/bridge-sim -- bash -lc 'docs/dev/recordings/wsl-sim-bridge/scenario.sh first|port|stop'
# ($T starts one client's `mcp-twin` entry as that client would, and calls one tool.)
set -u
run() { printf '\n$ %s\n' "$*"; bash -c "$*" 2>&1; }
D=/mnt/c/Users/alice/AppData/Roaming/Claude/claude_desktop_config.json
C=/mnt/c/Users/alice/.cursor/mcp.json
K=/home/bob/.claude.json
M=/mnt/c/Users/alice/AppData/Roaming/mcp-twin/mcp-twin.jsonc
T="node $(dirname "$(readlink -f "$0")")/try-entry.mjs"
export D C K M T
entries() { for f in "$K" "$D" "$C"; do node -e 'const [f]=process.argv.slice(1);const e=JSON.parse(require("fs").readFileSync(f,"utf8")).mcpServers["mcp-twin"];console.log(f+":\n  "+[e.command,...e.args].join(" "))' "$f"; done; }
export -f entries
every() { # call a tool through every client's entry
  $T claude-code "$K" "$@"; $T claude-desktop "$D" "$@"; $T cursor "$C" "$@"
}
export -f every
case "${1:-}" in
  first)
    run 'mcp-twin --version'
    run 'cat "$M"'
    run 'mcp-twin sync'
    run 'entries'
    run 'mcp-twin bridge status'
    run '$T claude-desktop "$D" memory_set "{\"key\":\"plan\",\"value\":\"auth: JWT with refresh tokens, jose\"}"'
    run '$T claude-code "$K" memory_get "{\"key\":\"plan\"}"'
    run '$T cursor "$C" notes_write "{\"path\":\"plans/auth\",\"content\":\"# Auth plan\\n\"}"'
    run 'mcp-twin bridge status'
    ;;
  port)
    run 'sed -i "s/\"port\": 17761/\"port\": 17762/" "$M" && grep -n port "$M"'
    run 'mcp-twin bridge status'
    run 'mcp-twin sync'
    run 'entries'
    run 'every memory_get "{\"key\":\"plan\"}"'
    run 'mcp-twin bridge status --json'
    ;;
  stop)
    for who in claude-code claude-desktop cursor; do
      run 'pid=$(node -p "require(\"/home/bob/.local/share/mcp-twin/bridge/serve.json\").pid"); echo "kill $pid"; kill "$pid"; sleep 1; mcp-twin bridge status | head -1'
      case $who in claude-code) f=$K;; claude-desktop) f=$D;; cursor) f=$C;; esac
      run "\$T $who $f memory_get '{\"key\":\"plan\"}'"
    done
    run 'mcp-twin bridge stop'
    run 'every notes_read "{\"path\":\"plans/auth\"}"'
    run 'mcp-twin bridge status'
    run 'mcp-twin doctor --server mcp-twin 2>&1 | grep -i bridge'
    ;;
esac
