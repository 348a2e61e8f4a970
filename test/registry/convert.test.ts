/**
 * From recorded registry entries (published shapes) to what mcp-twin adds: the way it takes, the
 * manifest server, the questions it asks, and honest reasons for what it cannot run.
 */
import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { instantiate } from "../../src/core/catalogue/index.js";
import { serverSchema } from "../../src/core/manifest/schema.js";
import { shortName, summarize, toTemplate, waysToRun } from "../../src/core/registry/convert.js";
import { parseEntry, type RegistryEntry } from "../../src/core/registry/schema.js";
import { RECORDED } from "../helpers/mcp-registry.js";

const recorded = JSON.parse(readFileSync(RECORDED, "utf8")) as unknown[];
const entries = recorded.map(parseEntry).filter((e): e is RegistryEntry => e !== undefined);
const latest = (name: string) => {
  const found = entries.find((e) => e.server.name === name && e.meta.isLatest !== false);
  if (!found) throw new Error(`no recorded entry ${name}`);
  return found;
};
const first = (name: string) => {
  const server = latest(name).server;
  return toTemplate(server, waysToRun(server).usable[0]!);
};

test("every recorded entry but the one without a version follows the schema", () => {
  expect(recorded.length - entries.length).toBe(1);
  expect(
    parseEntry({ name: "io.github.x/bare", description: "a bare server.json", version: "1.0.0" }),
  ).toMatchObject({ server: { name: "io.github.x/bare" }, meta: {} });
});

describe("the way mcp-twin takes", () => {
  test("npm first, then a remote (Streamable HTTP before SSE), then PyPI, then OCI", () => {
    expect(
      waysToRun(latest("io.github.domdomegg/airtable-mcp-server").server).usable.map((u) => u.way),
    ).toEqual(["npm", "oci"]);
    // hybrid-mcp lists its SSE remote first; the Streamable HTTP one is taken before it.
    expect(
      waysToRun(latest("io.github.example/hybrid-mcp").server).usable.map(
        (u) => `${u.way}${u.remote ? ` ${u.remote.type}` : ""}`,
      ),
    ).toEqual(["npm", "remote streamable-http", "remote sse"]);
  });

  test("what it cannot run is said, with the command that would run it", () => {
    const nuget = waysToRun(latest("io.github.domdomegg/time-mcp-nuget").server);
    expect(nuget.usable).toEqual([]);
    expect(nuget.unusable).toEqual([
      {
        what: "nuget TimeMcpServer@1.0.8",
        why: "a NuGet (.NET) tool, which mcp-twin does not install",
        run: "dnx TimeMcpServer@1.0.8 --yes",
      },
    ]);
    const http = waysToRun(latest("io.github.example/http-only-package").server);
    expect(http.usable).toEqual([]);
    expect(http.unusable[0]!.why).toContain("starts its own streamable-http server");
    const mcpb = waysToRun(latest("io.github.domdomegg/airtable-mcp-server").server).unusable;
    expect(mcpb[0]!.why).toContain("MCP bundle");
  });
});

describe("the manifest server", () => {
  test("npm: pinned to the registry's version; secrets, variables and named arguments", () => {
    const made = first("io.github.mcp-twin/fixture-server");
    expect(made.way).toBe("npm");
    expect(made.template.server).toEqual({
      package: "mcp-twin-fixture-server@1.1.0",
      args: ["--tools", "${input:tool_count}"],
      env: { FIXTURE_TOKEN: "${secret:FIXTURE_TOKEN}" },
    });
    expect(made.template.secrets).toEqual([
      { name: "FIXTURE_TOKEN", description: "Token the fixture server reports (length only)" },
    ]);
    expect(made.template.inputs?.tool_count).toMatchObject({ type: "string", default: "2" });
    expect(made.optional).toEqual(["FIXTURE_LOG_LEVEL: Log level (debug, info)"]);
    const server = instantiate(made.template, {}, "/home/u").server;
    expect(server.args).toEqual(["--tools", "2"]);
    expect(serverSchema.safeParse(server).success).toBe(true);
  });

  test("remote: the URL, and a header whose {placeholder} has no variable is asked as a secret", () => {
    const made = first("com.example/weather-remote");
    expect(made.template.server).toEqual({
      url: "https://mcp.weather.example.com/mcp",
      headers: { Authorization: "Bearer ${secret:WEATHER_API_KEY}" },
    });
    expect(made.template.secrets).toEqual([{ name: "WEATHER_API_KEY", description: "Your Weather API key" }]);
    // Its key stays in the home: shared per machine, the bridge adding it on the way out.
    expect(made.template.share).toMatchObject({ mode: "machine" });
    const server = instantiate(made.template, {}, "/home/u").server;
    expect(server.share).toBe("machine");
    expect(serverSchema.safeParse(server).success).toBe(true);
  });

  test("an SSE-only remote: a url server with transport sse (refused before SSE url servers existed)", () => {
    const made = first("com.example/legacy-sse");
    expect(made.way).toBe("remote");
    expect(made.template.server).toEqual({ url: "https://legacy.example.com/sse", transport: "sse" });
    const server = instantiate(made.template, {}, "/home/u").server;
    // No key: nothing to keep in the home, so not shared.
    expect(server).toEqual({ url: "https://legacy.example.com/sse", transport: "sse" });
    expect(serverSchema.safeParse(server).success).toBe(true);
  });

  test("remote: URL variables are inputs; a secret header without a value gets a name scoped to the server", () => {
    const made = first("com.example/tenant-remote");
    expect(made.template.server).toEqual({
      url: "https://${input:tenant}.mcp.example.com/mcp",
      headers: { "X-API-Key": "${secret:TENANT_REMOTE_X_API_KEY}" },
    });
    const server = instantiate(made.template, { inputs: { tenant: "acme" } }, "/home/u").server;
    expect(server.url).toBe("https://acme.mcp.example.com/mcp");
  });

  test("pypi: an entry that runs uvx at the registry's version", () => {
    const made = first("io.github.domdomegg/time-mcp-pypi");
    expect(made.template.server).toEqual({ command: "uvx", args: ["time-mcp-pypi@1.0.6"] });
    expect(made.runs).toBe("uvx time-mcp-pypi@1.0.6");
  });

  test("oci: docker run with the runtime arguments, -e for each variable, the image and its arguments", () => {
    const made = first("io.github.example/database-manager");
    expect(made.template.server).toEqual({
      command: "docker",
      args: [
        "run",
        "-i",
        "--rm",
        "--network",
        "host",
        "-e",
        "DB_TYPE=${input:db_type}",
        "-e",
        "DB_USERNAME",
        "-e",
        "DB_PASSWORD",
        "example/database-manager-mcp:3.1.0",
        "--host",
        "${input:host}",
        "${input:database_name}",
      ],
      env: { DB_USERNAME: "${input:DB_USERNAME}", DB_PASSWORD: "${secret:DB_PASSWORD}" },
    });
    expect(made.template.inputs?.db_type?.pattern).toBe("^(?:postgres|mysql|mongodb|redis)$");
    expect(made.template.inputs?.host?.default).toBe("localhost");
    expect(made.optional.map((o) => o.split(":")[0])).toEqual(["SSL_MODE"]);
    // the tag in the identifier (since 2025-10-11) is kept as it is
    expect(first("io.github.domdomegg/airtable-mcp-server").way).toBe("npm");
    const oci = waysToRun(latest("io.github.domdomegg/airtable-mcp-server").server).usable[1]!;
    expect(
      toTemplate(latest("io.github.domdomegg/airtable-mcp-server").server, oci).template.server.args,
    ).toContain("docker.io/domdomegg/airtable-mcp-server:1.7.3");
  });

  test("generic secret names are scoped to the server, specific ones kept (shared with the catalogue)", () => {
    const server = {
      name: "io.github.acme/weather-tools",
      description: "x",
      version: "1.0.0",
      packages: [
        {
          registryType: "npm",
          identifier: "acme-weather",
          version: "1.0.0",
          environmentVariables: [
            { name: "API_KEY", isSecret: true, isRequired: true },
            { name: "BRAVE_API_KEY", isSecret: true },
          ],
        },
      ],
    };
    const made = toTemplate(server, waysToRun(server).usable[0]!);
    expect(made.template.server.env).toEqual({
      API_KEY: "${secret:WEATHER_TOOLS_API_KEY}",
      BRAVE_API_KEY: "${secret:BRAVE_API_KEY}",
    });
    expect(made.template.secrets?.map((s) => [s.name, Boolean(s.optional)])).toEqual([
      ["WEATHER_TOOLS_API_KEY", false],
      ["BRAVE_API_KEY", true],
    ]);
    // an optional secret left out drops the variable that needs it
    expect(instantiate(made.template, { withoutSecrets: ["BRAVE_API_KEY"] }, "/h").server.env).toEqual({
      API_KEY: "${secret:WEATHER_TOOLS_API_KEY}",
    });
  });
});

test("search rows: package, transport and the required secrets", () => {
  expect(summarize(latest("io.github.domdomegg/airtable-mcp-server"))).toMatchObject({
    package: "npm airtable-mcp-server@1.7.3",
    transport: "stdio",
    secrets: ["AIRTABLE_API_KEY"],
    way: "npm",
  });
  expect(summarize(latest("com.example/weather-remote"))).toMatchObject({
    package: "remote mcp.weather.example.com",
    transport: "streamable-http",
    secrets: ["WEATHER_API_KEY"],
  });
  // SSE-only remotes were refused until SSE url servers existed; now they are a remote way.
  expect(summarize(latest("com.example/legacy-sse"))).toMatchObject({
    way: "remote",
    package: "remote legacy.example.com",
    transport: "sse",
    secrets: [],
  });
  expect(summarize(latest("io.github.example/old-weather")).status).toBe("deprecated");
});

test("manifest names from registry names", () => {
  expect(shortName("io.github.domdomegg/airtable-mcp-server")).toBe("airtable-mcp-server");
  expect(shortName("com.Example/My_Server.v2")).toBe("my-server-v2");
  expect(shortName("com.example/-x")).toBe("x");
  expect(shortName("com.example/___")).toBe("server");
});
