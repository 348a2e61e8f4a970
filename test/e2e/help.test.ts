/**
 * `--help`, as a user reads it (the built binary, 80 columns, the package folder shown as
 * <package>): each command lists only the flags it honours — its own first, then the shared ones
 * it takes — with no `(default: [])` noise, then two or three examples and where to read more;
 * `serve --help` names the bridge's tools. A shared flag a command does not take is exit 2, before
 * or after the command name. Snapshots are inline, to be read by eye.
 */
import { execFile, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, test } from "vitest";
import { buildProgram, HONOURS } from "../../src/cli/build-program.js";
import { commandsWithHelp, readMorePointers } from "../../src/cli/help.js";
import { SHARED, type Shared } from "../../src/commands/shared/command.js";
import { BIN, createFakeMachine, REPO } from "../helpers/fake-machine.js";
import { runMain } from "../helpers/in-process.js";

const run = promisify(execFile);
/** Help is the same text each time it is asked: one binary run per command line in this file. */
const helpRuns = new Map<string, Promise<string>>();
function help(...args: string[]): Promise<string> {
  const key = args.join("\0");
  let text = helpRuns.get(key);
  if (!text) {
    text = run(process.execPath, [BIN, ...args, "--help"], {
      env: { PATH: process.env.PATH ?? "", NO_COLOR: "1", HOME: "/nonexistent" },
    }).then(({ stdout }) => stdout.split(REPO.replace(/\/$/, "")).join("<package>"));
    helpRuns.set(key, text);
  }
  return text;
}

const commands = buildProgram(async () => {})
  .commands.map((c) => c.name())
  .filter((n) => n !== "help");

describe("every command", () => {
  test("has help text, a list of the shared flags it honours, and no list noise", async () => {
    expect(commandsWithHelp().sort()).toEqual([...commands].sort());
    expect(Object.keys(HONOURS).sort()).toEqual([...commands].sort());
    for (const name of commands) {
      const text = await help(name);
      expect(text, name).not.toContain("(default: [])");
      expect(text, name).toContain("Examples:\n  # ");
      expect(text, name).toContain("Read more:\n  ");
      for (const key of Object.keys(SHARED) as Shared[]) {
        const flag = SHARED[key].flags.replace(/ <.*$/, "");
        expect(text.includes(`\n  ${flag}`), `${name} ${flag}`).toBe(Object.hasOwn(HONOURS[name]!, key));
      }
    }
  }, 60_000);

  test("every 'Read more' pointer exists: a docs file in the package, and a heading there that starts so", () => {
    const headings = (file: string) =>
      readFileSync(path.join(REPO, file), "utf8")
        .split("\n")
        .filter((l) => l.startsWith("#"))
        .map((l) => l.replace(/^#+ /, ""));
    const files = (JSON.parse(readFileSync(path.join(REPO, "package.json"), "utf8")) as { files: string[] })
      .files;
    const pointers = readMorePointers();
    expect(pointers.length).toBeGreaterThan(5);
    expect(pointers.filter((p) => /^docs\/[^,]+\.md, "/.test(p)).length).toBeGreaterThan(5);
    for (const pointer of pointers) {
      const section = /^([^ ,]+\.md), "(.*)"$/.exec(pointer);
      const file = section ? section[1]! : pointer.split(" ")[0]!;
      expect(existsSync(path.join(REPO, file)), pointer).toBe(true);
      if (section)
        expect(
          headings(file).some((h) => h.startsWith(section[2]!)),
          pointer,
        ).toBe(true);
      // Shipped: the package's "files" holds it, its folder, or a `dir/*.ext` pattern matching it.
      const shipped = (f: string) =>
        file === f ||
        file.startsWith(`${f}/`) ||
        (f.includes("*") &&
          new RegExp(`^${f.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*")}$`).test(file));
      expect(files.some(shipped), pointer).toBe(true);
    }
  });

  test("help for a command no one knows is exit 2 with a did-you-mean, not the program's help", async () => {
    for (const argv of [
      ["snyc", "--help"],
      ["help", "snyc"],
      ["snyc", "-h"],
    ]) {
      const r = await run(process.execPath, [BIN, ...argv], {
        env: { PATH: process.env.PATH ?? "", NO_COLOR: "1", HOME: "/nonexistent" },
      }).then(
        () => ({ code: 0, stdout: "", stderr: "" }),
        (e: { code: number; stdout: string; stderr: string }) => e,
      );
      expect(r.code, argv.join(" ")).toBe(2);
      expect(r.stdout, argv.join(" ")).toBe("");
      expect(r.stderr, argv.join(" ")).toMatch(/unknown command 'snyc'\s+\(Did you mean sync\?\)/);
    }
  });

  test("a command's usage error points at that command's help, an unknown command at the program's", async () => {
    const usage = async (...argv: string[]) =>
      run(process.execPath, [BIN, ...argv], {
        env: { PATH: process.env.PATH ?? "", NO_COLOR: "1", HOME: "/nonexistent" },
      }).then(
        () => ({ code: 0, stdout: "", stderr: "" }),
        (e: { code: number; stdout: string; stderr: string }) => e,
      );
    const adopt = await usage("adopt");
    expect(adopt.code).toBe(2);
    expect(adopt.stderr).toBe(
      "✖ missing required argument 'server'\nℹ Run `mcp-twin adopt --help` for usage.\n",
    );
    const search = await usage("--verbose", "search");
    expect(search.stderr).toContain("ℹ Run `mcp-twin search --help` for usage.\n");
    const option = await usage("status", "--bogus");
    expect(option.stderr).toBe("✖ unknown option '--bogus'\nℹ Run `mcp-twin status --help` for usage.\n");
    const unknown = await usage("bogus");
    expect(unknown.stderr).toContain("ℹ Run `mcp-twin --help` (or `mcp-twin <command> --help`) for usage.");
  });

  test("a shared flag a command does not take is exit 2, before or after the command name", async () => {
    // Arguments the commands need, so that what is checked is the flag.
    const own: Record<string, string[]> = {
      search: ["x"],
      remove: ["x"],
      share: ["x", "machine"],
      adopt: ["x"],
      secret: ["list"],
      connect: ["http://127.0.0.1:9/mcp"],
      login: ["x"],
      logout: ["x"],
      completion: ["bash"],
    };
    for (const name of commands) {
      const not = (Object.keys(SHARED) as Shared[]).filter((k) => !Object.hasOwn(HONOURS[name]!, k));
      for (const key of not.slice(0, 2)) {
        const flag = SHARED[key].flags.replace(/^-\w, /, "").replace(/ <.*$/, "");
        const value = SHARED[key].flags.includes("<") ? ["x"] : [];
        const positional = own[name] ?? [];
        for (const argv of [
          [name, ...positional, flag, ...value],
          [flag, ...value, name, ...positional],
        ]) {
          // The parser's answer: main in this process (the binary's own exit is checked above).
          const r = await runMain(
            argv,
            { PATH: process.env.PATH ?? "", NO_COLOR: "1", HOME: "/nonexistent" },
            REPO,
          );
          expect(r.code, `${argv.join(" ")}`).toBe(2);
          // With --json the error is a JSON document on stdout.
          expect(r.stdout + r.stderr, argv.join(" ")).toMatch(/unknown option|does not take/);
        }
      }
    }
  }, 120_000);
});

describe("the text (read by eye)", () => {
  test("mcp-twin --help", async () => {
    expect(await help()).toMatchInlineSnapshot(`
      "Usage: mcp-twin [options] [command]

      Set up MCP servers once; get them working in every AI client, on Windows and WSL
      alike.

      Options:
        -V, --version                     print the version
        --verbose                         more detail on stderr
        --no-color                        no colours (NO_COLOR is honoured too)
        -h, --help                        show this help

      Commands:
        init [options]                    set up: find what is here, import existing
                                          servers, pick from the catalogue, ask keys,
                                          sync
        sync [options]                    install each server's package where a client
                                          runs it and write every client config
        status [options]                  servers × targets: synced, missing, drifted,
                                          foreign, stale
        tools [options]                   per client: the servers and tools it loads,
                                          their size in tokens, what it defers, its
                                          limit; each server's pinned tools
        add [options] [server]            add a server to the manifest: a catalogue
                                          entry, an MCP Registry server, an npm
                                          package or a remote URL
        search [options] <words...>       search the MCP Registry (and the catalogue)
                                          for servers
        remove [options] <name>           take a server out of the manifest
        share [options] <server> <mode>   run a server once in the bridge for every
                                          client session: machine, project, session or
                                          off
        import [options]                  copy the servers configured in any client
                                          into the manifest (and adopt them)
        adopt [options] <server>          take an entry edited by hand (drift) into
                                          the manifest, so every client gets the edit
        secret [options] <action> [name]  manage secrets: set NAME (value from a
                                          masked prompt or stdin), list, rm NAME
        restore [options] [target]        put back mcp-twin's entries of a target as
                                          they were before its last change, or from a
                                          chosen backup
        doctor [options]                  check every environment, client config and
                                          server; start each server and explain what
                                          fails
        serve [options]                   run the bridge MCP server: stdio by default
                                          (relays to the one HTTP bridge, starting
                                          it), --http to run that bridge
        bridge [options] [action] [name]  the bridge's lifecycle: status (where it
                                          runs, port, pid, uptime, clients), start,
                                          stop, restart; one shared server's status,
                                          restart or logs
        connect [options] <url>           relay stdio ⇄ Streamable HTTP (or SSE), so a
                                          stdio-only client (Claude Desktop) can use
                                          the bridge or any remote MCP server
        login [options] <server>          log in once to a remote server that asks for
                                          it (OAuth): every client, on both sides,
                                          uses this login
        logout [options] <server>         revoke mcp-twin's login to a remote server
                                          at its provider (where offered) and forget
                                          it
        uninstall [options]               remove every entry mcp-twin wrote, give back
                                          the hand-written ones it adopted and stop
                                          the bridge; then say what stays (asks first
                                          on a TTY)
        completion [options] <shell>      print the shell completion script for bash,
                                          zsh, fish or powershell (see --help to
                                          install it)
        help [command]                    show a command's help (as \`mcp-twin
                                          <command> --help\` does)

      Flags such as --json, --yes, --dry-run, --manifest, --env, --client and
      --project go with the commands that take them (before or after the command
      name): \`mcp-twin <command> --help\` lists each command's.

      Examples:
        # set up: find your clients, import their servers, pick more, sync
        $ mcp-twin init
        # what sync would change (diffs, keys masked); nothing written
        $ mcp-twin sync --dry-run
        # check everything, start each server, explain what fails
        $ mcp-twin doctor
        # Tab-complete commands, flags and names (in ~/.bashrc; zsh, fish, powershell: mcp-twin completion --help)
        $ eval "$(mcp-twin completion bash)"

      Read more:
        README.md
        (the package folder: <package>)
      "
    `);
  });
  test("init", async () =>
    expect(await help("init")).toMatchInlineSnapshot(`
      "Usage: mcp-twin init [options]

      set up: find what is here, import existing servers, pick from the catalogue, ask
      keys, sync

      Options:
        --server <name>              a catalogue server to add (repeatable)
        --secret <NAME[=VALUE]>      a secret's value, or NAME alone to read $NAME
                                     (repeatable)
        --arg <[server.]name=value>  an answer for a template's inputs (repeatable)
        --registry <url>             the MCP Registry to ask (default:
                                     MCP_TWIN_REGISTRY, the home manifest's registry,
                                     else registry.modelcontextprotocol.io)
        --import                     with --yes: import the servers already configured
                                     in any client
        --prefer-client <client>     an imported key with different values in
                                     different places: use this client's (repeatable)
        --keep-both                  an imported key with different values in
                                     different places: each keeps its own
        --port <port>                pin the bridge's port in the manifest
                                     (bridge.port) before the sync starts it (else
                                     7760, or the first free one above it)
        --bridge                     also enable the bridge (shared memory, notes and
                                     hand-off between sessions)
        --no-sync                    write the manifest and secrets, but do not sync

      Common options:
        --json                       one JSON document on stdout, logs on stderr
        -y, --yes                    never prompt; a missing required answer is an
                                     error
        --dry-run                    show the plan and the manifest diff (keys
                                     masked); write and install nothing
        --manifest <path>            the user-level manifest (default: the home's; a
                                     ./mcp-twin.jsonc here is the project's)
        --env <id>                   set up only this environment (repeatable)
        --client <id>                sync only this client, creating its config where
                                     it lives (repeatable)
        --verbose                    more detail on stderr
        --no-color                   no colours (NO_COLOR is honoured too)
        -h, --help                   show this help

      Examples:
        # the wizard (asks; writes nothing before its one question)
        $ mcp-twin init
        # unattended: a catalogue server, its key read from $TAVILY_API_KEY
        $ mcp-twin init --yes --server tavily --secret TAVILY_API_KEY
        # adopt what the clients have already; sync later
        $ mcp-twin init --yes --import --no-sync

      Read more:
        docs/getting-started.md, "Set up: \`mcp-twin init\`"
        (the package folder: <package>)
      "
    `));
  test("sync", async () =>
    expect(await help("sync")).toMatchInlineSnapshot(`
      "Usage: mcp-twin sync [options]

      install each server's package where a client runs it and write every client
      config

      Options:
        --force            also overwrite entries edited by hand (drift), take over
                           same-named entries mcp-twin did not write, and write
                           read-only files
        --update           move unpinned packages to their newest versions
        --prune            uninstall packages of servers removed from the manifest
        --autostart        also install the bridge's start at logon where sync only
                           offers it (Linux without systemd: an XDG autostart entry)

      Common options:
        --json             one JSON document on stdout, logs on stderr
        -y, --yes          trust a project manifest that runs programs without asking
        --dry-run          show unified diffs (keys masked); install nothing, write
                           nothing
        --manifest <path>  the user-level manifest (default: the home's; a
                           ./mcp-twin.jsonc here is the project's)
        --env <id>         only this environment: windows, wsl, wsl:<distro>, macos,
                           linux (repeatable)
        --client <id>      only this client; naming one also creates its config file
                           where it lives (repeatable)
        --project <dir>    the project files in <dir> (.mcp.json, .cursor/mcp.json, …)
                           instead of user files
        --verbose          more detail on stderr
        --no-color         no colours (NO_COLOR is honoured too)
        -h, --help         show this help

      Examples:
        # install the packages and write every client config
        $ mcp-twin sync
        # what would change in Cursor's config; nothing written
        $ mcp-twin sync --dry-run --client cursor
        # move unpinned packages to their newest versions
        $ mcp-twin sync --update

      Read more:
        docs/getting-started.md, "How sync works"
        docs/commands.md, "Hand edits: keep, overwrite or adopt"
        (the package folder: <package>)
      "
    `));
  test("status", async () =>
    expect(await help("status")).toMatchInlineSnapshot(`
    "Usage: mcp-twin status [options]

    servers × targets: synced, missing, drifted, foreign, stale

    Options:
      --json             one JSON document on stdout, logs on stderr
      --manifest <path>  the user-level manifest (default: the home's; a
                         ./mcp-twin.jsonc here is the project's)
      --env <id>         only this environment: windows, wsl, wsl:<distro>, macos,
                         linux (repeatable)
      --client <id>      only this client, e.g. claude-desktop, claude-code, cursor
                         (repeatable)
      --project <dir>    the project files in <dir> (.mcp.json, .cursor/mcp.json, …)
                         instead of user files
      --verbose          more detail on stderr
      --no-color         no colours (NO_COLOR is honoured too)
      -h, --help         show this help

    Examples:
      # every server × every client config: synced, missing, drifted, foreign, stale
      $ mcp-twin status
      # the WSL side only, as JSON rows
      $ mcp-twin status --env wsl --json

    Read more:
      docs/commands.md, "\`mcp-twin status\`"
      docs/commands.md, "Hand edits: keep, overwrite or adopt"
      (the package folder: <package>)
    "
  `));
  test("add", async () =>
    expect(await help("add")).toMatchInlineSnapshot(`
      "Usage: mcp-twin add [options] [server]

      add a server to the manifest: a catalogue entry, an MCP Registry server, an npm
      package or a remote URL

      Arguments:
        server                   a catalogue name (see --list), an MCP Registry name
                                 (io.github.owner/server[@version]), an npm package
                                 spec or a remote server's URL (https://…)

      Options:
        --list                   show the catalogue
        --name <name>            the server's name in the manifest
        --arg <name=value>       an answer for the template's inputs (repeatable)
        --secret <NAME[=VALUE]>  a secret's value, or NAME alone to read $NAME
                                 (repeatable)
        --force                  replace a server of the same name
        --registry <url>         the MCP Registry to ask (default: MCP_TWIN_REGISTRY,
                                 the home manifest's registry, else
                                 registry.modelcontextprotocol.io)
        --use <way>              for a registry server offering several: how to run it
                                 (choices: "npm", "remote", "pypi", "oci")
        --sync                   sync right after adding (write every client config;
                                 an npm package is installed first)
        --no-sync                do not offer to sync

      Common options:
        --json                   one JSON document on stdout, logs on stderr
        -y, --yes                never prompt; a missing required answer is an error
        --dry-run                show the manifest diff; write nothing
        --manifest <path>        the user-level manifest (default: the home's; a
                                 ./mcp-twin.jsonc here is the project's)
        --env <id>               with --sync: only this environment (repeatable)
        --client <id>            with --sync: only this client (repeatable)
        --project <dir>          with --sync: the project files in <dir> instead of
                                 user files
        --verbose                more detail on stderr
        --no-color               no colours (NO_COLOR is honoured too)
        -h, --help               show this help

      Examples:
        # the catalogue
        $ mcp-twin add --list
        # add a catalogue server (its key asked, masked) and sync
        $ mcp-twin add tavily --sync
        # add a server of the MCP Registry (\`mcp-twin search\` finds one)
        $ mcp-twin add io.github.owner/server
        # add a remote server by its URL (named example)
        $ mcp-twin add https://mcp.example.com/mcp

      Read more:
        docs/catalogue-and-registry.md, "The catalogue"
        docs/catalogue-and-registry.md, "Search and add from the MCP Registry"
        docs/remote-servers.md, "Remote servers in every client"
        (the package folder: <package>)
      "
    `));
  test("search", async () =>
    expect(await help("search")).toMatchInlineSnapshot(`
    "Usage: mcp-twin search [options] <words...>

    search the MCP Registry (and the catalogue) for servers

    Arguments:
      words              what to look for, e.g. github, or web search

    Options:
      --limit <n>        at most this many registry servers (default 20)
      --cursor <cursor>  continue a search where the last page ended
      --registry <url>   the MCP Registry to ask (default: MCP_TWIN_REGISTRY, the
                         home manifest's registry, else
                         registry.modelcontextprotocol.io)

    Common options:
      --json             one JSON document on stdout, logs on stderr
      --verbose          more detail on stderr
      --no-color         no colours (NO_COLOR is honoured too)
      -h, --help         show this help

    Examples:
      # servers matching every word, the catalogue's first
      $ mcp-twin search web search
      # the first five, as JSON
      $ mcp-twin search github --limit 5 --json

    Read more:
      docs/catalogue-and-registry.md, "Search and add from the MCP Registry"
      (the package folder: <package>)
    "
  `));
  test("remove", async () =>
    expect(await help("remove")).toMatchInlineSnapshot(`
      "Usage: mcp-twin remove [options] <name>

      take a server out of the manifest

      Arguments:
        name               the server's name

      Options:
        --sync             sync right after removing (take it out of every client
                           config)
        --no-sync          do not offer to sync

      Common options:
        --json             one JSON document on stdout, logs on stderr
        -y, --yes          never prompt; a missing required answer is an error
        --dry-run          show the manifest diff; write nothing
        --manifest <path>  the user-level manifest (default: the home's; a
                           ./mcp-twin.jsonc here is the project's)
        --env <id>         with --sync: only this environment (repeatable)
        --client <id>      with --sync: only this client (repeatable)
        --project <dir>    with --sync: the project files in <dir> instead of user
                           files
        --verbose          more detail on stderr
        --no-color         no colours (NO_COLOR is honoured too)
        -h, --help         show this help

      Examples:
        # the manifest diff; nothing written
        $ mcp-twin remove tavily --dry-run
        # out of the manifest, then out of every client
        $ mcp-twin remove tavily --sync

      Read more:
        docs/manifest.md
        docs/commands.md, "\`mcp-twin remove\`"
        (the package folder: <package>)
      "
    `));
  test("import", async () =>
    expect(await help("import")).toMatchInlineSnapshot(`
    "Usage: mcp-twin import [options]

    copy the servers configured in any client into the manifest (and adopt them)

    Options:
      --force                   replace manifest servers of the same name
      --prefer-client <client>  a key with different values in different places: use
                                the value this client holds (cursor, or
                                windows:cursor; repeatable, first decides)
      --keep-both               a key with different values in different places:
                                each place keeps its own
      --secret <NAME[=VALUE]>   a key's value for every client (settles a clash,
                                fills a placeholder), or NAME alone to read $NAME
                                (repeatable)

    Common options:
      --json                    one JSON document on stdout, logs on stderr
      -y, --yes                 never prompt: a key with different values needs
                                --prefer-client, --keep-both or --secret
      --dry-run                 show what would be imported and the manifest diff
                                (keys masked); write nothing
      --manifest <path>         the user-level manifest (default: the home's; a
                                ./mcp-twin.jsonc here is the project's)
      --env <id>                only read this environment's configs (repeatable)
      --client <id>             only read this client's configs (repeatable)
      --project <dir>           also read the project files in <dir> and Claude
                                Code's local scope for it
      --verbose                 more detail on stderr
      --no-color                no colours (NO_COLOR is honoured too)
      -h, --help                show this help

    Examples:
      # what would be imported, keys masked; nothing written
      $ mcp-twin import --dry-run
      # write the manifest, store the keys, adopt the entries
      $ mcp-twin import
      # a key with different values in different clients: Cursor's for all
      $ mcp-twin import --yes --prefer-client cursor

    Read more:
      docs/import.md
      (the package folder: <package>)
    "
  `));
  test("adopt", async () =>
    expect(await help("adopt")).toMatchInlineSnapshot(`
    "Usage: mcp-twin adopt [options] <server>

    take an entry edited by hand (drift) into the manifest, so every client gets the
    edit

    Arguments:
      server             the manifest server whose edited entry to take

    Options:
      --from <target>    which entry, when several differ: env:client (e.g.
                         windows:cursor), a client or the file's path

    Common options:
      --json             one JSON document on stdout, logs on stderr
      -y, --yes          never prompt: with several edited entries, --from names one
      --dry-run          show the manifest diff (keys masked); write nothing
      --manifest <path>  the user-level manifest (default: the home's; a
                         ./mcp-twin.jsonc here is the project's)
      --env <id>         only look at this environment's configs (repeatable)
      --client <id>      only look at this client's configs (repeatable)
      --project <dir>    the project files in <dir> instead of user files
      --verbose          more detail on stderr
      --no-color         no colours (NO_COLOR is honoured too)
      -h, --help         show this help

    Examples:
      # which entries were edited by hand (drifted)
      $ mcp-twin status
      # the manifest change, keys masked; nothing written
      $ mcp-twin adopt tavily --dry-run
      # take Cursor's edit in; then \`mcp-twin sync\`
      $ mcp-twin adopt tavily --from windows:cursor

    Read more:
      docs/commands.md, "Hand edits: keep, overwrite or adopt"
      (the package folder: <package>)
    "
  `));
  test("secret", async () =>
    expect(await help("secret")).toMatchInlineSnapshot(`
    "Usage: mcp-twin secret [options] <action> [name]

    manage secrets: set NAME (value from a masked prompt or stdin), list, rm NAME

    Arguments:
      action             set, list or rm
      name               the secret's name, e.g. TAVILY_API_KEY

    Options:
      --force            set: store a value that looks like a placeholder or fails
                         the catalogue's format check

    Common options:
      --json             one JSON document on stdout, logs on stderr
      -y, --yes          set: never prompt (the value must come on stdin)
      --dry-run          set, rm: say what would change; write nothing
      --manifest <path>  list: the manifest whose references are shown
      --verbose          more detail on stderr
      --no-color         no colours (NO_COLOR is honoured too)
      -h, --help         show this help

    Examples:
      # store a key from a masked prompt
      $ mcp-twin secret set TAVILY_API_KEY
      # or from stdin (scripts)
      $ printf %s "$KEY" | mcp-twin secret set TAVILY_API_KEY
      # names, where each is used, never values
      $ mcp-twin secret list

    Read more:
      docs/commands.md, "\`mcp-twin secret\`"
      docs/safety.md, "Your secrets"
      (the package folder: <package>)
    "
  `));
  test("restore", async () =>
    expect(await help("restore")).toMatchInlineSnapshot(`
      "Usage: mcp-twin restore [options] [target]

      put back mcp-twin's entries of a target as they were before its last change, or
      from a chosen backup

      Arguments:
        target           a config file's path, env:client or a client (default: the
                         files the last change wrote)

      Options:
        --list           show the backups of each target (the original first, then
                         newest first)
        --from <backup>  put back mcp-twin's entries as of this backup (a name or path
                         --list shows)
        --original       put back mcp-twin's entries as of the original (before
                         mcp-twin first changed the file)
        --force          also write a read-only file (it stays read-only)

      Common options:
        --json           one JSON document on stdout, logs on stderr
        -y, --yes        do not ask first (without a terminal, needed to undo what was
                         changed since mcp-twin last wrote a file)
        --dry-run        show what would be put back (diffs, keys masked); write
                         nothing
        --verbose        more detail on stderr
        --no-color       no colours (NO_COLOR is honoured too)
        -h, --help       show this help

      Examples:
        # every target's backups
        $ mcp-twin restore --list
        # what putting back Cursor's entries would change
        $ mcp-twin restore windows:cursor --dry-run
        # mcp-twin's entries as before it first changed the file
        $ mcp-twin restore ~/.claude.json --original

      Read more:
        docs/commands.md, "\`mcp-twin restore\`"
        docs/safety.md, "Your files"
        (the package folder: <package>)
      "
    `));
  test("doctor", async () =>
    expect(await help("doctor")).toMatchInlineSnapshot(`
      "Usage: mcp-twin doctor [options]

      check every environment, client config and server; start each server and explain
      what fails

      Options:
        --server <name>      only this server (repeatable)
        --no-probe           static checks only: do not start the servers
        --timeout <seconds>  how long each server may take to answer (default: as long
                             as its client waits, 10 to 60 s)

      Common options:
        --json               one JSON document on stdout, logs on stderr
        -y, --yes            trust a project's own entries (a cloned repo's .mcp.json)
                             and start them to check them
        --manifest <path>    the user-level manifest (default: the home's; a
                             ./mcp-twin.jsonc here is the project's)
        --env <id>           only this environment: windows, wsl, wsl:<distro>, macos,
                             linux (repeatable)
        --client <id>        only this client, e.g. claude-desktop, claude-code,
                             cursor (repeatable)
        --project <dir>      the project files in <dir> (.mcp.json, .cursor/mcp.json,
                             …) instead of user files
        --verbose            more detail on stderr
        --no-color           no colours (NO_COLOR is honoured too)
        -h, --help           show this help

      Examples:
        # every check, every server started (MCP handshake)
        $ mcp-twin doctor
        # one server, as Cursor starts it
        $ mcp-twin doctor --server tavily --client cursor
        # static checks only, as JSON
        $ mcp-twin doctor --no-probe --json

      Read more:
        docs/doctor.md (every check id and its fix)
        docs/windows-and-wsl.md, "Troubleshooting"
        (the package folder: <package>)
      "
    `));
  test("serve", async () =>
    expect(await help("serve")).toMatchInlineSnapshot(`
      "Usage: mcp-twin serve [options]

      run the bridge MCP server: stdio by default (relays to the one HTTP bridge,
      starting it), --http to run that bridge

      Options:
        --http                     run the Streamable HTTP bridge (the process that
                                   owns the shared state)
        --port <port>              HTTP port (default: the manifest's bridge.port,
                                   else the port this home keeps, which \`mcp-twin
                                   bridge status\` shows; 0 picks a free one)
        --host <address>           address to listen on (default: the manifest's
                                   bridge.host, else 127.0.0.1)
        --allow-remote             allow --host beyond loopback (other machines can
                                   then reach the bridge)
        --allow-origin <origin>    also accept requests from this browser Origin
                                   (repeatable)
        --share <server>           also expose this manifest server at /share/<server>
                                   (repeatable; implies --http)
        --session-grace <seconds>  --http: end a session this long after its client is
                                   gone (no stream open, no request; default 50)
        --no-plugins               do not load plugins from the state folder's
                                   plugins/
        --ok-if-running            --http: when this home's bridge runs already, end
                                   with exit code 0, not 3 (for a service manager that
                                   restarts on every other exit)
        --listen-fd <fd>           --http: listen on this inherited socket, which its
                                   keeper holds across restarts (what \`bridge start\`
                                   runs; not for use by hand)
        --keep                     --http: hold the port and keep the bridge running
                                   on it, started again after a failure (what the
                                   Windows start at logon and \`bridge start\` run
                                   there; not for use by hand)
        --listen-ipc               --http: take the connections its keeper hands over
                                   (Windows; not for use by hand)
        --print-token              print the bridge token (created if missing) and
                                   exit
        --rotate-token             replace the bridge token and exit

      Common options:
        --json                     --http, --share: where it listens, as JSON once
                                   ready; --print-token, --rotate-token: their result
        --manifest <path>          --share: the manifest the shared servers are read
                                   from
        --verbose                  more detail on stderr
        --no-color                 no colours (NO_COLOR is honoured too)
        -h, --help                 show this help

      Tools the bridge offers every client, on both sides of the Windows/WSL line:
        memory_set memory_get memory_list memory_delete
            shared memory: JSON values under keys (optional namespace)
        notes_write notes_read notes_list notes_delete
            Markdown notes in one workspace folder (no path escapes it)
        handoff_post handoff_list handoff_get handoff_claim handoff_complete
            a hand-off queue: one session posts, another claims and completes
        bridge_status
            uptime, connected clients, token age, shared servers
        and the tools of plugins in <state>/plugins/*.mjs (unless \`serve --no-plugins\`)

      Examples:
        # stdio (what client entries run): relays to the HTTP bridge, starting it
        $ mcp-twin serve
        # run the bridge itself, the owner of the shared state
        $ mcp-twin serve --http --port 7760
        # also expose the manifest's tavily to the other side
        $ mcp-twin serve --share tavily

      Read more:
        docs/bridge.md
        (the package folder: <package>)
      "
    `));
  test("bridge", async () =>
    expect(await help("bridge")).toMatchInlineSnapshot(`
      "Usage: mcp-twin bridge [options] [action] [name]

      the bridge's lifecycle: status (where it runs, port, pid, uptime, clients),
      start, stop, restart; one shared server's status, restart or logs

      Arguments:
        action             status (default), start, stop, restart or logs
        name               status, restart, logs: that shared server only (its
                           processes, its last error, its own log)

      Options:
        -n, --lines <n>    logs: how many of the last lines to show (default 50)
        -f, --follow       logs: then keep showing lines as they are written (Ctrl-C
                           ends)

      Common options:
        --json             one JSON document on stdout, logs on stderr
        --manifest <path>  the manifest whose bridge settings (port, host) are used
        --verbose          more detail on stderr
        --no-color         no colours (NO_COLOR is honoured too)
        -h, --help         show this help

      Tools the bridge offers every client, on both sides of the Windows/WSL line:
        memory_set memory_get memory_list memory_delete
            shared memory: JSON values under keys (optional namespace)
        notes_write notes_read notes_list notes_delete
            Markdown notes in one workspace folder (no path escapes it)
        handoff_post handoff_list handoff_get handoff_claim handoff_complete
            a hand-off queue: one session posts, another claims and completes
        bridge_status
            uptime, connected clients, token age, shared servers
        and the tools of plugins in <state>/plugins/*.mjs (unless \`serve --no-plugins\`)

      Examples:
        # where it runs, its port, pid, uptime and clients
        $ mcp-twin bridge
        # stop it and start it again with the manifest's settings
        $ mcp-twin bridge restart
        # its status as one JSON document
        $ mcp-twin bridge status --json
        # one shared server: each process, its last error and where, its log
        $ mcp-twin bridge status tavily
        # stop its processes; the next call starts it again
        $ mcp-twin bridge restart tavily
        # what its processes write on stderr, as they write it
        $ mcp-twin bridge logs tavily --follow

      Read more:
        docs/bridge.md, "One lifecycle"
        docs/bridge.md, "One shared server on its own"
        docs/commands.md, "\`mcp-twin bridge\`"
        (the package folder: <package>)
      "
    `));
  test("connect", async () =>
    expect(await help("connect")).toMatchInlineSnapshot(`
      "Usage: mcp-twin connect [options] <url>

      relay stdio ⇄ Streamable HTTP (or SSE), so a stdio-only client (Claude Desktop)
      can use the bridge or any remote MCP server

      Arguments:
        url                      the server's URL, e.g. http://127.0.0.1:7760/mcp

      Options:
        --header <header>        send "Name: value" (repeatable; \${VAR} is read from
                                 the environment)
        --token-file <file>      send the bearer token in this file
        --no-start               do not start the local bridge when nothing answers
        --transport <transport>  how the server speaks: http (Streamable HTTP,
                                 default) or sse
        --auth <server>          send mcp-twin's login to this manifest server
                                 (\`mcp-twin login <server>\`), renewing it
        --as <env:client>        to a shared server: present this client's own
                                 credential, so the bridge keeps its tool rules (sync
                                 writes it)

      Common options:
        --verbose                more detail on stderr
        --no-color               no colours (NO_COLOR is honoured too)
        -h, --help               show this help

      Examples:
        # a stdio client reaches the bridge (started if needed)
        $ mcp-twin connect http://127.0.0.1:7760/mcp
        # any Streamable HTTP server; connect reads $TOKEN (single quotes: not in argv)
        $ mcp-twin connect https://example.com/mcp --header 'Authorization: Bearer \${TOKEN}'

      Read more:
        docs/bridge.md, "\`mcp-twin connect\`: the relay"
        docs/remote-servers.md
        (the package folder: <package>)
      "
    `));
  test("uninstall", async () =>
    expect(await help("uninstall")).toMatchInlineSnapshot(`
    "Usage: mcp-twin uninstall [options]

    remove every entry mcp-twin wrote, give back the hand-written ones it adopted
    and stop the bridge; then say what stays (asks first on a TTY)

    Options:
      --packages     also uninstall the packages mcp-twin installed
      --force        also remove (or give back) entries edited by hand since
                     mcp-twin wrote them, and write read-only files

    Common options:
      --json         one JSON document on stdout, logs on stderr
      -y, --yes      do not ask first
      --dry-run      show what would be removed or given back (diffs, keys masked);
                     write nothing
      --env <id>     only this environment: windows, wsl, wsl:<distro>, macos, linux
                     (repeatable)
      --client <id>  only this client, e.g. claude-desktop, claude-code, cursor
                     (repeatable)
      --verbose      more detail on stderr
      --no-color     no colours (NO_COLOR is honoured too)
      -h, --help     show this help

    Examples:
      # what would be removed or given back (diffs, keys masked)
      $ mcp-twin uninstall --dry-run
      # remove every entry and the packages mcp-twin installed
      $ mcp-twin uninstall --yes --packages
      # undo it
      $ mcp-twin restore

    Read more:
      docs/commands.md, "\`mcp-twin uninstall\`"
      docs/safety.md, "Your files"
      (the package folder: <package>)
    "
  `));
  test("`help <command>` is the same text", async () => {
    const { stdout } = await run(process.execPath, [BIN, "help", "adopt"], {
      env: { PATH: process.env.PATH ?? "", NO_COLOR: "1" },
    });
    expect(stdout.split(REPO.replace(/\/$/, "")).join("<package>")).toBe(await help("adopt"));
  });
});

test("serve's default port, as its help says: the port this home keeps (not 7760), as `bridge status` shows it", async () => {
  const m = createFakeMachine({ kind: "linux" });
  const port = m.bridgePort ?? 0;
  expect(port).not.toBe(7760);
  const child = spawn(process.execPath, [BIN, "serve", "--http", "--json"], {
    env: m.env,
    stdio: ["ignore", "pipe", "ignore"],
  });
  try {
    const listening = await new Promise<{ port: number }>((resolve, reject) => {
      let out = "";
      child.stdout.on("data", (c: Buffer) => {
        out += c.toString();
        try {
          resolve(JSON.parse(out) as { port: number });
        } catch {
          // not whole yet
        }
      });
      child.once("exit", (code) => reject(new Error(`serve --http exited with ${code}`)));
    });
    expect(listening.port).toBe(port);
    const status = await m.run(["bridge", "status"]);
    expect(status.stdout).toContain(
      `where      linux, 127.0.0.1:${port} (the free port mcp-twin chose, kept in `,
    );
  } finally {
    const gone = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await gone;
    m.cleanup();
  }
}, 60_000);
