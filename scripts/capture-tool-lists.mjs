#!/usr/bin/env node
// How test/fixtures/tool-search/servers/*.json, …/unseen*/*.json and test/fixtures/pins/real-lists/*.json were
// captured (run by hand, never by the tests: it needs the npm registry). Each server is installed at its version into a temp prefix (install
// scripts off: no browser downloads), started over stdio with a dummy key where it wants one only
// to call its API, asked `initialize` then `tools/list` (every page) by the small client below,
// and its tools written as it listed them, with its package, version and the date.
//
//   node scripts/capture-tool-lists.mjs [name…]      (all of SERVERS when none is named)
//   node scripts/capture-tool-lists.mjs --unseen [name…]   (UNSEEN, into servers/../unseen/: servers
//   no examples file knows, what search is measured on for a server it has never seen)
//   node scripts/capture-tool-lists.mjs --held2 [name…]    (HELD2, into servers/../unseen2/: the second
//   held-out set's servers, in none of servers/, unseen/, pins/real-lists/ nor the examples file)
//   node scripts/capture-tool-lists.mjs --held3 [name…]    (HELD3, into servers/../unseen3/: the third
//   held-out set's servers, in none of servers/, unseen/, unseen2/, pins/real-lists/ nor the examples file)
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const OUT = fileURLToPath(new URL("../test/fixtures/tool-search/servers/", import.meta.url));
const REAL_OUT = fileURLToPath(new URL("../test/fixtures/pins/real-lists/", import.meta.url));
const UNSEEN_OUT = fileURLToPath(new URL("../test/fixtures/tool-search/unseen/", import.meta.url));
const HELD2_OUT = fileURLToPath(new URL("../test/fixtures/tool-search/unseen2/", import.meta.url));
const HELD3_OUT = fileURLToPath(new URL("../test/fixtures/tool-search/unseen3/", import.meta.url));
const UNSEEN_RUN = process.argv[2] === "--unseen";
const HELD2_RUN = process.argv[2] === "--held2";
const HELD3_RUN = process.argv[2] === "--held3";
const PREFIX = process.env.CAPTURE_PREFIX ?? path.join(os.tmpdir(), "mcp-twin-capture");
const KEY = "dummy-key-for-tools-list-only";

/** Each server: its name here, its package and version, the bin to run, its arguments and env. */
const SERVERS = [
  { name: "filesystem", pkg: "@modelcontextprotocol/server-filesystem", v: "2026.8.31", args: ["{tmp}"] },
  { name: "memory", pkg: "@modelcontextprotocol/server-memory", v: "2026.8.31" },
  { name: "everything", pkg: "@modelcontextprotocol/server-everything", v: "2026.8.31", args: ["stdio"] },
  { name: "sequential-thinking", pkg: "@modelcontextprotocol/server-sequential-thinking", v: "2026.8.31" },
  { name: "desktop-commander", pkg: "@wonderwhy-er/desktop-commander", v: "0.2.52" },
  { name: "git", pkg: "@cyanheads/git-mcp-server", v: "2.15.3", env: { MCP_TRANSPORT_TYPE: "stdio" } },
  {
    name: "github",
    pkg: "@modelcontextprotocol/server-github",
    v: "2025.4.8",
    env: { GITHUB_PERSONAL_ACCESS_TOKEN: KEY },
  },
  {
    name: "gitlab",
    pkg: "@modelcontextprotocol/server-gitlab",
    v: "2025.4.25",
    env: { GITLAB_PERSONAL_ACCESS_TOKEN: KEY },
  },
  { name: "playwright", pkg: "@playwright/mcp", v: "0.0.83" },
  { name: "puppeteer", pkg: "@modelcontextprotocol/server-puppeteer", v: "2025.5.12" },
  { name: "chrome-devtools", pkg: "chrome-devtools-mcp", v: "1.11.0" },
  { name: "browser-tools", pkg: "@agentdeskai/browser-tools-mcp", v: "2.0.2" },
  { name: "firecrawl", pkg: "firecrawl-mcp", v: "3.26.0", env: { FIRECRAWL_API_KEY: KEY } },
  { name: "tavily", pkg: "tavily-mcp", v: "0.2.22", env: { TAVILY_API_KEY: KEY } },
  { name: "exa", pkg: "exa-mcp-server", v: "3.4.1", env: { EXA_API_KEY: KEY } },
  { name: "brave-search", pkg: "@brave/brave-search-mcp-server", v: "2.1.4", env: { BRAVE_API_KEY: KEY } },
  { name: "notion", pkg: "@notionhq/notion-mcp-server", v: "2.5.2", env: { NOTION_TOKEN: KEY } },
  {
    name: "jira",
    pkg: "@aashari/mcp-server-atlassian-jira",
    v: "3.3.0",
    env: { ATLASSIAN_SITE_NAME: "example", ATLASSIAN_USER_EMAIL: "a@example.com", ATLASSIAN_API_TOKEN: KEY },
  },
  {
    name: "slack",
    pkg: "@modelcontextprotocol/server-slack",
    v: "2025.4.25",
    env: { SLACK_BOT_TOKEN: KEY, SLACK_TEAM_ID: "T00000000" },
  },
  {
    name: "supabase",
    pkg: "@supabase/mcp-server-supabase",
    v: "0.13.0",
    // Without a project it asks the API for the account's projects while listing.
    args: ["--access-token", KEY, "--project-ref", "abcdefghijklmnopqrst"],
  },
  { name: "mongodb", pkg: "mongodb-mcp-server", v: "3.0.4", env: { MDB_MCP_TELEMETRY: "disabled" } },
  { name: "sentry", pkg: "@sentry/mcp-server", v: "0.39.0", args: ["--access-token", KEY] },
  { name: "kubernetes", pkg: "mcp-server-kubernetes", v: "4.1.7" },
  { name: "figma", pkg: "figma-developer-mcp", v: "0.13.2", args: ["--stdio", "--figma-api-key", KEY] },
  { name: "context7", pkg: "@upstash/context7-mcp", v: "4.1.1" },
  {
    name: "postgres",
    pkg: "@modelcontextprotocol/server-postgres",
    v: "0.6.2",
    args: ["postgresql://localhost/x"],
  },
  {
    name: "redis",
    pkg: "@modelcontextprotocol/server-redis",
    v: "2025.4.25",
    args: ["redis://localhost:6379"],
  },
  {
    name: "google-maps",
    pkg: "@modelcontextprotocol/server-google-maps",
    v: "0.6.2",
    env: { GOOGLE_MAPS_API_KEY: KEY },
  },
];

/** More real servers, kept for the pins scan's no-false-flag test (test/fixtures/pins/real-lists/). */
const REAL_LISTS = [
  { name: "neon", pkg: "@neondatabase/mcp-server-neon", v: "0.3.7", args: ["start", KEY] },
  { name: "everart", pkg: "@modelcontextprotocol/server-everart", v: "0.6.2", env: { EVERART_API_KEY: KEY } },
  {
    name: "aws-kb-retrieval",
    pkg: "@modelcontextprotocol/server-aws-kb-retrieval",
    v: "0.6.2",
    env: { AWS_ACCESS_KEY_ID: KEY, AWS_SECRET_ACCESS_KEY: KEY, AWS_REGION: "us-east-1" },
  },
  { name: "pdf", pkg: "@modelcontextprotocol/server-pdf", v: "2.0.4", args: ["--stdio"] },
  { name: "hubspot", pkg: "@hubspot/mcp-server", v: "0.4.0", env: { PRIVATE_APP_ACCESS_TOKEN: KEY } },
  {
    name: "browserbase",
    pkg: "@browserbasehq/mcp-server-browserbase",
    v: "2.4.3",
    env: { BROWSERBASE_API_KEY: KEY, BROWSERBASE_PROJECT_ID: KEY, GEMINI_API_KEY: KEY },
  },
  { name: "mapbox", pkg: "@mapbox/mcp-server", v: "0.2.0", env: { MAPBOX_ACCESS_TOKEN: KEY } },
  { name: "airtable", pkg: "airtable-mcp-server", v: "1.14.0", env: { AIRTABLE_API_KEY: KEY } },
  { name: "circleci", pkg: "@circleci/mcp-server-circleci", v: "0.20.0", env: { CIRCLECI_TOKEN: KEY } },
  { name: "launchdarkly", pkg: "@launchdarkly/mcp-server", v: "0.6.2", args: ["start", "--api-key", KEY] },
  { name: "perplexity", pkg: "@perplexity-ai/mcp-server", v: "1.2.1", env: { PERPLEXITY_API_KEY: KEY } },
  { name: "pinecone", pkg: "@pinecone-database/mcp", v: "0.3.0", env: { PINECONE_API_KEY: KEY } },
  { name: "linear", pkg: "mcp-server-linear", v: "1.6.0", env: { LINEAR_ACCESS_TOKEN: KEY } },
  { name: "todoist", pkg: "todoist-mcp", v: "1.3.4", env: { API_KEY: KEY } },
  { name: "resend", pkg: "resend-mcp", v: "2.6.0", env: { RESEND_API_KEY: KEY } },
  { name: "youtube-transcript", pkg: "@kimtaeyoon83/mcp-server-youtube-transcript", v: "0.1.1" },
  { name: "currents", pkg: "@currents/mcp", v: "2.1.1", env: { CURRENTS_API_KEY: KEY } },
  {
    name: "lara",
    pkg: "@translated/lara-mcp",
    v: "1.0.6",
    env: { LARA_ACCESS_KEY_ID: KEY, LARA_ACCESS_KEY_SECRET: KEY },
  },
].map((s) => ({ ...s, out: REAL_OUT }));

/**
 * Servers the examples file does not know (test/fixtures/tool-search/unseen/), same shape: those
 * that listed their tools here with a dummy key (tried too and left out: Google Calendar and Gmail
 * want OAuth files, Stripe, Supabase, Railway, Apify, 21st.dev, Cloudflare call out or refuse,
 * Heroku, Azure DevOps, MySQL, Redis, DBHub, Firebase fail to start; Neon's
 * dependencies would not install; @browsermcp/mcp is
 * Playwright MCP's tools under their names, which the examples file knows).
 */
const UNSEEN = [
  { name: "hubspot", pkg: "@hubspot/mcp-server", v: "0.4.0", env: { PRIVATE_APP_ACCESS_TOKEN: KEY } },
  { name: "netlify", pkg: "@netlify/mcp", v: "1.15.1" },
  { name: "pinecone", pkg: "@pinecone-database/mcp", v: "0.3.0", env: { PINECONE_API_KEY: KEY } },
  {
    name: "elasticsearch",
    pkg: "@elastic/mcp-server-elasticsearch",
    v: "0.3.1",
    env: { ES_URL: "http://localhost:9200", ES_API_KEY: KEY },
  },
  { name: "shopify-dev", pkg: "@shopify/dev-mcp", v: "1.16.0" },
  {
    name: "browserbase",
    pkg: "@browserbasehq/mcp-server-browserbase",
    v: "2.4.3",
    env: { BROWSERBASE_API_KEY: KEY, BROWSERBASE_PROJECT_ID: "p" },
  },
  { name: "airtable", pkg: "airtable-mcp-server", v: "1.14.0", env: { AIRTABLE_API_KEY: KEY } },
  { name: "youtube-transcript", pkg: "@kimtaeyoon83/mcp-server-youtube-transcript", v: "0.1.1" },
  { name: "circleci", pkg: "@circleci/mcp-server-circleci", v: "0.20.0", env: { CIRCLECI_TOKEN: KEY } },
  {
    name: "twilio",
    pkg: "@twilio-alpha/mcp",
    v: "0.7.0",
    args: ["ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/SKaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa:secret"],
  },
  { name: "mapbox", pkg: "@mapbox/mcp-server", v: "0.14.0", env: { MAPBOX_ACCESS_TOKEN: `pk.${KEY}` } },
  {
    name: "line",
    pkg: "@line/line-bot-mcp-server",
    v: "0.5.0",
    env: { CHANNEL_ACCESS_TOKEN: KEY, DESTINATION_USER_ID: "U0" },
  },
  { name: "perplexity", pkg: "@perplexity-ai/mcp-server", v: "1.2.1", env: { PERPLEXITY_API_KEY: KEY } },
  { name: "linear", pkg: "@tacticlaunch/mcp-linear", v: "1.4.3", env: { LINEAR_API_TOKEN: KEY } },
  { name: "everart", pkg: "@modelcontextprotocol/server-everart", v: "0.6.2", env: { EVERART_API_KEY: KEY } },
  {
    name: "aws-kb",
    pkg: "@modelcontextprotocol/server-aws-kb-retrieval",
    v: "0.6.2",
    env: { AWS_ACCESS_KEY_ID: KEY, AWS_SECRET_ACCESS_KEY: KEY, AWS_REGION: "us-east-1" },
  },
  {
    name: "llamacloud",
    pkg: "@llamaindex/mcp-server-llamacloud",
    v: "0.1.3",
    env: { LLAMA_CLOUD_API_KEY: KEY },
    args: ["--index", "docs", "--description", "Company documents"],
  },
  {
    name: "bitbucket",
    pkg: "@aashari/mcp-server-atlassian-bitbucket",
    v: "3.1.0",
    env: {
      ATLASSIAN_USER_EMAIL: "a@example.com",
      ATLASSIAN_API_TOKEN: KEY,
      ATLASSIAN_BITBUCKET_USERNAME: "a",
      ATLASSIAN_BITBUCKET_APP_PASSWORD: KEY,
    },
  },
  { name: "airbnb", pkg: "@openbnb/mcp-server-airbnb", v: "0.3.0" },
  { name: "executeautomation-playwright", pkg: "@executeautomation/playwright-mcp-server", v: "1.0.12" },
  { name: "ms-365", pkg: "@softeria/ms-365-mcp-server", v: "0.155.0" },
  { name: "monday", pkg: "@mondaydotcomorg/monday-api-mcp", v: "3.3.0", args: ["-t", KEY] },
  { name: "cal-com", pkg: "@calcom/cal-mcp", v: "0.0.6", env: { CALCOM_API_KEY: KEY } },
  {
    name: "trello",
    pkg: "@delorenj/mcp-server-trello",
    v: "1.8.1",
    env: { TRELLO_API_KEY: KEY, TRELLO_TOKEN: KEY, TRELLO_BOARD_ID: "b" },
  },
  {
    name: "plane",
    pkg: "@makeplane/plane-mcp-server",
    v: "0.1.5",
    env: { PLANE_API_KEY: KEY, PLANE_WORKSPACE_SLUG: "w" },
  },
  { name: "asana", pkg: "@roychri/mcp-server-asana", v: "1.8.0", env: { ASANA_ACCESS_TOKEN: KEY } },
].map((s) => ({ ...s, out: UNSEEN_OUT }));

/**
 * The second held-out set's servers (test/fixtures/tool-search/unseen2/): the most used npm servers
 * of each kind in none of the lists above nor the examples file, those that listed their tools here
 * with a dummy key (tried too and left out: Stripe and Upstash call their API while listing;
 * Dynatrace, Smartbear and DBHub need a newer Node; Salesforce and MySQL fail to start; Google
 * Calendar, Google Docs and Gmail want OAuth files; Sanity and @ansvar/mcp-sqlite have no bin;
 * Confluence (atlassian-dc) would not install; gcloud, Docker and @kazuph/mcp-fetch list one tool).
 */
const HELD2 = [
  {
    name: "datadog",
    pkg: "@winor30/mcp-server-datadog",
    v: "1.8.0",
    env: { DATADOG_API_KEY: KEY, DATADOG_APP_KEY: KEY },
  },
  { name: "mastra-docs", pkg: "@mastra/mcp-docs-server", v: "1.2.27" },
  {
    name: "n8n",
    pkg: "n8n-mcp",
    v: "2.87.0",
    env: { MCP_MODE: "stdio", N8N_API_URL: "http://localhost:5678", N8N_API_KEY: KEY },
  },
  { name: "cloud-run", pkg: "@google-cloud/cloud-run-mcp", v: "1.10.0" },
  { name: "gcp-observability", pkg: "@google-cloud/observability-mcp", v: "0.2.3" },
  { name: "gcs", pkg: "@google-cloud/storage-mcp", v: "0.6.0" },
  { name: "google-drive", pkg: "@piotr-agier/google-drive-mcp", v: "2.10.0" },
  { name: "brightdata", pkg: "@brightdata/mcp", v: "2.11.3", env: { API_TOKEN: KEY } },
  {
    name: "browserstack",
    pkg: "@browserstack/mcp-server",
    v: "1.4.2",
    env: { BROWSERSTACK_USERNAME: "u", BROWSERSTACK_ACCESS_KEY: KEY },
  },
  {
    name: "dataforseo",
    pkg: "dataforseo-mcp-server",
    v: "3.1.1",
    env: { DATAFORSEO_USERNAME: "u", DATAFORSEO_PASSWORD: KEY },
  },
  {
    name: "digitalocean",
    pkg: "@digitalocean/mcp",
    v: "1.0.70",
    args: ["--services", "apps,droplets,databases"],
    env: { DIGITALOCEAN_API_TOKEN: KEY },
  },
  { name: "hyperbrowser", pkg: "hyperbrowser-mcp", v: "1.0.25", env: { HYPERBROWSER_API_KEY: KEY } },
  { name: "obsidian", pkg: "mcp-obsidian", v: "1.0.0", args: ["{tmp}"] },
  { name: "discord", pkg: "mcp-discord", v: "1.3.4", env: { DISCORD_TOKEN: KEY } },
  { name: "terraform", pkg: "terraform-mcp-server", v: "0.13.0" },
  {
    name: "grafana",
    pkg: "@leval/mcp-grafana",
    v: "1.1.7",
    env: { GRAFANA_URL: "http://localhost:3000", GRAFANA_API_KEY: KEY },
  },
  { name: "vercel", pkg: "vercel-mcp", v: "0.0.7", args: [`VERCEL_API_KEY=${KEY}`] },
  { name: "teams", pkg: "@floriscornel/teams-mcp", v: "0.3.2" },
  { name: "youtube-data", pkg: "youtube-data-mcp-server", v: "1.0.16", env: { YOUTUBE_API_KEY: KEY } },
  { name: "azure", pkg: "@azure/mcp", v: "2.0.5", args: ["server", "start"] },
  {
    name: "sonarqube",
    pkg: "sonarqube-mcp-server",
    v: "1.10.21",
    env: { SONARQUBE_TOKEN: KEY, SONARQUBE_URL: "http://localhost:9000" },
  },
  {
    name: "azure-devops",
    pkg: "@tiberriver256/mcp-server-azure-devops",
    v: "0.1.48",
    env: {
      AZURE_DEVOPS_ORG_URL: "https://dev.azure.com/org",
      AZURE_DEVOPS_AUTH_METHOD: "pat",
      AZURE_DEVOPS_PAT: KEY,
    },
  },
].map((s) => ({ ...s, out: HELD2_OUT }));

/**
 * The third held-out set's servers (test/fixtures/tool-search/unseen3/): the most downloaded npm
 * servers of each kind in none of the lists above nor the examples file, those that listed their
 * tools here with a dummy key (tried too and left out: @coingecko/coingecko-mcp would not install;
 * the Gmail server (@gongrzhe) wants an OAuth keys file, Auth0 a login, @codefuturist/email-mcp a
 * mail account's config file; @storybook/mcp has no bin; nx-mcp lists one tool outside a workspace).
 */
const HELD3 = [
  { name: "next-devtools", pkg: "next-devtools-mcp", v: "0.4.0" },
  { name: "expo", pkg: "expo-mcp", v: "0.2.4", args: ["{tmp}", "--dev-server-url", "http://localhost:8081"] },
  { name: "antv-chart", pkg: "@antv/mcp-server-chart", v: "0.9.10" },
  { name: "shortcut", pkg: "@shortcut/mcp", v: "0.25.0", env: { SHORTCUT_API_TOKEN: KEY } },
  { name: "xcodebuild", pkg: "xcodebuildmcp", v: "2.7.0", args: ["mcp"] },
  { name: "drawio", pkg: "@drawio/mcp", v: "1.6.1" },
  { name: "mobile", pkg: "@mobilenext/mobile-mcp", v: "1.0.4" },
  { name: "lark", pkg: "@larksuiteoapi/lark-mcp", v: "0.5.1", args: ["mcp", "-a", "cli_a", "-s", KEY] },
  {
    name: "backlog",
    pkg: "backlog-mcp-server",
    v: "0.20.4",
    env: { BACKLOG_DOMAIN: "example.backlog.com", BACKLOG_API_KEY: KEY },
  },
  { name: "instantdb", pkg: "@instantdb/mcp", v: "1.0.67", args: ["--token", KEY] },
  {
    name: "argocd",
    pkg: "argocd-mcp",
    v: "0.9.0",
    args: ["stdio"],
    env: { ARGOCD_BASE_URL: "http://localhost:8080", ARGOCD_API_TOKEN: KEY },
  },
  { name: "postman", pkg: "@postman/postman-mcp-server", v: "2.13.0", env: { POSTMAN_API_KEY: KEY } },
  { name: "replicate", pkg: "replicate-mcp", v: "0.9.0", env: { REPLICATE_API_TOKEN: KEY } },
  { name: "reddit", pkg: "reddit-mcp-buddy", v: "1.1.14" },
  { name: "excel", pkg: "@negokaz/excel-mcp-server", v: "0.12.0" },
  { name: "codacy", pkg: "@codacy/codacy-mcp", v: "0.5.9", env: { CODACY_ACCOUNT_TOKEN: KEY } },
  { name: "hostinger", pkg: "hostinger-api-mcp", v: "1.63.2", env: { API_TOKEN: KEY } },
  {
    name: "metabase",
    pkg: "@cognitionai/metabase-mcp-server",
    v: "2.2.0",
    env: { METABASE_URL: "http://localhost:3000", METABASE_API_KEY: KEY },
  },
  {
    name: "coolify",
    pkg: "@masonator/coolify-mcp",
    v: "3.5.0",
    env: { COOLIFY_BASE_URL: "http://localhost:8000", COOLIFY_ACCESS_TOKEN: KEY },
  },
  { name: "rollbar", pkg: "@rollbar/mcp-server", v: "0.6.0", env: { ROLLBAR_ACCESS_TOKEN: KEY } },
  {
    name: "xero",
    pkg: "@xeroapi/xero-mcp-server",
    v: "0.0.17",
    env: { XERO_CLIENT_ID: KEY, XERO_CLIENT_SECRET: KEY },
  },
  {
    name: "glean",
    pkg: "@gleanwork/local-mcp-server",
    v: "0.7.6",
    env: { GLEAN_INSTANCE: "example", GLEAN_API_TOKEN: KEY },
  },
  { name: "bitwarden", pkg: "@bitwarden/mcp-server", v: "2026.7.0", env: { BW_SESSION: KEY } },
].map((s) => ({ ...s, out: HELD3_OUT }));

/** The package's own folder in the prefix, installed first when it is not there. */
function installed(s) {
  const dir = path.join(PREFIX, s.name);
  const home = path.join(dir, "node_modules", ...s.pkg.split("/"));
  if (!existsSync(home)) {
    mkdirSync(dir, { recursive: true });
    execFileSync(
      "npm",
      ["install", "--prefix", dir, "--ignore-scripts", "--no-audit", "--no-fund", `${s.pkg}@${s.v}`],
      { stdio: "inherit" },
    );
  }
  return home;
}

/** The script its package's bin names (the one bin, or the one named `bin` when there are several). */
function binOf(home, s) {
  const pkg = JSON.parse(readFileSync(path.join(home, "package.json"), "utf8"));
  const bins = typeof pkg.bin === "string" ? { [pkg.name]: pkg.bin } : (pkg.bin ?? {});
  const names = Object.keys(bins);
  const pick = s.bin ?? names.find((n) => !/setup|install|cli$/.test(n)) ?? names[0];
  if (!pick) throw new Error(`${s.pkg}: no bin`);
  return path.join(home, bins[pick]);
}

/** initialize, initialized, then tools/list over every page: the tools as the server listed them. */
function listTools(command, args, env, cwd) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      env: { ...process.env, ...env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let buffer = "";
    let stderr = "";
    const waiting = new Map();
    let id = 0;
    const request = (method, params) =>
      new Promise((ok, fail) => {
        id += 1;
        waiting.set(id, { ok, fail });
        child.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", id, method, params })}\n`);
      });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`no answer in 60 s; stderr: ${stderr.slice(-2000)}`));
    }, 60_000);
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("exit", (code) => {
      for (const { fail } of waiting.values())
        fail(new Error(`exited ${code}; stderr: ${stderr.slice(-2000)}`));
    });
    child.stdout.on("data", (d) => {
      buffer += d;
      for (let nl = buffer.indexOf("\n"); nl !== -1; nl = buffer.indexOf("\n")) {
        const line = buffer.slice(0, nl).trim();
        buffer = buffer.slice(nl + 1);
        if (!line.startsWith("{")) continue;
        const message = JSON.parse(line);
        const w = message.id !== undefined && !message.method ? waiting.get(message.id) : undefined;
        if (!w) {
          // A server's own request (roots/list, …): answered empty.
          if (message.method && message.id !== undefined)
            child.stdin.write(
              `${JSON.stringify({ jsonrpc: "2.0", id: message.id, result: { roots: [] } })}\n`,
            );
          continue;
        }
        waiting.delete(message.id);
        if (message.error) w.fail(new Error(JSON.stringify(message.error)));
        else w.ok(message.result);
      }
    });
    (async () => {
      const init = await request("initialize", {
        protocolVersion: "2025-06-18",
        capabilities: {},
        clientInfo: { name: "mcp-twin-capture", version: "1" },
      });
      child.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" })}\n`);
      const tools = [];
      let cursor;
      do {
        const page = await request("tools/list", cursor ? { cursor } : {});
        tools.push(...page.tools);
        cursor = page.nextCursor;
      } while (cursor);
      return { tools, server: init.serverInfo };
    })().then(
      (got) => {
        clearTimeout(timer);
        child.kill();
        resolve(got);
      },
      (error) => {
        clearTimeout(timer);
        child.kill("SIGKILL");
        reject(error);
      },
    );
  });
}

const wanted = process.argv.slice(UNSEEN_RUN || HELD2_RUN || HELD3_RUN ? 3 : 2);
for (const dir of [OUT, REAL_OUT, UNSEEN_OUT, HELD2_OUT, HELD3_OUT]) mkdirSync(dir, { recursive: true });
const tmp = mkdtempSync(path.join(os.tmpdir(), "capture-"));
const captured = new Date().toISOString().slice(0, 10);
for (const s of (HELD3_RUN
  ? HELD3
  : HELD2_RUN
    ? HELD2
    : UNSEEN_RUN
      ? UNSEEN
      : [...SERVERS, ...REAL_LISTS]
).filter((s) => wanted.length === 0 || wanted.includes(s.name))) {
  try {
    const bin = binOf(installed(s), s);
    const args = (s.args ?? []).map((a) => a.replace("{tmp}", tmp));
    const env = Object.fromEntries(Object.entries(s.env ?? {}).map(([k, v]) => [k, v.replace("{tmp}", tmp)]));
    const { tools, server } = await listTools(process.execPath, [bin, ...args], { HOME: tmp, ...env }, tmp);
    const file = path.join(s.out ?? OUT, `${s.name}.json`);
    const record = { name: s.name, package: s.pkg, version: s.v, captured, serverInfo: server, tools };
    // The temp folder it ran in (its home and working folder) is this run's, not the server's.
    writeFileSync(file, `${JSON.stringify(record, null, 2).replaceAll(tmp, "<cwd>")}\n`);
    console.log(`${s.name}: ${tools.length} tools`);
  } catch (error) {
    console.log(`${s.name}: FAILED ${error instanceof Error ? error.message : error}`);
  }
}
