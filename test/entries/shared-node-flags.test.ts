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
 * The window's clock, held by the test: loaded before the flags' module (`--import` runs in order),
 * it keeps the interval that module starts (the only one of `WINDOW` ms) and runs it on each
 * "tick" line instead of on the wall clock. The module's own judgement is untouched: it reads the
 * process's real CPU time. On a loaded machine a window of wall time holds less CPU time than it
 * would alone, so waiting windows out judged the load, not the process.
 */
const clock = (windowMs: number) =>
  `data:text/javascript;base64,${Buffer.from(
    [
      "const real = globalThis.setInterval;",
      "globalThis.setInterval = (fn, ms, ...rest) => {",
      `  if (ms !== ${windowMs}) return real(fn, ms, ...rest);`,
      "  globalThis.windowEnds = fn;",
      "  return { unref() {}, ref() {}, hasRef: () => false };",
      "};",
    ].join("\n"),
  ).toString("base64")}`;

/**
 * A script that reports, on each line it reads, whether V8 has compiled a function it ran hot past
 * the interpreter (`%GetOptimizationStatus`: bit 16 "optimized", bit 15 "baseline", Sparkplug's);
 * on "busy" it first keeps the core busy for the given milliseconds of its own CPU time, on "tick"
 * it first ends the window (the held clock). `--allow-natives-syntax` only lets the test ask.
 */
const PROBE = `
const hot = (n) => { let s = 0; for (let i = 0; i < n; i++) s = (s + i * i) % 1000003; return s; };
const heat = () => { for (let k = 0; k < 200; k++) hot(1000); };
const optimized = () => { heat(); return (%GetOptimizationStatus(hot) & (16 | 32768)) !== 0; };
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
let buf = "";
process.stdin.on("data", (d) => {
  buf += d;
  for (let i; (i = buf.indexOf("\\n")) >= 0; ) {
    const [cmd, ms] = buf.slice(0, i).split(" ");
    buf = buf.slice(i + 1);
    if (cmd === "busy") { const end = cpu() + Number(ms); while (cpu() < end) hot(1000); }
    if (cmd === "tick") globalThis.windowEnds();
    process.stdout.write(String(optimized()) + "\\n");
  }
});
`;

test("a real node under them compiles nothing past the interpreter while idle or lightly used, and optimizes again once busy", async () => {
  const windowMs = 400;
  const child = spawn(
    process.execPath,
    [
      "--allow-natives-syntax",
      "--import",
      clock(windowMs),
      ...sharedNodeFlags(process.version, windowMs),
      "-e",
      PROBE,
    ],
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
    // The first window holds start-up and is not judged; then light use across several windows:
    // still not optimized.
    expect(await ask("tick"), "start-up").toBe("false");
    for (let i = 0; i < 4; i++) {
      expect(await ask("light"), `light ${i}`).toBe("false");
      expect(await ask("tick"), `light window ${i}`).toBe("false");
    }
    // A window busy for all its length in CPU time (twice the half it takes): the compilers come
    // back at its end, and the hot function is optimized once V8's background compile is in,
    // which is asked for until it is (each ask heats it again; nothing is judged by the wall clock).
    await ask(`busy ${windowMs}`);
    await ask("tick");
    let optimized = await ask("light");
    for (let i = 0; i < 500 && optimized !== "true"; i++) {
      await new Promise((r) => setTimeout(r, 10));
      optimized = await ask("light");
    }
    expect(optimized, "optimized after the busy window").toBe("true");
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
