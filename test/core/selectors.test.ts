/** The names flags accept (core/selectors.ts), pure: did-you-mean, --client, --env, --timeout. */
import { describe, expect, test } from "vitest";
import { CLIENTS } from "../../src/core/clients/index.js";
import { UnknownNameError, UsageError, UsageErrors } from "../../src/core/errors.js";
import { envSelector } from "../../src/core/manifest/schema.js";
import {
  checkSelectors,
  didYouMean,
  knownClientIds,
  parseTimeout,
  selectEnvironments,
  selectorProblems,
  unknownName,
} from "../../src/core/selectors.js";

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (error) {
    return error;
  }
  throw new Error("did not throw");
}

describe("did you mean", () => {
  const clients = knownClientIds();
  test.each([
    ["claude", ["claude-desktop", "claude-code"]],
    ["claude-dekstop", ["claude-desktop"]],
    ["Cursor", ["cursor"]],
    ["curser", ["cursor"]],
    ["vsc", ["vscode"]],
    ["gemini", ["gemini-cli"]],
    ["notepad", []],
    ["c", []],
  ])("%s → %j", (name, expected) => expect(didYouMean(name, clients)).toEqual(expected));

  test("the closest first, at most three", () => {
    expect(didYouMean("abcd", ["abce", "xbcd", "abxx", "abcf", "zzzz"])).toEqual(["abce", "xbcd", "abcf"]);
    expect(didYouMean("FIXTURE_TOKN", ["FIXTURE_TOKEN", "OTHER"])).toEqual(["FIXTURE_TOKEN"]);
  });
});

describe("--client", () => {
  test("known clients are the client table's, read in one place", () => {
    expect(knownClientIds()).toEqual(CLIENTS.map((c) => c.id));
  });

  test("every unknown client is reported at once, with the known names and the closest", () => {
    const error = thrown(() =>
      checkSelectors({ clients: ["claude", "cursor", "notepad"], envs: ["mars"] }),
    ) as UsageErrors;
    expect(error).toBeInstanceOf(UsageErrors);
    expect(error.exitCode).toBe(2);
    expect(error.errors.map((e) => e.message)).toEqual([
      "--client claude: not a client mcp-twin knows. Did you mean claude-desktop or claude-code?",
      "--client notepad: not a client mcp-twin knows.",
      "--env mars: not an environment mcp-twin knows.",
    ]);
    const first = error.errors[0] as UnknownNameError;
    expect(first).toBeInstanceOf(UnknownNameError);
    expect(first.code).toBe("bad-client");
    expect(first.known).toEqual(knownClientIds());
    expect(first.suggestions).toEqual(["claude-desktop", "claude-code"]);
    expect(first.hint).toBe(`Known clients: ${knownClientIds().join(", ")}.`);
  });

  test("good names pass", () => {
    expect(
      selectorProblems({
        clients: knownClientIds(),
        envs: ["windows", "wsl", "wsl:Ubuntu-22.04", "macos", "linux"],
      }),
    ).toEqual([]);
  });
});

describe("--env", () => {
  test.each([
    ["windows", true],
    ["wsl", true],
    ["wsl:Ubuntu", true],
    ["wsl:Ubuntu-24.04", true],
    ["macos", true],
    ["linux", true],
    ["Windows", false],
    ["wsl:", false],
    ["wsl:Ubuntu/x", false],
    ["wsl:a:b", false],
    ["wsl:a b", false],
    ["mars", false],
  ])("%s: a flag and the manifest schema agree (%s)", (env, ok) => {
    expect(selectorProblems({ envs: [env] }).length === 0).toBe(ok);
    expect(envSelector.safeParse(env).success).toBe(ok);
  });

  test("a form that is no environment lists the forms", () => {
    const [error] = selectorProblems({ envs: ["Ubuntu"] }) as UnknownNameError[];
    expect(error!.message).toBe("--env Ubuntu: not an environment mcp-twin knows.");
    expect(error!.known).toEqual(["windows", "wsl", "wsl:<distro>", "macos", "linux"]);
    expect(error!.hint).toBe("Environments (wsl is every distro): windows, wsl, wsl:<distro>, macos, linux.");
  });

  const here = [{ id: "wsl:Ubuntu" }, { id: "wsl:Debian" }, { id: "windows" }];

  test("wsl selects every distro; a distro in another case is the same distro", () => {
    expect(selectEnvironments(here, ["wsl"]).map((e) => e.id)).toEqual(["wsl:Ubuntu", "wsl:Debian"]);
    expect(selectEnvironments(here, ["wsl:ubuntu", "windows"]).map((e) => e.id)).toEqual([
      "wsl:Ubuntu",
      "windows",
    ]);
    expect(selectEnvironments(here, [])).toEqual(here);
  });

  test("a selector that selects nothing here is an unknown name", () => {
    const error = thrown(() => selectEnvironments(here, ["wsl:Ubunut", "macos", "windows"])) as UsageErrors;
    expect(error.errors.map((e) => [e.message, e.hint])).toEqual([
      [
        "--env wsl:Ubunut: not an environment here. Did you mean wsl:Ubuntu?",
        "Environments here (wsl is every distro): wsl:Ubuntu, wsl:Debian, windows, wsl.",
      ],
      [
        "--env macos: not an environment here.",
        "Environments here (wsl is every distro): wsl:Ubuntu, wsl:Debian, windows, wsl.",
      ],
    ]);
    const mac = thrown(() => selectEnvironments([{ id: "macos" }], ["wsl"])) as UsageErrors;
    expect(mac.errors[0]!.hint).toBe("Environments here: macos.");
    const none = thrown(() => selectEnvironments([], ["linux"])) as UsageErrors;
    expect(none.errors[0]!.hint).toBe("No environment was found here.");
  });
});

describe("--timeout", () => {
  test.each([
    [undefined, 10_000],
    ["10", 10_000],
    ["0.5", 500],
    [" 30 ", 30_000],
    ["3600", 3_600_000],
  ])("%j → %d ms", (value, ms) => expect(parseTimeout(value)).toBe(ms));

  test.each(["soon", "", "0", "-1", "3601", "NaN", "Infinity"])("%j is a usage error", (value) => {
    const error = thrown(() => parseTimeout(value)) as UsageError;
    expect(error).toBeInstanceOf(UsageError);
    expect(error.code).toBe("bad-timeout");
    expect(error.message).toContain("--timeout");
    // The bounds it states are the ones it applies: 0 itself is refused, 3600 is not.
    expect(error.message).toBe(
      `--timeout ${value.trim()}: not a number of seconds more than 0 and at most 3600.`,
    );
  });
});

test("one wording for any unknown name: given, name, what it is not, the closest; the known names below", () => {
  const error = unknownName({
    code: "unknown-server",
    given: "remove",
    name: "memroy",
    isNot: "not a server in /m.jsonc",
    knownAs: "Servers there",
    known: ["memory", "tavily"],
  });
  expect([error.message, error.hint]).toEqual([
    "remove memroy: not a server in /m.jsonc. Did you mean memory?",
    "Servers there: memory, tavily.",
  ]);
  expect(
    unknownName({ code: "x", given: "remove", name: "a", isNot: "no", knownAs: "Servers there", known: [] })
      .hint,
  ).toBe("Servers there: none.");
});
