import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { repoRoot } from './paths.js';

/** Validates a `--json` bench report against docs/bench-report.schema.json; returns the errors, if any. */
export function benchReportErrors(report: unknown): string[] {
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  (addFormats as unknown as (ajv: Ajv2020) => void)(ajv);
  const schema = JSON.parse(readFileSync(join(repoRoot, 'docs', 'bench-report.schema.json'), 'utf8')) as object;
  const validate = ajv.compile(schema);
  return validate(report) ? [] : (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? ''}`);
}
