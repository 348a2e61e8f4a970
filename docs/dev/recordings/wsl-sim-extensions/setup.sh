#!/usr/bin/env bash
# Install the packed mcp-twin (npm pack --pack-destination /tmp/ext-sim-pkg) in the simulated distro;
# make VS Code present on Windows and its server in WSL (a window connected to WSL ran there), with
# the Cline extension installed in that server; a project folder in WSL; a manifest with a
# filesystem server limited to WSL (it serves /home/bob/project) and a memory server for both sides.
set -u
run() { printf '\n$ %s\n' "$*"; bash -c "$*" 2>&1; }
run 'npm install -g /tmp/ext-sim-pkg/mcp-twin-*.tgz 2>&1 | tail -1'
run 'mkdir -p /mnt/c/Users/alice/AppData/Roaming/Code/User   # VS Code on Windows'
run 'mkdir -p ~/.vscode-server/data/User ~/.vscode-server/extensions/saoudrizwan.claude-dev-4.1.13   # its WSL server, Cline in it'
run 'mkdir -p ~/project && echo "only in WSL" > ~/project/README.md'
M=/mnt/c/Users/alice/AppData/Roaming/mcp-twin/mcp-twin.jsonc
run "mkdir -p \$(dirname $M) && cat > $M <<'JSON'
{
  \"servers\": {
    \"files\": { \"package\": \"@modelcontextprotocol/server-filesystem@2026.8.31\", \"args\": [\"/home/bob/project\"], \"environments\": [\"wsl\"] },
    \"memory\": { \"package\": \"@modelcontextprotocol/server-memory@2026.8.31\" }
  }
}
JSON
cat $M"
