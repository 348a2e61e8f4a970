#!/usr/bin/env bash
# Install the packed mcp-twin (npm pack --pack-destination /tmp/bridge-sim-pkg) in the simulated
# distro, make Claude Code present, enable the bridge on port 17761.
set -u
run() { printf '\n$ %s\n' "$*"; bash -c "$*" 2>&1; }
run 'npm install -g /tmp/bridge-sim-pkg/mcp-twin-0.1.0.tgz 2>&1 | tail -1'
run 'echo "{}" > ~/.claude.json   # Claude Code has run once in WSL'
run 'mcp-twin init --yes --bridge --no-sync'
run 'sed -i "s/\"enabled\": true/\"enabled\": true,\n    \"port\": 17761/" /mnt/c/Users/alice/AppData/Roaming/mcp-twin/mcp-twin.jsonc'
