/**
 * Which nodes get V8's memory flags on a shared server's command line (entries/shared-node-flags.ts):
 * the majors they were measured on and later ones; never a node of unknown or older version, which
 * could refuse a flag and exit. And what the flags do in a real node: the optimizing compilers stay
 * off while the process idles or answers light calls, and come back once it works hard.
 */
import { spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { expect, test } from "vitest";
import { sharedNodeFlags } from "../../src/core/entries/shared-node-flags.js";

/** The flags without the data: URL of the module that follows `--import`. */
const named = (flags: string[]) => flags.filter((f) => !f.startsWith("data:"));

test("Node 20, 22, 24 and later get the flags; Maglev is turned off only where it is on; an older or unknown node none", () => {
  for (const v of ["v20.19.0", "v20.20.2", "v22.13.0", "23.1.0"])
    expect(named(sharedNodeFlags(v)), v).toEqual([
      "--max-semi-space-size=1",
      "--no-sparkplug",
      "--no-turbofan",
      "--import",
    ]);
  for (const v of ["v24.21.0", "v25.0.0", "26.1.0"])
    expect(named(sharedNodeFlags(v)), v).toEqual([
      "--max-semi-space-size=1",
      "--no-sparkplug",
      "--no-turbofan",
      "--no-maglev",
      "--import",
    ]);
  for (const v of [undefined, "", "v18.20.4", "v19.9.0", "node", "vX.1.2"])
    expect(sharedNodeFlags(v), String(v)).toEqual([]);
  // Nothing a shell or a Windows command line would read: base64 after the media type.
  expect(sharedNodeFlags("v22.1.0").at(-1)).toMatch(/^data:text\/javascript;base64,[A-Za-z0-9+/=]+$/);
});

test("this machine's node accepts them and still runs a script", () => {
  const r = spawnSync(process.execPath, [...sharedNodeFlags(process.version), "-e", "console.log('ran')"], {
    encoding: "utf8",
  });
  expect(r.stderr).toBe("");
  expect([r.status, r.stdout.trim()]).toEqual([0, "ran"]);
});

/**
 * A script that reports, on each line it reads, whether V8 has compiled a function it ran hot past
 * the interpreter (`%GetOptimizationStatus`: bit 16 "optimized", bit 15 "baseline", Sparkplug's),
 * and on "busy" keeps a core busy for the given milliseconds. `--allow-natives-syntax` only lets the
 * test ask.
 */
const PROBE = `
const hot = (n) => { let s = 0; for (let i = 0; i < n; i++) s = (s + i * i) % 1000003; return s; };
const heat = () => { for (let k = 0; k < 200; k++) hot(1000); };
const optimized = () => { heat(); return (%GetOptimizationStatus(hot) & (16 | 32768)) !== 0; };
let buf = "";
process.stdin.on("data", (d) => {
  buf += d;
  for (let i; (i = buf.indexOf("\\n")) >= 0; ) {
    const [cmd, ms] = buf.slice(0, i).split(" ");
    buf = buf.slice(i + 1);
    if (cmd === "busy") { const end = Date.now() + Number(ms); while (Date.now() < end) hot(1000); }
    process.stdout.write(String(optimized()) + "\\n");
  }
});
`;

test("a real node under them compiles nothing past the interpreter while idle or lightly used, and optimizes again once busy", async () => {
  const windowMs = 400;
  const child = spawn(
    process.execPath,
    ["--allow-natives-syntax", ...sharedNodeFlags(process.version, windowMs), "-e", PROBE],
    { stdio: ["pipe", "pipe", "inherit"] },
  );
  const lines: string[] = [];
  let next: (() => void) | undefined;
  child.stdout.setEncoding("utf8").on("data", (d: string) => {
    lines.push(...d.trim().split("\n"));
    next?.();
  });
  const ask = async (line: string) => {
    const count = lines.length;
    const answered = new Promise<void>((resolve) => {
      next = () => lines.length > count && resolve();
    });
    child.stdin.write(`${line}\n`);
    await answered;
    return lines.at(-1);
  };
  try {
    // Light use across several windows (the first, start-up, is not judged): still not optimized.
    for (let i = 0; i < 4; i++) {
      expect(await ask("light"), `light ${i}`).toBe("false");
      await new Promise((r) => setTimeout(r, windowMs / 2));
    }
    // A window mostly busy: the compilers come back and the hot function is optimized.
    await ask(`busy ${windowMs * 2}`);
    let optimized = "false";
    for (let i = 0; i < 20 && optimized !== "true"; i++) {
      await new Promise((r) => setTimeout(r, windowMs / 2));
      optimized = (await ask("light")) ?? "";
    }
    expect(optimized).toBe("true");
  } finally {
    child.kill();
    await once(child, "exit");
  }
}, 30_000);

test("a server under them exits when its work is done: the module's timer keeps nothing alive", () => {
  const r = spawnSync(
    process.execPath,
    [...sharedNodeFlags(process.version, 60_000), "-e", "console.log('done')"],
    {
      encoding: "utf8",
      timeout: 10_000,
    },
  );
  expect([r.status, r.signal, r.stdout.trim()]).toEqual([0, null, "done"]);
});
