import { pathToFileURL } from 'node:url';
import type { LintReport } from '../report.js';

export interface SarifOptions {
  toolVersion: string;
}

/**
 * SARIF 2.1.0, the format GitHub code scanning and most CI dashboards import: one run, our
 * tool as the driver, one result per finding with its rule, level and region.
 */
export function formatSarif(report: LintReport, { toolVersion }: SarifOptions): string {
  const ruleIds = Object.keys(report.rules).sort();
  const rules = ruleIds.map((id) => {
    const info = report.rules[id] ?? {};
    return {
      id,
      ...(info.description ? { shortDescription: { text: info.description } } : {}),
      ...(info.url ? { helpUri: info.url } : {}),
    };
  });
  const results = report.files.flatMap((file) =>
    file.messages.map((message) => ({
      ...(message.ruleId ? { ruleId: message.ruleId, ruleIndex: ruleIds.indexOf(message.ruleId) } : {}),
      level: message.severity === 2 ? 'error' : 'warning',
      message: { text: message.message },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: file.path, uriBaseId: 'ROOT' },
            region: {
              startLine: message.line,
              startColumn: message.column,
              ...(message.endLine ? { endLine: message.endLine } : {}),
              ...(message.endColumn ? { endColumn: message.endColumn } : {}),
            },
          },
        },
      ],
    })),
  );
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'asyncsrv lint',
            version: toolVersion,
            informationUri: 'https://github.com/create-async-server/create-async-server/blob/main/docs/lint.md',
            rules,
          },
        },
        originalUriBaseIds: { ROOT: { uri: `${pathToFileURL(report.root).href.replace(/\/?$/, '/')}` } },
        results,
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}
