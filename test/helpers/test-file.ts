/**
 * The test file running now. A vitest worker runs file after file with the modules it has loaded
 * (vitest.config.ts, `isolate: false`): a helper that keeps something for a file keys it by this.
 */
import { expect } from "vitest";

export function testFile(): string | undefined {
  try {
    return expect.getState().testPath;
  } catch {
    // Not in a vitest worker (a benchmark): no file.
    return undefined;
  }
}
