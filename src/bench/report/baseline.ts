import { readFile } from 'node:fs/promises';
import { UsageError } from '../../util/errors.js';
import type { BenchReport } from './format-report.js';

/** Reads a report written earlier by `asyncsrv bench --json`, for `--compare`; a usage error when it is not one. */
export async function readBaseline(file: string): Promise<BenchReport> {
  const text = await readFile(file, 'utf8').catch(() => {
    throw new UsageError(`Cannot read the baseline \`${file}\`.`, 'Write one with `asyncsrv bench --json baseline.json`.');
  });
  let report: Partial<BenchReport>;
  try {
    report = JSON.parse(text) as Partial<BenchReport>;
  } catch {
    throw new UsageError(`The baseline \`${file}\` is not valid JSON.`);
  }
  if (report.schema !== 'asyncsrv-bench/1' || !Array.isArray(report.scenarios)) {
    throw new UsageError(`The baseline \`${file}\` is not an asyncsrv bench report (schema asyncsrv-bench/1).`);
  }
  return report as BenchReport;
}
