// What the build gives zod for its `locales` namespace: English only (zod-locales-en.mjs).
export { default as en } from "zod/v4/locales/en.js";
