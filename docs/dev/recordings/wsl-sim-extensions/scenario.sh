#!/usr/bin/env bash
# VS Code connected to WSL, and a WSL-side Cline, on the simulated WSL machine: which file each
# reads, which side each server starts on. Run inside the simulation after setup.sh:
#   wsl-sim.sh --state /tmp/ext-sim -- bash -lc 'docs/dev/recordings/wsl-sim-extensions/scenario.sh'
# ($T starts one entry of a config file as its client would, no shell, and calls one tool.)
set -u
run() { printf '\n$ %s\n' "$*"; bash -c "$*" 2>&1; }
W=/mnt/c/Users/alice/AppData/Roaming/Code/User/mcp.json
R=/home/bob/.vscode-server/data/User/mcp.json
L=/home/bob/.cline/data/settings/cline_mcp_settings.json
T="node $(dirname "$(readlink -f "$0")")/try-entry.mjs"
export W R L T
run 'mcp-twin sync'
run 'cat "$R"'
run 'node -e "const s=JSON.parse(require(\"fs\").readFileSync(process.argv[1],\"utf8\")).servers;for(const [n,e] of Object.entries(s))console.log(n+\": \"+[e.command,...e.args].join(\" \"))" "$W"'
run 'cat "$L"'
# A VS Code window connected to WSL takes files and memory from the remote file (by name, over the
# Windows file's), and starts them in WSL, as a WSL-side Cline does from its own file:
run '$T "VS Code, WSL window" "$R" servers files list_directory "{\"path\":\"/home/bob/project\"}"'
run '$T "Cline in WSL" "$L" mcpServers files read_text_file "{\"path\":\"/home/bob/project/README.md\"}"'
run '$T "Cline in WSL" "$L" mcpServers memory read_graph "{}"'
# A Windows window takes the Windows file: the WSL-only server through wsl.exe, into the same distro.
run '$T "VS Code, Windows window" "$W" servers files list_directory "{\"path\":\"/home/bob/project\"}"'
run 'mcp-twin status'
run 'mcp-twin uninstall --yes 2>&1 | tail -4; ls "$R" "$L" 2>&1'
