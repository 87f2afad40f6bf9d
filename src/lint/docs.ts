import { fileURLToPath } from 'node:url';

/**
 * Where the rules' documentation is in this package (`docs/rules/`, shipped in package.json
 * "files"): from an install, `node_modules/create-async-server/docs/rules/`.
 */
export const RULE_DOCS_DIRECTORY = fileURLToPath(new URL('../../docs/rules/', import.meta.url));

/** A `file:` URL to one rule's doc, which resolves from the user's project (editors and SARIF viewers open it). */
export const ruleDocsUrl = (name: string): string => new URL(`../../docs/rules/${name}.md`, import.meta.url).href;
