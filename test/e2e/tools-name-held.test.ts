/**
 * A person's own entry named `tools` where toolSearch would write its one entry (Cline): sync
 * keeps both it and Cline's entry per server, says the clash with the fix (no ✔ for an entry it
 * did not write) and exits 1; status and doctor say the same.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, inject, test } from "vitest";
import { runInProcessByDefault, writeManifest } from "../helpers/fake-machine.js";
import { fixtureMachines } from "../helpers/machines.js";

runInProcessByDefault();
const machines = fixtureMachines("tok-held");

const MINE = { command: "my-tools", args: ["--serve"] };

describe("a hand-written `tools` entry in a toolSearch client", () => {
  test("sync keeps the person's entry and Cline's servers, says the clash and its fix, exit 1", async () => {
    const m = machines({ kind: "linux", claudeDesktop: false, cursor: false, claudeCode: false });
    const file = path.join(m.paths.linuxHome, ".cline", "data", "settings", "cline_mcp_settings.json");
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify({ mcpServers: { tools: MINE } }, null, 2)}\n`);
    const servers = {
      fixture: { package: inject("fixtureName"), env: { FIXTURE_TOKEN: "${secret:FIXTURE_TOKEN}" } },
      other: { package: inject("fixtureName"), env: { FIXTURE_TOKEN: "${secret:FIXTURE_TOKEN}" } },
    };
    writeManifest(m, { servers });
    const first = await m.run(["sync"]);
    expect(first.code, first.stderr).toBe(0);
    const before = JSON.parse(readFileSync(file, "utf8")).mcpServers;
    expect(Object.keys(before).sort()).toEqual(["fixture", "other", "tools"]);

    writeManifest(m, { servers, toolSearch: { clients: ["cline"] } });
    const r = await m.run(["sync"]);
    const after = JSON.parse(readFileSync(file, "utf8")).mcpServers;
    // Nothing the person wrote is lost, and the client keeps its servers.
    expect(after.tools).toEqual(MINE);
    expect(after.fixture).toEqual(before.fixture);
    expect(after.other).toEqual(before.other);
    // No false ✔: no url entry to the bridge was written.
    expect(r.stdout).not.toMatch(/tools: a url entry/);
    expect(r.stdout).toMatch(/tools: an entry of your own holds the name/);
    expect(r.stdout).toMatch(/rename yours in .*cline_mcp_settings.json/);
    expect(r.code).toBe(1);

    // A second sync is the same: nothing written, the clash said again.
    const again = await m.run(["sync", "--json"]);
    expect(again.code).toBe(1);
    expect(readFileSync(file, "utf8")).toBe(`${JSON.stringify({ mcpServers: after }, null, 2)}\n`);

    type Row = { server: string; client: string; state: string; detail?: string };
    const status = JSON.parse((await m.run(["status", "--json"])).stdout) as Row[];
    const cline = status.filter((row) => row.client === "cline");
    expect(cline.map((row) => [row.server, row.state]).sort()).toEqual([
      ["fixture", "synced"],
      ["other", "synced"],
      ["tools", "foreign"],
    ]);
    expect(cline.find((row) => row.server === "tools")?.detail).toMatch(/Cline keeps an entry per server/);

    type Check = { id: string; server?: string; status: string; message: string; fix?: string };
    const doctor = JSON.parse((await m.run(["doctor", "--json", "--no-probe"])).stdout) as {
      checks: Check[];
    };
    const held = doctor.checks.find((c) => c.id === "drift.entry" && c.server === "tools");
    expect(held).toMatchObject({ status: "fail" });
    expect(held?.fix).toMatch(
      /^Rename yours in .*cline_mcp_settings\.json \(or remove it\), then run `mcp-twin sync`\.$/,
    );

    // `tools`: Cline loads its servers' tools from their own entries, no tools on demand claimed.
    type Budget = { client: string; servers: Array<{ server: string }>; toolSearch?: unknown };
    const budget = JSON.parse((await m.run(["tools", "--json"])).stdout) as { clients: Budget[] };
    const row = budget.clients.find((c) => c.client === "cline");
    expect(row?.toolSearch).toBeUndefined();
    expect(row?.servers.map((s) => s.server).sort()).toEqual(["fixture", "other"]);
  }, 180_000);
});
