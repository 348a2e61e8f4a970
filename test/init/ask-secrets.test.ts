/**
 * Asking for keys: a key already exported in the shell is offered (confirm) instead of asked for,
 * but only when it passes the key's format check; declining falls back to the masked prompt.
 * The prompts are the UI seam (a recording stand-in); askSecrets itself is the real one.
 */
import { describe, expect, test } from "vitest";
import { askSecrets } from "../../src/ui/ask.js";
import type { Prompts } from "../../src/ui/prompts.js";

const TAVILY = {
  name: "TAVILY_API_KEY",
  description: "Tavily API key",
  pattern: "^tvly-[A-Za-z0-9_-]{8,}$",
};

function recordingPrompts(answers: { confirm?: boolean; password?: string }) {
  const asked: string[] = [];
  const prompts: Prompts = {
    input: async () => "",
    password: async (o) => {
      asked.push(`password: ${o.message}`);
      return answers.password ?? "";
    },
    confirm: async (o) => {
      asked.push(`confirm: ${o.message}`);
      return answers.confirm ?? true;
    },
    checkbox: async () => [],
    select: async () => {
      throw new Error("not used");
    },
    search: async () => {
      throw new Error("not used");
    },
  };
  return { prompts, asked };
}

const ctx = (prompts: Prompts, env: Record<string, string>) => ({ prompts, homedir: "/home/bob", env });

describe("askSecrets in the wizard", () => {
  test("offers a well-formed exported key and takes it without a paste", async () => {
    const { prompts, asked } = recordingPrompts({ confirm: true });
    const r = await askSecrets(
      [TAVILY],
      new Map(),
      {},
      ctx(prompts, { TAVILY_API_KEY: "tvly-dev-12345678" }),
    );
    expect(r.values).toEqual({ TAVILY_API_KEY: "tvly-dev-12345678" });
    expect(asked).toEqual(["confirm: Tavily API key: use $TAVILY_API_KEY from the environment?"]);
  });

  test("declined, it asks with the masked prompt", async () => {
    const { prompts, asked } = recordingPrompts({ confirm: false, password: "tvly-typed-87654321" });
    const r = await askSecrets(
      [TAVILY],
      new Map(),
      {},
      ctx(prompts, { TAVILY_API_KEY: "tvly-dev-12345678" }),
    );
    expect(r.values).toEqual({ TAVILY_API_KEY: "tvly-typed-87654321" });
    expect(asked).toHaveLength(2);
    expect(asked[1]).toMatch(/^password: Tavily API key/);
  });

  test("a malformed exported value is not offered", async () => {
    const { prompts, asked } = recordingPrompts({ password: "tvly-typed-87654321" });
    const r = await askSecrets([TAVILY], new Map(), {}, ctx(prompts, { TAVILY_API_KEY: "your-key-here" }));
    expect(r.values).toEqual({ TAVILY_API_KEY: "tvly-typed-87654321" });
    expect(asked).toEqual([expect.stringMatching(/^password: /)]);
  });

  test("a stored key is not asked again", async () => {
    const { prompts, asked } = recordingPrompts({});
    const r = await askSecrets(
      [TAVILY],
      new Map(),
      { TAVILY_API_KEY: "tvly-stored-1234567" },
      ctx(prompts, {}),
    );
    expect(r.values).toEqual({});
    expect(asked).toEqual([]);
  });
});
