/** Types of scripts/generate-notices.mjs, for test/e2e/licences.test.ts. */
export const NOTICES_FILE: string;
export interface Sbom {
  metadata: { component: { name: string; version: string; licenses: unknown[] } };
  components: Array<{ name: string; version: string; purl: string; licenses: unknown[] }>;
}
export function readSbom(root: string): Sbom;
export function noticesText(root: string, sbom?: Sbom): string;
