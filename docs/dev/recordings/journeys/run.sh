#!/usr/bin/env bash
# docs/dev/recordings/journeys/run.sh — the first-ten-minutes journeys of a new user, on the simulated WSL machine.
#
#   docs/dev/recordings/journeys/run.sh [--checkout DIR] [--tarball TGZ] [--sim DIR] [--out DIR] [--work DIR] [--parallel] [JOURNEY...]
#
# Packs the CLI from a checkout (`npm pack`, after `npm run build`), then for each journey starts the
# simulated WSL2 machine (../shared/wsl-sim) with its own --state under WORK, in its own tmux session,
# and types what a new user types (send-keys), reading the screen back (capture-pane):
#   npm install -g <tarball>, mcp-twin init (the wizard answered by keystrokes, the API key typed
#   into its masked prompt), status, doctor, a no-op sync (interop calls counted), a typo
#   (sync --client claude), add time (a uvx server on a machine without uv) + sync + doctor,
#   add --help, search and add of an MCP Registry name (offline here).
# Journeys: a = fresh machine (then `remove time` + sync); b = hand-written Claude Desktop entries (imported; context7 added from the catalogue)
# on the Windows side (cmd /c npx, an inline key) and Claude Code's ~/.claude.json (then
# `uninstall`: the hand-written entries given back); c = Claude Desktop from its MSIX package, with
# a leftover classic %APPDATA%\Claude file; d = no Linux npm (--no-linux-npm: PATH finds Windows'
# npm), Claude Code present; e = Ctrl-C at the wizard's masked key prompt (nothing written?), init
# again with the bridge (its port set to BRIDGE_PORT, never the default 7760), a real MCP call through
# a Windows and a WSL entry (try-entry.mjs, copied into the sim's home), a project (`sync --project
# .`, then a project manifest), an installed package deleted, a client config cut in half and
# doctor's advice followed, `uninstall`, `bridge stop` (and a check by pid that nothing runs).
# Output: OUT/<journey>.md (commands, their exact screen output, exit code, wall time), OUT/<journey>.raw
# (every capture, with live frames taken while a command ran), OUT/summary.txt (timings, interop
# counts, secret check), OUT/first-ten-minutes.md (every journey's .md under one header). Only
# journey e enables the bridge, and stops it; each tmux session is ended by its own name.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CHECKOUT="$(cd "$HERE/../../../.." && pwd)"
SIM="$(cd "$CHECKOUT/../../shared/wsl-sim" 2>/dev/null && pwd || echo /work/shared/wsl-sim)"
OUT=""
WORK=/tmp/mcp-twin-journeys
JOURNEYS=(); PARALLEL=0; TARBALL=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --checkout) CHECKOUT="$(cd "$2" && pwd)"; shift 2;;
    --sim) SIM="$(cd "$2" && pwd)"; shift 2;;
    --out) OUT="$2"; shift 2;;
    --work) WORK="$2"; shift 2;;
    --tarball) TARBALL="$(readlink -f "$2")"; shift 2;;
    --parallel) PARALLEL=1; shift;;
    -h|--help) sed -n "2,27p" "$0"; exit 0;;
    *) JOURNEYS+=("$1"); shift;;
  esac
done
[[ ${#JOURNEYS[@]} -gt 0 ]] || JOURNEYS=(a b c d e)
# Out of the repository by default: a folder under docs/ is a page the README must link.
OUT="${OUT:-$WORK/out}"
mkdir -p "$OUT" "$WORK"
OUT="$(cd "$OUT" && pwd)"

# The keys typed into the wizard (and written by hand into Desktop's file in journey b): fake, but
# of the catalogue's shape, so the wizard takes them. Each must appear in no transcript.
KEY_TYPED="tvly-typedJ0urneyK3yQ7x"
KEY_INLINE="tvly-inlineDesktopK3yW9z"
# Journey e's bridge port: the sim shares this machine's network, so never the default 7760.
BRIDGE_PORT="${BRIDGE_PORT:-7791}"
# Every journey's gateway starts (a catalogue server is shared by default) at the port its home keeps:
# chosen free on the first start (7760 when free) and recorded in the home's bridge.json. Here each
# journey's fresh home gets its own recorded beforehand, as mcp-twin would have written it, so
# journeys side by side never meet each other's gateway, nor anything on this machine's 7760.
declare -A DEFAULT_PORT=([a]=7792 [b]=7793 [c]=7794 [d]=7795 [e]=7796)

pack() {
  (cd "$CHECKOUT" && npm run build >/dev/null 2>&1 && npm pack --pack-destination "$WORK" 2>/dev/null | tail -1)
}

# ---- tmux helpers -------------------------------------------------------------------------------
S="" ; J="" ; STATE=""
screen() { tmux capture-pane -p -J -t "$S" -S - -E - | sed -e 's/[[:space:]]*$//'; }
# the screen without the blank rows below the last line written (the closing `$` prompt stays)
no_trailing_blanks() { awk 'NF{for(;b>0;b--)print "";print;next}{b++}'; }
# last non-empty line of the screen
last_line() { screen | awk 'NF{l=$0} END{print l}'; }
at_prompt() { [[ "$(last_line)" == '$' ]]; }
# ANSWERS: "REGEX=>KEYS" items for the step about to run: a question matching REGEX gets KEYS
# (tmux key names, space separated, e.g. "y Enter"); step() empties it after each step.
ANSWERS=()
# restore's and uninstall's one question names what it will do: "Put back 1 whole file?", "Change 1
# file and delete 3 files?", "Delete 3 files and uninstall the packages?" (src/ui/reports/undo-report.ts)
UNDO_Q='^[?] (Put back|Create|Change|Delete) [0-9]+ '
wait_prompt() { # $1 timeout seconds; writes frames to raw while waiting; a question is answered
  # as ANSWERS says, else with its default (Enter), as a user who trusts the defaults would, and
  # the raw log says so
  local t0=$SECONDS n=0 prev="" asked=""
  while ! at_prompt; do
    sleep 0.5; n=$((n + 1))
    local scr; scr="$(screen)"
    if (( n % 12 == 0 )); then { echo "---- frame at $((SECONDS - t0))s"; printf '%s\n' "$scr" | awk 'NF' | tail -8; } >> "$OUT/$J.raw"; fi
    local q; q="$(printf '%s\n' "$scr" | awk 'NF{l=$0} END{print l}')"
    if [[ "$scr" == "$prev" && "$q" == "? "* && "$q" != "$asked" ]]; then
      local a keys=""
      for a in "${ANSWERS[@]}"; do
        [[ "$q" =~ ${a%%=>*} ]] && { keys="${a#*=>}"; break; }
      done
      if [[ -n "$keys" ]]; then
        echo "---- answered ($keys): $q" >> "$OUT/$J.raw"
        # shellcheck disable=SC2086 # key names, one word each
        tmux send-keys -t "$S" $keys
      else
        echo "---- default taken for: $q" >> "$OUT/$J.raw"
        tmux send-keys -t "$S" Enter
      fi
      asked="$q"
    fi
    prev="$scr"
    (( SECONDS - t0 > $1 )) && { echo "!! timeout after $1 s" >> "$OUT/$J.raw"; return 1; }
  done
}
reset_screen() { tmux send-keys -t "$S" clear Enter; sleep 0.6; tmux clear-history -t "$S"; }
md() { printf '%s\n' "$*" >> "$OUT/$J.md"; }
# the exit code of the command that just ended, asked of the shell after the capture
last_rc() {
  rm -f "$STATE/rc"; tmux send-keys -t "$S" "echo \$? > $STATE/rc" Enter
  local i; for i in $(seq 40); do [[ -s "$STATE/rc" ]] && break; sleep 0.25; done
  cat "$STATE/rc" 2>/dev/null || echo '?'
}
now_ms() { date +%s%3N; }
# step "title" "command line": type it, wait, record screen, exit code, time
step() {
  local title="$1" cmd="$2" timeout="${3:-600}"
  reset_screen
  local t0 i0; t0=$(now_ms); i0=$(wc -l < "$STATE/interop.log")
  tmux send-keys -t "$S" -l "$cmd"; tmux send-keys -t "$S" Enter
  sleep 0.3
  wait_prompt "$timeout" || true
  local ms=$(( $(now_ms) - t0 ))
  local out; out="$(screen | no_trailing_blanks)"
  local calls=$(( $(wc -l < "$STATE/interop.log") - i0 ))
  local rc; rc="$(last_rc)"
  { echo "==== $title ($ms ms, exit $rc, $calls interop calls)"; echo "$out"; } >> "$OUT/$J.raw"
  md "### $title"; md ""; md '```'; md "$out"; md '```'
  md "exit $rc · $(awk "BEGIN{printf \"%.1f\", $ms/1000}") s · $calls calls of a Windows program (cmd.exe, wsl.exe, powershell.exe, node.exe)"; md ""
  LAST_MS=$ms; LAST_OUT="$out"; LAST_RC="$rc"; ANSWERS=()
}

# the wizard: answer each question as it comes, by what it asks
# $1: servers to pick from the catalogue (space separated); $2: the title (optional)
# WIZ_BRIDGE: y answers Yes to the bridge question (default n); WIZ_INTERRUPT=1 types the start of
# the key into the masked key prompt, then Ctrl-C (the frame with the masked key goes to raw and md)
WIZ_BRIDGE=n; WIZ_INTERRUPT=0
wizard() {
  local picks=($1) title="${2:-mcp-twin init (the wizard, answered in tmux)}" masked=""
  reset_screen
  local t0; t0=$(now_ms) confirm_ms=0; LIVE_FRAME=""; LIVE_AT=0
  local i0; i0=$(wc -l < "$STATE/interop.log")
  tmux send-keys -t "$S" -l "mcp-twin init"; tmux send-keys -t "$S" Enter
  local prev="" stable=0 answered=0 t_end=$((SECONDS + 900))
  while (( SECONDS < t_end )); do
    sleep 1
    at_prompt && break
    local scr; scr="$(screen)"
    if (( confirm_ms > 0 && SECONDS % 6 == 0 )); then
      local frame; frame="$(printf '%s\n' "$scr" | awk 'NF' | tail -6)"
      { echo "---- frame at $(( ($(now_ms) - confirm_ms) / 1000 ))s after the confirmation"; echo "$frame"; } >> "$OUT/$J.raw"
      # the live lines while npm works: keep the last frame that shows them
      if grep -q 'Installing in' <<< "$frame"; then
        LIVE_FRAME="$(grep -A5 'Installing in' <<< "$frame")"; LIVE_AT=$(( ($(now_ms) - confirm_ms) / 1000 ))
      fi
    fi
    [[ "$scr" == "$prev" ]] && stable=$((stable + 1)) || stable=0
    prev="$scr"
    (( stable >= 1 )) || continue
    # the open question: the last line that starts with "? "
    local q; q="$(printf '%s\n' "$scr" | grep -E '^\? ' | tail -1 || true)"
    [[ -n "$q" ]] || continue
    { echo "---- question: $q"; } >> "$OUT/$J.raw"
    if [[ "$q" =~ catalogue|Registry ]]; then
      if [[ ${#picks[@]} -gt 0 ]]; then
        tmux send-keys -t "$S" -l "${picks[0]}"; sleep 3
        tmux send-keys -t "$S" Enter; picks=("${picks[@]:1}")
      else
        tmux send-keys -t "$S" Enter
      fi
    elif [[ "$q" =~ [Kk]ey && "$q" =~ [Tt]avily && "$WIZ_INTERRUPT" == 1 ]]; then
      # a user who pasted the wrong thing: part of a key typed, then Ctrl-C
      tmux send-keys -t "$S" -l "${KEY_TYPED:0:9}"; sleep 1
      masked="$(screen | grep -E '^\? ' | tail -1)"
      echo "---- typed 9 characters of the key, then Ctrl-C; the prompt showed: $masked" >> "$OUT/$J.raw"
      tmux send-keys -t "$S" C-c
    elif [[ "$q" =~ [Kk]ey && "$q" =~ [Tt]avily ]]; then
      tmux send-keys -t "$S" -l "$KEY_TYPED"; tmux send-keys -t "$S" Enter
    elif [[ "$q" =~ [Kk]ey|[Tt]oken ]]; then
      tmux send-keys -t "$S" Enter   # an optional key: skipped
    elif [[ "$q" =~ bridge ]]; then
      echo "---- answered $WIZ_BRIDGE: $q" >> "$OUT/$J.raw"
      tmux send-keys -t "$S" "$WIZ_BRIDGE" Enter
    elif [[ "$q" =~ Write|[Ii]nstall ]]; then
      echo "---- confirmed: $q" >> "$OUT/$J.raw"; confirm_ms=$(now_ms)
      tmux send-keys -t "$S" Enter   # the default (Yes)
    else
      tmux send-keys -t "$S" Enter   # any other question: its default, recorded in the raw log
      echo "---- default taken for: $q" >> "$OUT/$J.raw"
    fi
    answered=$((answered + 1))
    sleep 1.5
  done
  local end; end=$(now_ms)
  local out; out="$(screen | no_trailing_blanks)"
  local rc; rc="$(last_rc)"
  INIT_AFTER_CONFIRM_MS=$(( confirm_ms > 0 ? end - confirm_ms : 0 ))
  { echo "==== $title (total $((end - t0)) ms, after the confirmation $INIT_AFTER_CONFIRM_MS ms, exit $rc)"; echo "$out"; } >> "$OUT/$J.raw"
  md "### $title"; md ""; md '```'; md "$out"; md '```'
  local took="from the confirmation to the prompt: $(awk "BEGIN{printf \"%.1f\", $INIT_AFTER_CONFIRM_MS/1000}") s"
  (( confirm_ms > 0 )) || took="no confirmation; $(awk "BEGIN{printf \"%.1f\", $((end - t0))/1000}") s in all"
  md "exit $rc · $took · $(( $(wc -l < "$STATE/interop.log") - i0 )) calls of a Windows program"; md ""
  LAST_RC="$rc"
  if [[ -n "$masked" ]]; then
    md "The masked key prompt after 9 characters were typed, just before Ctrl-C:"; md ""
    md '```'; md "$masked"; md '```'; md ""
  fi
  if [[ -n "$LIVE_FRAME" ]]; then
    md "The live lines while npm worked (the screen ${LIVE_AT} s after the confirmation):"; md ""
    md '```'; md "$LIVE_FRAME"; md '```'; md ""
  fi
}

# ---- seeds --------------------------------------------------------------------------------------
seed_desktop_handwritten() { # Windows Claude Desktop file, as a user writes it by hand (CRLF, 2 spaces)
  local f="$STATE/c/Users/alice/AppData/Roaming/Claude/claude_desktop_config.json"
  printf '{\r\n  "mcpServers": {\r\n    "memory": {\r\n      "command": "cmd",\r\n      "args": ["/c", "npx", "-y", "@modelcontextprotocol/server-memory"]\r\n    },\r\n    "tavily-mcp": {\r\n      "command": "cmd",\r\n      "args": ["/c", "npx", "-y", "tavily-mcp@0.2.22"],\r\n      "env": { "TAVILY_API_KEY": "%s" }\r\n    }\r\n  },\r\n  "globalShortcut": "Ctrl+Space"\r\n}\r\n' "$KEY_INLINE" > "$f"
  md "Seed: \`C:\\Users\\alice\\AppData\\Roaming\\Claude\\claude_desktop_config.json\` written by hand (CRLF): \`memory\` as \`cmd /c npx -y @modelcontextprotocol/server-memory\`, \`tavily-mcp\` as \`cmd /c npx -y tavily-mcp@0.2.22\` with an inline \`TAVILY_API_KEY\`, and \`globalShortcut\`."
}
seed_claude_code() { # Claude Code's user file with app state and no servers
  printf '{\n  "numStartups": 12,\n  "theme": "dark",\n  "projects": {\n    "/home/bob/app": { "allowedTools": [] }\n  }\n}\n' > "$STATE/home/bob/.claude.json"
  md "Seed: \`~/.claude.json\` (Claude Code in WSL) with app state and no servers."
}
seed_classic_leftover() { # MSIX machine with a classic file left from an earlier classic install
  local d="$STATE/c/Users/alice/AppData/Roaming/Claude"
  mkdir -p "$d"
  printf '{\n  "mcpServers": {\n    "memory": { "command": "npx", "args": ["-y", "@modelcontextprotocol/server-memory"] }\n  }\n}\n' > "$d/claude_desktop_config.json"
  md "Seed: Claude Desktop is the MSIX (Store) build (its config folder is under \`%LOCALAPPDATA%\\Packages\\Claude_pzs8sxrjxfjjc\\LocalCache\\Roaming\\Claude\`, empty), and a classic \`%APPDATA%\\Claude\\claude_desktop_config.json\` left from an earlier classic install holds \`memory\` as bare \`npx\`."
}

# ---- the steps of journeys a-d ------------------------------------------------------------------
journey_abcd() {
  wizard "$picks"
  INIT_MS=$INIT_AFTER_CONFIRM_MS
  step "mcp-twin status" "mcp-twin status" 120
  step "mcp-twin doctor" "mcp-twin doctor" 300
  local doctor1="$LAST_OUT"
  local before; before=$(wc -l < "$STATE/interop.log")
  step "mcp-twin sync (nothing new: a no-op)" "mcp-twin sync" 300
  NOOP_MS=$LAST_MS; local after; after=$(wc -l < "$STATE/interop.log")
  NOOP_CALLS=$((after - before))
  md "Interop calls of this no-op sync (lines added to STATE/interop.log): $NOOP_CALLS."; md ""
  { echo "---- interop calls of the no-op sync:"; sed -n "$((before + 1)),${after}p" "$STATE/interop.log" | cut -f2- | cut -c1-200; } >> "$OUT/$J.raw"
  case "$J" in
    c) # the classic file the Store build ignores: what import makes of it, then doctor's advice followed
       step "mcp-twin import (the servers of the classic file the Store build ignores)" "mcp-twin import" 300
       if grep -q 'Delete C:\\Users\\alice\\AppData\\Roaming\\Claude\\claude_desktop_config.json' <<< "$doctor1"; then
         step "doctor's advice followed: the classic file deleted" "rm /mnt/c/Users/alice/AppData/Roaming/Claude/claude_desktop_config.json" 30
         step "mcp-twin doctor" "mcp-twin doctor" 300
       else
         md "(doctor did not advise deleting the classic file this time.)"; md ""
       fi;;
    d) # what Claude Code was given without a Linux npm (command and arguments only: env holds the key)
       step "what Claude Code got (command and args of each entry)" \
         "node -e 'for (const [n, e] of Object.entries(require(\"/home/bob/.claude.json\").mcpServers)) console.log(n, e.command, (e.args || []).join(\" \"))'" 60;;
  esac
  step "a typo: mcp-twin sync --client claude" "mcp-twin sync --client claude" 300
  step "mcp-twin add time (a uvx server; this machine has no uv)" "mcp-twin add time" 120
  step "mcp-twin sync" "mcp-twin sync" 600
  step "mcp-twin doctor" "mcp-twin doctor" 300
  if [[ "$J" == a ]]; then # the uvx server cannot start here: the user takes it out again
    step "mcp-twin remove time" "mcp-twin remove time" 120
    step "mcp-twin sync" "mcp-twin sync" 300
  fi
  step "mcp-twin add --help" "mcp-twin add --help" 60
  step "mcp-twin search github (the MCP Registry is not reachable from here)" "mcp-twin search github" 120
  step "mcp-twin add io.github.github/github-mcp-server (a Registry name, offline)" "mcp-twin add io.github.github/github-mcp-server" 120
  # the bridge's pid, read before journey b's uninstall stops it (and removes its serve.json)
  local serve_json="$STATE/home/bob/.local/share/mcp-twin/bridge/serve.json"
  local gw_pid; gw_pid="$(grep -oE '"pid": *[0-9]+' "$serve_json" 2>/dev/null | grep -oE '[0-9]+' | head -1 || true)"
  if [[ "$J" == b ]]; then # leaving again: are the hand-written entries given back as they were written?
    ANSWERS=("$UNDO_Q=>y Enter")
    step "mcp-twin uninstall (answered y)" "mcp-twin uninstall" 300
    step "Claude Desktop's file after uninstall (the key masked by this script, not by mcp-twin)" \
      "sed -E 's/tvly-[A-Za-z0-9]+/tvly-<masked>/' /mnt/c/Users/alice/AppData/Roaming/Claude/claude_desktop_config.json" 60
    step "Claude Code's file after uninstall" "cat ~/.claude.json" 60
  fi
  # The catalogue shares memory and tavily, so sync started the bridge (at this journey's default
  # port): stopped here, as the sim shares this machine's network.
  step "mcp-twin bridge status" "mcp-twin bridge status" 120
  step "mcp-twin bridge stop" "mcp-twin bridge stop" 60
  local gone=yes; [[ -n "$gw_pid" ]] && kill -0 "$gw_pid" 2>/dev/null && { gone=no; kill "$gw_pid" 2>/dev/null || true; }
  local port=${DEFAULT_PORT[$J]} listening; listening="$(ss -ltnH "sport = :$port" 2>/dev/null | wc -l)"
  md "After the journey (checked outside the sim): the bridge's pid ${gw_pid:-none} $([[ $gone == yes ]] && echo 'is gone' || echo 'still ran, and was stopped by this script'); sockets listening on port $port: $listening."; md ""
  EXTRA+=$'\t'"bridge pid ${gw_pid:-none} gone: $gone, listening on $port: $listening"
}

# ---- journey e: Ctrl-C, the bridge, a project, a deleted package, a corrupt config, uninstall ------
journey_e() {
  local manifest=/mnt/c/Users/alice/AppData/Roaming/mcp-twin/mcp-twin.jsonc
  local desktop=/mnt/c/Users/alice/AppData/Roaming/Claude/claude_desktop_config.json
  local cursor=/mnt/c/Users/alice/.cursor/mcp.json
  local serve_json="$STATE/home/bob/.local/share/mcp-twin/bridge/serve.json"
  step "a marker, to find afterwards what init wrote" "touch ~/.before-init" 30
  WIZ_INTERRUPT=1
  wizard "tavily memory" "mcp-twin init, stopped with Ctrl-C at the masked key prompt"
  WIZ_INTERRUPT=0
  EXTRA+=$'\t'"Ctrl-C init exit $LAST_RC"
  step "what changed since the marker (files newer than it, in ~ and under C:\\Users\\alice)" \
    "find ~ /mnt/c/Users/alice -newer ~/.before-init" 60
  step "mcp-twin status (after the interrupted init)" "mcp-twin status" 120
  WIZ_BRIDGE=y
  wizard "tavily memory" "mcp-twin init again, to the end (the bridge: Yes)"
  WIZ_BRIDGE=n
  INIT_MS=$INIT_AFTER_CONFIRM_MS
  step "mcp-twin status" "mcp-twin status" 120
  step "the advice init printed for ~/.claude.json followed: chmod 600" "chmod 600 ~/.claude.json && ls -l ~/.claude.json" 30
  step "mcp-twin bridge status" "mcp-twin bridge status" 120
  # the sim shares this machine's network: the bridge gets a port of its own before anything starts it
  step "the bridge's port set to $BRIDGE_PORT in the manifest (by hand; the default 7760 may be taken)" \
    "sed -i -E 's/(\"enabled\": *true)/\\1, \"port\": $BRIDGE_PORT/' $manifest && grep -n -A2 '\"bridge\"' $manifest" 30
  step "mcp-twin sync (the new port)" "mcp-twin sync" 300
  step "mcp-twin bridge status" "mcp-twin bridge status" 120
  step "a real call through Claude Desktop's entry (the Windows side: wsl.exe runs the relay)" \
    "node ~/try-entry.mjs $desktop mcp-twin memory_set '{\"key\":\"plan\",\"value\":\"ship on Friday\"}' memory_get '{\"key\":\"plan\"}'" 120
  local t_call=$LAST_MS
  step "the same memory through Claude Code's entry (WSL)" \
    "node ~/try-entry.mjs ~/.claude.json mcp-twin memory_get '{\"key\":\"plan\"}' bridge_status '{}'" 120
  local bridge_pid; bridge_pid="$(grep -oE '"pid": *[0-9]+' "$serve_json" 2>/dev/null | grep -oE '[0-9]+' | head -1 || true)"
  EXTRA+=$'\t'"first call through Desktop's entry $t_call ms"$'\t'"bridge pid ${bridge_pid:-none}"
  step "mcp-twin bridge status" "mcp-twin bridge status" 120
  step "mcp-twin doctor" "mcp-twin doctor" 300

  # a project: its own files, meant to be committed
  step "a project folder: mcp-twin sync --project ." "mkdir ~/proj && cd ~/proj && mcp-twin sync --project ." 600
  step "what was written (ls -A; cat .mcp.json)" "ls -A; cat .mcp.json" 30
  step "a project manifest (./mcp-twin.jsonc, as a teammate would commit it)" \
    "printf '%s\\n' '{' '  \"servers\": {' '    \"memory\": { \"package\": \"@modelcontextprotocol/server-memory\" },' '    \"tavily\": { \"package\": \"tavily-mcp@0.2.22\", \"env\": { \"TAVILY_API_KEY\": \"\${secret:TAVILY_API_KEY}\" } }' '  }' '}' > mcp-twin.jsonc && cat mcp-twin.jsonc" 30
  ANSWERS=("Trust it=>y Enter")
  step "mcp-twin sync (the project manifest; its trust question answered y)" "mcp-twin sync" 600
  step "cat .mcp.json" "cat .mcp.json" 30
  step "mcp-twin status (in the project)" "mcp-twin status" 120
  step "back home" "cd ~" 30

  # an installed package deleted behind mcp-twin's back
  step "an installed package deleted: rm -rf ~/.npm-global/lib/node_modules/tavily-mcp" \
    "rm -rf ~/.npm-global/lib/node_modules/tavily-mcp" 30
  step "mcp-twin status" "mcp-twin status" 120
  step "mcp-twin sync" "mcp-twin sync" 600
  step "mcp-twin status" "mcp-twin status" 120

  # a client config cut in half (a crash mid-save, a bad hand edit)
  step "Claude Code's ~/.claude.json cut in half" \
    "truncate -s \$(( \$(stat -c %s ~/.claude.json) / 2 )) ~/.claude.json && wc -c ~/.claude.json" 30
  step "mcp-twin sync" "mcp-twin sync" 600
  step "mcp-twin status" "mcp-twin status" 120
  step "mcp-twin doctor" "mcp-twin doctor" 300
  # follow the advice printed: the first `mcp-twin restore ...` command doctor (else sync) named
  local advice
  advice="$(printf '%s\n' "$LAST_OUT" | grep -oE 'mcp-twin restore [^`;,)]*' | head -1 | sed -E 's/[. ]+$//' || true)"
  local said="doctor"
  if [[ -z "$advice" ]]; then
    advice="$(grep -oE 'mcp-twin restore [^`;,)]*' "$OUT/$J.raw" | head -1 | sed -E 's/[. ]+$//' || true)"; said="an earlier command"
  fi
  if [[ -z "$advice" ]]; then advice="mcp-twin restore claude-code"; said="nobody (README's form)"; fi
  md "The advice followed: \`$advice\` (printed by $said)."; md ""
  ANSWERS=("$UNDO_Q=>y Enter")
  step "$advice (the advice; its question answered y)" "$advice" 300
  step "its mode after the restore (chmod 600 was done after init)" "ls -l ~/.claude.json" 30
  step "mcp-twin sync" "mcp-twin sync" 600
  step "mcp-twin status" "mcp-twin status" 120

  # leaving: everything given back; uninstall's last line names the way back, which is tried once
  ANSWERS=("$UNDO_Q=>y Enter")
  step "mcp-twin uninstall (answered y)" "mcp-twin uninstall" 300
  # a file uninstall left holds the typed key in plain text: masked by this script, as in journey b
  step "the client configs after uninstall (a key masked by this script, not by mcp-twin)" \
    "ls -l ~/.claude.json $desktop $cursor; cat ~/.claude.json $desktop $cursor | sed -E 's/tvly-[A-Za-z0-9]+/tvly-<masked>/'" 30
  ANSWERS=("$UNDO_Q=>y Enter")
  step "mcp-twin restore (uninstall said it puts the entries back)" "mcp-twin restore" 300
  step "mcp-twin status" "mcp-twin status" 120
  ANSWERS=("$UNDO_Q=>y Enter")
  step "mcp-twin uninstall --packages (answered y), for good" "mcp-twin uninstall --packages" 600
  step "the client configs, the packages and mcp-twin's home after uninstall --packages" \
    "ls -l ~/.claude.json $desktop $cursor; cat ~/.claude.json; grep -c '\"TAVILY_API_KEY\": \"tvly-' $desktop $cursor; ls ~/.npm-global/lib/node_modules /mnt/c/Users/alice/AppData/Roaming/npm/node_modules /mnt/c/Users/alice/AppData/Roaming/mcp-twin" 30
  step "mcp-twin status (after uninstall --packages)" "mcp-twin status" 120
  step "mcp-twin bridge stop" "mcp-twin bridge stop" 60
  step "mcp-twin bridge status" "mcp-twin bridge status" 60
  tmux kill-session -t "$S" 2>/dev/null || true
  sleep 1
  # by pid: the bridge this journey started, and any relay to its port, must be gone
  local left="" pid
  [[ -n "$bridge_pid" ]] && kill -0 "$bridge_pid" 2>/dev/null && left+=" bridge:$bridge_pid"
  for pid in $(ps -eo pid=,args= | awk -v p="127.0.0.1:$BRIDGE_PORT" 'index($0, p) && !/awk/ {print $1}'); do left+=" relay:$pid"; done
  local listening; listening="$(ss -ltnH "sport = :$BRIDGE_PORT" 2>/dev/null | wc -l)"
  local first=${DEFAULT_PORT[e]} listening0; listening0="$(ss -ltnH "sport = :$first" 2>/dev/null | wc -l)"
  md "After the journey (checked outside the sim): the bridge's pid ${bridge_pid:-?} $([[ "$left" == *bridge:* ]] && echo 'still runs' || echo 'is gone'); processes naming 127.0.0.1:$BRIDGE_PORT: ${left:-none}; sockets listening on port $BRIDGE_PORT: $listening, on port $first (where init started it): $listening0."; md ""
  EXTRA+=$'\t'"left running:${left:- nothing}, listening on $BRIDGE_PORT: $listening, on $first: $listening0"
  # stop what is left, by its pid only (this journey's own)
  for pid in $left; do kill "${pid#*:}" 2>/dev/null || true; done
}

# ---- one journey --------------------------------------------------------------------------------
journey() {
  J="$1"; S="mcp-twin-journey-$J"; STATE="$WORK/state-$J"
  local flags=() picks="tavily memory" title
  case "$J" in
    a) title="(a) A fresh machine";;
    b) title="(b) Hand-written Claude Desktop entries on the Windows side"; picks="context7";;
    c) title="(c) Claude Desktop from its MSIX package"; flags=(--msix);;
    d) title="(d) No Linux npm: PATH finds Windows' npm"; flags=(--no-linux-npm);;
    e) title="(e) Ctrl-C, the bridge, a project, a deleted package, a corrupt config, uninstall";;
    *) echo "unknown journey $J" >&2; return 2;;
  esac
  : > "$OUT/$J.md"; : > "$OUT/$J.raw"
  tmux kill-session -t "$S" 2>/dev/null || true
  # a fresh machine (the state directory is created by a first call)
  "$SIM/wsl-sim.sh" --state "$STATE" --fresh "${flags[@]}" -- true
  local twin_home="$STATE/c/Users/alice/AppData/Roaming/mcp-twin"
  mkdir -p "$twin_home" && printf '{"port":%s}\n' "${DEFAULT_PORT[$J]}" > "$twin_home/bridge.json"
  md "## $title"; md ""
  md "wsl-sim flags: \`--fresh ${flags[*]}\` (state \`$STATE\`); the home's \`bridge.json\` records port ${DEFAULT_PORT[$J]} for the gateway (as mcp-twin records the one it chooses), so it stays off 7760."
  case "$J" in
    b) seed_desktop_handwritten; seed_claude_code;;
    c) seed_classic_leftover;;
    e) seed_claude_code
       cp "$HERE/try-entry.mjs" "$STATE/home/bob/try-entry.mjs"
       md "\`~/try-entry.mjs\` (docs/dev/recordings/journeys/try-entry.mjs, not part of mcp-twin) was copied into the home: a small stdio MCP client that starts one entry of a client config as the client would and calls its tools. The bridge's port is $BRIDGE_PORT (the sim shares the network of the machine it runs on).";;
    d) seed_claude_code
       # mcp-twin itself is installed while Linux npm is still there (without it, `npm install -g`
       # would run Windows' npm and fail); the journey's shell then has no Linux npm.
       "$SIM/wsl-sim.sh" --state "$STATE" -- bash -lc "npm install -g $TARBALL >/dev/null 2>&1"
       md "mcp-twin was installed (\`npm install -g\` of the tarball) before the shell was opened without Linux npm: there, \`npm install -g\` would run Windows' npm.";;
  esac
  md ""
  tmux new-session -d -s "$S" -x 220 -y 60 "$SIM/wsl-sim.sh --state $STATE ${flags[*]} -- bash --noprofile --norc -i"
  tmux set-option -t "$S" history-limit 20000 >/dev/null
  sleep 1.5
  tmux send-keys -t "$S" -l "export PS1='\$ ' PATH=\"\$WSL_SIM_PATH\""; tmux send-keys -t "$S" Enter
  sleep 0.5

  if [[ "$J" == d ]]; then
    step "npm is Windows' npm here" "command -v npm; npm --version" 60
  else
    step "npm install -g the packed tarball" "npm install -g $TARBALL" 300
  fi
  INIT_MS=0 NOOP_MS=0 NOOP_CALLS=0 EXTRA=""
  if [[ "$J" == e ]]; then journey_e; else journey_abcd; fi
  tmux kill-session -t "$S" 2>/dev/null || true

  # no secret typed or written by hand may appear in what the user read
  local hits; hits=$(cat "$OUT/$J.raw" "$OUT/$J.md" | grep -c -e "$KEY_TYPED" -e "$KEY_INLINE" || true)
  md "Secret check: the keys typed into the wizard$([[ $J == b ]] && echo ' and written inline in Desktop'"'"'s file') appear $hits times in this transcript."; md ""
  printf '%s\tinit after confirmation %s ms\tno-op sync %s ms, %s interop calls\tsecret hits %s%s\n' \
    "$J" "$INIT_MS" "$NOOP_MS" "$NOOP_CALLS" "$hits" "$EXTRA" > "$OUT/$J.summary"
}

TARBALL_GIVEN="$TARBALL"
[[ -n "$TARBALL" ]] || TARBALL="$WORK/$(pack)"
[[ -f "$TARBALL" ]] || { echo "npm pack failed in $CHECKOUT" >&2; exit 1; }
{ echo "checkout: $CHECKOUT ($(git -C "$CHECKOUT" rev-parse --short HEAD) $(git -C "$CHECKOUT" log -1 --format=%s | cut -c1-80))"; echo "tarball: $TARBALL"; echo "started: $(date -u)"; } > "$OUT/summary.txt"
if (( PARALLEL )); then
  # each journey in its own subshell (own tmux session, own state); timings then share the CPU
  for j in "${JOURNEYS[@]}"; do journey "$j" & done
  wait
else
  for j in "${JOURNEYS[@]}"; do journey "$j"; done
fi
echo "ended: $(date -u)" >> "$OUT/summary.txt"
for j in "${JOURNEYS[@]}"; do cat "$OUT/$j.summary" >> "$OUT/summary.txt"; done
cat "$OUT/summary.txt"

# one document: a header naming the commit and the machine, then one section per journey
{
  n=${#JOURNEYS[@]}; words=(zero one two three four five six seven eight nine)
  echo "# The first ten minutes, as a new user meets them (${words[$n]:-$n} journeys on the simulated WSL machine)"
  echo
  [[ -z "$TARBALL_GIVEN" ]] || echo "Recorded by \`docs/dev/recordings/journeys/run.sh\` on $(date -u +%Y-%m-%d) from the tarball \`$(basename "$TARBALL")\` (given with --tarball; the script's own checkout is at \`$(git -C "$CHECKOUT" rev-parse --short HEAD)\`),"
  [[ -n "$TARBALL_GIVEN" ]] || echo "Recorded by \`docs/dev/recordings/journeys/run.sh\` on $(date -u +%Y-%m-%d) from commit \`$(git -C "$CHECKOUT" rev-parse --short HEAD)\`,"
  echo "packed with \`npm pack\` and installed with \`npm install -g\` inside a simulated Ubuntu on WSL2 (Linux user \`bob\`,"
  echo "Windows user \`alice\`, \`C:\\\` at \`/mnt/c\`, stand-ins for \`cmd.exe\`, \`wsl.exe\`, \`powershell.exe\` and Windows' Node),"
  echo "each journey on a fresh machine of its own. Every command was typed into a tmux pane (send-keys) and the"
  echo "screen read back (capture-pane): what is below is what the user saw, colours aside. The wizard's"
  echo "questions were answered by keystrokes, the API key typed into its masked prompt; a question a step's"
  echo "title names was answered as the title says, every other one with its default (Enter). The npm registry"
  echo "was reachable; the MCP Registry was not."
  if (( PARALLEL )); then
    echo "The journeys ran side by side on one 2-core machine, so their install times include each other's load."
  else
    echo "The journeys ran one after another on a 2-core machine; times are wall-clock and vary with its load."
  fi
  echo
  for j in "${JOURNEYS[@]}"; do cat "$OUT/$j.md"; done
} | awk 'NF{for(;b>0;b--)print "";print;next}{b++}' > "$OUT/first-ten-minutes.md"   # no blank lines at the end (biome formats docs)
