// Writes dist/complete/table.json — every command, its arguments and flags, and the flags taken
// before a command — from the built command line itself, for shell completion (src/commands/complete/).
// Run by `npm run build` after tsup, so the table can never say other than the program does.
import { writeFileSync } from "node:fs";

const { buildProgram } = await import(new URL("../dist/cli.js", import.meta.url).href);
const program = buildProgram(async () => {});

const option = (o) => ({
  ...(o.long ? { long: o.long } : {}),
  ...(o.short ? { short: o.short } : {}),
  value: Boolean(o.required || o.optional),
  ...(o.argChoices ? { choices: o.argChoices } : {}),
  description: o.description,
});
const table = {
  commands: program.commands.map((c) => ({
    name: c.name(),
    description: c.description(),
    args: c.registeredArguments.map((a) => ({
      name: a.name(),
      variadic: a.variadic,
      ...(a.argChoices ? { choices: a.argChoices } : {}),
    })),
    options: c.options.filter((o) => !o.hidden).map(option),
  })),
  global: program.options.map(option),
};
writeFileSync(new URL("../dist/complete/table.json", import.meta.url), `${JSON.stringify(table)}\n`);
