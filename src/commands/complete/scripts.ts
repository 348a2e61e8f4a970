/**
 * The completion scripts `mcp-twin completion <shell>` prints: each asks `mcp-twin __complete` for
 * the words to offer (commands, flags, names from the manifest) and lets the shell show them.
 */

/** The shells, with the line that loads the script (said in `--help` and docs/commands.md). */
export const SHELLS = {
  bash: 'eval "$(mcp-twin completion bash)"   # in ~/.bashrc',
  zsh: 'eval "$(mcp-twin completion zsh)"    # in ~/.zshrc, after compinit',
  fish: "mcp-twin completion fish > ~/.config/fish/completions/mcp-twin.fish",
  powershell: "mcp-twin completion powershell | Out-String | Invoke-Expression   # in $PROFILE",
} as const;

export type Shell = keyof typeof SHELLS;

const BASH = `# mcp-twin completion for bash. Load it: ${SHELLS.bash}
_mcp_twin_complete() {
    local line="\${COMP_LINE:0:COMP_POINT}"
    local -a words
    read -r -a words <<< "$line"
    [[ "$line" =~ [[:space:]]$ ]] && words+=("")
    (( \${#words[@]} < 2 )) && return 0
    local cur="\${words[\${#words[@]}-1]}"
    local out
    out="$(command mcp-twin __complete bash "\${words[@]:1}" 2>/dev/null)" || return 0
    if [[ "$out" == ":files" ]]; then
        local IFS=$'\\n'
        COMPREPLY=( $(compgen -f -- "$cur") )
        compopt -o filenames 2>/dev/null
        return 0
    fi
    local IFS=$'\\n'
    COMPREPLY=( $out )
    # bash completes the text after the last : or = of a word (COMP_WORDBREAKS): give only that back.
    local rest="\${cur##*[:=]}"
    local done="\${cur:0:\${#cur}-\${#rest}}"
    if [[ -n "$done" ]]; then
        COMPREPLY=( "\${COMPREPLY[@]#"$done"}" )
    fi
}
complete -F _mcp_twin_complete mcp-twin
`;

const ZSH = `#compdef mcp-twin
# mcp-twin completion for zsh. Load it: ${SHELLS.zsh}
_mcp_twin_candidates() {
    command mcp-twin __complete zsh "\${(@)words[2,CURRENT]}" 2>/dev/null
}
_mcp_twin() {
    local -a lines candidates
    local line value desc
    lines=("\${(@f)$(_mcp_twin_candidates)}")
    if [[ "\${lines[1]}" == ":files" ]]; then
        _files
        return
    fi
    for line in "\${lines[@]}"; do
        [[ -z "$line" ]] && continue
        value="\${line%%$'\\t'*}"
        desc=""
        [[ "$line" == *$'\\t'* ]] && desc="\${line#*$'\\t'}"
        candidates+=("\${value//:/\\\\:}\${desc:+:$desc}")
    done
    _describe -t values 'mcp-twin' candidates
}
compdef _mcp_twin mcp-twin
`;

const FISH = `# mcp-twin completion for fish. Load it: ${SHELLS.fish}
function __mcp_twin_complete
    set -l words (commandline -opc)
    set -l current (commandline -ct)
    set -l out (command mcp-twin __complete fish $words[2..-1] "$current" 2>/dev/null)
    if test "$out[1]" = ":files"
        __fish_complete_path "$current"
        return
    end
    printf '%s\\n' $out
end
complete -c mcp-twin -f -a '(__mcp_twin_complete)'
`;

// Windows PowerShell 5.1 drops empty arguments to a program: each word goes with a "." before it
// (the word being completed is often empty), which __complete takes off again.
const POWERSHELL = `# mcp-twin completion for PowerShell. Load it: ${SHELLS.powershell}
Register-ArgumentCompleter -Native -CommandName 'mcp-twin', 'mcp-twin.cmd' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)
    $words = @()
    foreach ($element in ($commandAst.CommandElements | Select-Object -Skip 1)) {
        if ($element.Extent.EndOffset -lt $cursorPosition) { $words += '.' + $element.Extent.Text }
    }
    $words += '.' + $wordToComplete
    $out = @(& mcp-twin __complete powershell @words 2>$null)
    if ($out -contains ':files') { return }
    foreach ($line in $out) {
        if (-not $line) { continue }
        $parts = $line -split "\`t", 2
        $tip = if ($parts.Count -gt 1) { $parts[1] } else { $parts[0] }
        [System.Management.Automation.CompletionResult]::new($parts[0], $parts[0], 'ParameterValue', $tip)
    }
}
`;

export function completionScript(shell: Shell): string {
  return { bash: BASH, zsh: ZSH, fish: FISH, powershell: POWERSHELL }[shell];
}
