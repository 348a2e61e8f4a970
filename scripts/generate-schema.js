// Writes schema/manifest.schema.json and schema/template.schema.json from the zod schemas (the
// source of truth). Run by `npm run build`; test/e2e/package.test.ts fails when a committed copy
// is out of date.
import { mkdirSync, writeFileSync } from "node:fs";
import { manifestJsonSchema } from "../dist/manifest-schema.js";
import { templateJsonSchema } from "../dist/template-schema.js";

mkdirSync(new URL("../schema/", import.meta.url), { recursive: true });
const write = (name, schema) =>
  writeFileSync(new URL(`../schema/${name}`, import.meta.url), `${JSON.stringify(schema, null, 2)}\n`);
write("manifest.schema.json", manifestJsonSchema());
write("template.schema.json", templateJsonSchema());
