// Writes schema/manifest.schema.json from the zod schema (the source of truth). Run by `npm run build`;
// test/manifest/json-schema.test.ts fails when the committed copy is out of date.
import { mkdirSync, writeFileSync } from "node:fs";
import { manifestJsonSchema } from "../dist/manifest-schema.js";

const target = new URL("../schema/manifest.schema.json", import.meta.url);
mkdirSync(new URL("../schema/", import.meta.url), { recursive: true });
writeFileSync(target, `${JSON.stringify(manifestJsonSchema(), null, 2)}\n`);
