/**
 * The login page's address in the simulated WSL machine (test/helpers/wsl-sim.ts), whose cmd.exe
 * stand-in applies cmd's rules (%VAR% expanded, quotes, `&` ending a command and `^` escaping) and
 * logs every second command it would run: a provider's hostile address reaches Windows' default
 * browser whole, no command runs, no variable is expanded, and the login completes; a non-https
 * scheme is refused before any Windows program starts. Runs where the simulation can (root and
 * `unshare`), else is skipped with the reason printed.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { startOAuthFixture } from "../fixtures/oauth/oauth-server.js";
import { BIN } from "../helpers/fake-machine.js";
import { BROWSER_SCRIPT } from "../helpers/oauth.js";
import { findWslSim, inWslSim } from "../helpers/wsl-sim.js";

const sim = findWslSim();
const skip = "reason" in sim ? sim.reason : undefined;
// Shown in every run's output, so a skip is never silent.
if (skip) console.warn(`WSL simulation tests skipped: ${skip}`);

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe.skipIf(skip !== undefined)(
  `the login in the simulated WSL machine${skip ? ` (skipped: ${skip})` : ""}`,
  () => {
    test("a hostile address reaches the browser whole and runs nothing; ms-x: is refused", async () => {
      if ("reason" in sim) return;
      const state = mkdtempSync(path.join(os.tmpdir(), "mcp-twin-wsl-sim-"));
      cleanups.push(() => rmSync(state, { recursive: true, force: true }));
      const fx = await startOAuthFixture({
        metadata: ({ auth }) => ({
          authorization_endpoint: `${auth}/authorize/%USERPROFILE%/"&calc&"^!x!'$(id)`,
        }),
      });
      cleanups.push(() => fx.close());
      const calc = await startOAuthFixture({
        metadata: () => ({ authorization_endpoint: 'ms-x:a"&calc&"' }),
      });
      cleanups.push(() => calc.close());
      expect((await inWslSim(sim.script, state, ["true"], { fresh: true })).code).toBe(0);
      const home = path.join(state, "c", "Users", "alice", "AppData", "Roaming", "mcp-twin");
      mkdirSync(home, { recursive: true });
      writeFileSync(
        path.join(home, "mcp-twin.jsonc"),
        JSON.stringify({ servers: { docs: { url: fx.url }, calc: { url: calc.url } } }),
      );
      const interop = path.join(state, "interop.log");
      const log = () => readFileSync(interop, "utf8");

      // The control: the line cmd's `start` was given for such an address runs `calc` in this cmd.exe.
      await inWslSim(sim.script, state, ["cmd.exe", "/d", "/c", "start", '""', '"ms-x:a"&calc&"?x=1"']);
      expect(log()).toMatch(/\tcmd\.exe-rest\tcalc&/);
      writeFileSync(interop, "");

      const r = await inWslSim(sim.script, state, [process.execPath, BIN, "login", "docs"], {
        browser: BROWSER_SCRIPT,
      });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain("opened through Windows' default browser");
      const opened = /\tbrowser\t(.*)/.exec(log())![1]!;
      expect(
        opened.startsWith(
          `${fx.issuer}/authorize/%25USERPROFILE%25/%22&calc&%22%5E%21x%21%27%24%28id%29?response_type=code&`,
        ),
      ).toBe(true);
      expect(new URL(opened).searchParams.get("resource")).toBe(fx.url);
      expect(log()).not.toMatch(/cmd\.exe-rest|C:\\Users\\alice\\?\/|\tcmd\.exe\t.*start/);
      expect(fx.stats.codeExchanges).toBe(1);
      expect(JSON.parse(readFileSync(path.join(home, "oauth", "docs.json"), "utf8")).server).toBe("docs");

      writeFileSync(interop, "");
      const refused = await inWslSim(sim.script, state, [process.execPath, BIN, "login", "calc"], {
        browser: BROWSER_SCRIPT,
      });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(
        `names its authorization endpoint (authorization_endpoint) ms-x:a"&calc&": its scheme is ms-x:, not https:`,
      );
      expect(log()).not.toMatch(/\tbrowser\t|cmd\.exe-rest|Start/);
      expect(calc.stats.registrations).toBe(0);
    }, 120_000);
  },
);
