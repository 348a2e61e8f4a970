/**
 * Groups of words that mean the same thing in tools' words, whatever the server (pure data): a need's
 * word also finds the other words of its groups, below the word itself and below an everyday synonym.
 */

/*
 * Written from what APIs in general call things (calendars, trackers, forges, CRMs, shops, search
 * engines, vector stores, telephony, mail, files, deploys), not from any set of needs: the everyday
 * words (everyday-words.ts) were tuned on the known servers' needs; these are for servers no file
 * knows. A word in two groups finds both. A phrase ("pull request") is looked for word by word.
 */
export const CONCEPTS: readonly string[] = [
  // People and accounts
  "whoami, me, myself, current user, profile, account, viewer",
  "user, users, member, members, people, person, teammate, colleague, assignee",
  "team, teams, group, groups, organization, organisation, org, workspace",
  "contact, contacts, customer, customers, client, clients, lead, leads",
  "company, companies, business, organization, account",
  "deal, deals, opportunity, opportunities, sale, sales, pipeline",
  "permission, permissions, access, role, roles, share, sharing",
  // Time
  "calendar, calendars, meeting, meetings, event, events, appointment, appointments, schedule, booking, bookings, invite",
  "availability, available, free, busy, slot, slots",
  "book, booking, reserve, reservation, schedule",
  "reminder, reminders, notification, notifications, alert, alerts, notify",
  "sprint, sprints, cycle, cycles, iteration, milestone, milestones",
  "deadline, due, date",
  // Work tracking
  "issue, issues, ticket, tickets, bug, bugs, task, tasks, story, card, cards, item, items, todo",
  "board, boards, project, projects",
  "comment, comments, reply, replies, note, notes",
  "label, labels, tag, tags, category, categories",
  "status, state, progress, stage",
  "assign, assignee, owner, responsible",
  "column, columns, field, fields, property, properties, attribute, attributes",
  // Messages
  "message, messages, sms, text, texts, chat, conversation, conversations",
  "send, post, notify, text, dm",
  "email, emails, mail, mails, inbox, mailbox, outlook",
  "phone, call, calls, voice, dial, number, numbers",
  "channel, channels, room, rooms, conversation",
  "recording, recordings, transcript, transcripts, caption, captions, subtitles",
  // Files and documents
  "file, files, document, documents, doc, docs, attachment, attachments",
  "folder, folders, directory, directories, drive",
  "upload, attach, import",
  "spreadsheet, spreadsheets, sheet, sheets, excel, workbook, worksheet",
  "table, tables, database, databases, base, bases",
  "record, records, row, rows, entry, entries",
  "schema, schemas, mapping, mappings, structure, columns, fields, types",
  // Reading, finding, changing
  "get, fetch, read, retrieve, show, view, display, describe, details, info, inspect",
  "list, lists, all, every, enumerate, browse",
  "search, find, query, lookup, locate, filter, match, grep",
  "create, add, new, make, insert, register, setup",
  "update, edit, modify, change, patch, set, overwrite",
  "delete, remove, drop, erase, destroy, purge, wipe, rid",
  "archive, close, resolve, complete, done, finish",
  "upsert, insert, add, store, save, ingest, index, load, write",
  "copy, duplicate, clone",
  "move, transfer, migrate",
  // Search engines and vector stores
  "vector, vectors, embedding, embeddings, semantic, similarity, similar, meaning, nearest, neighbours, neighbors",
  "index, indexes, indices, collection, collections",
  "knowledge base, knowledge, kb, vector store, vector database, corpus",
  "rerank, relevance, relevant, rank, ranking",
  "aggregate, aggregation, aggregations, count, group, stats, statistics, metrics, analytics",
  "shard, shards, replica, replicas, node, nodes, allocation, primary",
  "cluster, clusters, health",
  // Code, builds, deploys
  "repository, repositories, repo, repos, codebase",
  "commit, commits, diff, changes, changeset",
  "pull request, merge request, pr, review",
  "build, builds, pipeline, pipelines, job, jobs, workflow, workflows, ci",
  "deploy, deploys, deployment, deployments, ship, release, releases, publish, production, live, rollout",
  "environment, environments, env, variable, variables, secret, secrets",
  "domain, domains, dns, hostname",
  "site, sites, website, websites, web, app, apps",
  "log, logs, history, activity, audit",
  "error, errors, failure, failures, failed, exception, exceptions, crash",
  "test, tests, check, checks, validate, validation, verify, lint, valid",
  "settings, setting, config, configuration, preferences, options",
  "token, tokens, key, keys, credential, credentials",
  // Browsers and the web
  "browse, open, navigate, visit, go, website, url, page, webpage, link",
  "browser, tab, tabs, page",
  "click, press, tap",
  "type, fill, enter, input",
  "screenshot, screen, capture, snapshot",
  "scrape, crawl, extract",
  "ask, question, answer, research, explain",
  "summary, summarize, summarise, overview, tldr",
  // Shops and money
  "shop, store, storefront, ecommerce, shopify",
  "product, products, catalog, catalogue, inventory, stock, sku",
  "order, orders, purchase, purchases, checkout, cart",
  "price, prices, pricing, cost, costs, fee, fees, rate, rates, amount",
  "payment, payments, invoice, invoices, bill, billing, charge, charges, subscription, subscriptions",
  "discount, discounts, coupon, coupons, promotion",
  // Places, media
  "lodging, accommodation, accommodations, stay, flat, apartment, cabin, cottage, villa, rental, rentals, house, home, room, hotel, bnb, listing, listings, property",
  "amenities, amenity, facilities, features, details",
  "guest, guests, people, adults, children",
  "map, maps, location, locations, place, places, address, directions, route, coordinates, geocode",
  "image, images, picture, pictures, photo, photos, illustration, art, artwork, drawing",
  "generate, draw, render, create",
  "video, videos, youtube, clip",
  "docs, documentation, guide, guides, tutorial, reference, manual, help",
  "region, regions, cloud, zone, zones, provider",
  "size, big, count, total, usage, stats",
];
