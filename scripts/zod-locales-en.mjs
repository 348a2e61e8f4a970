// zod's `locales` namespace (`z.locales`, re-exported by zod/v4's classic, mini and core entries)
// imports the error messages of every language it has — 49 files, about 300 KB of the bundle's
// zod — where mcp-twin only ever reads English (zod configures `en` by default, from its own
// file). Every process that loads zod (the bridge's first session, doctor, sync) parsed and kept
// them: 1.3 MB of a used bridge's RSS (docs/dev/performance.md). This points the namespace at a
// module holding `en` alone; test/e2e/package.test.ts fails the build's test if another language
// is bundled or English is not.

import path from "node:path";
import { fileURLToPath } from "node:url";

/** The module zod's `../locales/index.js` resolves to in the build. */
const ENGLISH_ONLY = fileURLToPath(new URL("./zod-locales-en-only.mjs", import.meta.url));

const ZOD_V4 = `${path.sep}zod${path.sep}v4${path.sep}`;

export const zodLocalesEsbuildPlugin = {
  name: "zod-locales-en",
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      args.importer.includes(ZOD_V4) ? { path: ENGLISH_ONLY } : undefined,
    );
  },
};
