import { join, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { packageRoot } from '../util/package-info.js';

/**
 * Where the rules' documentation is in this package (`docs/rules/`, shipped in package.json
 * "files"): from an install, `node_modules/create-async-server/docs/rules/`.
 */
export const RULE_DOCS_DIRECTORY = `${join(packageRoot(), 'docs', 'rules')}${sep}`;

/** A `file:` URL to one rule's doc, which resolves from the user's project (editors and SARIF viewers open it). */
export const ruleDocsUrl = (name: string): string => pathToFileURL(join(RULE_DOCS_DIRECTORY, `${name}.md`)).href;
