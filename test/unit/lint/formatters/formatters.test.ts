import { describe, expect, it } from 'vitest';
import { formatJson, formatReport, formatSarif, formatStylish } from '../../../../src/lint/formatters/index.js';
import type { LintReport } from '../../../../src/lint/report.js';

const report: LintReport = {
  root: '/work/app',
  fileCount: 3,
  errorCount: 1,
  warningCount: 2,
  files: [
    { path: 'src/clean.ts', messages: [] },
    {
      path: 'src/routes/users.ts',
      messages: [
        {
          ruleId: 'async-server/require-timeout',
          severity: 1,
          message: '`fetch` has no `signal`.',
          line: 12,
          column: 9,
          endLine: 12,
          endColumn: 30,
        },
        { ruleId: 'async-server/no-sequential-await', severity: 1, message: 'These 2 awaits...', line: 101, column: 3 },
      ],
    },
    {
      path: 'src/broken.ts',
      messages: [{ ruleId: null, severity: 2, message: 'Parsing error: Unexpected token', line: 1, column: 5, fatal: true }],
    },
  ],
  rules: {
    'async-server/require-timeout': { description: 'Require a timeout', url: 'https://example.com/require-timeout.md' },
    'async-server/no-sequential-await': { description: 'No sequential awaits' },
  },
};

const clean: LintReport = {
  root: '/work/app',
  fileCount: 1,
  errorCount: 0,
  warningCount: 0,
  files: [{ path: 'a.ts', messages: [] }],
  rules: {},
};

describe('formatStylish', () => {
  it('groups findings by file, aligns positions, ends with a summary', () => {
    expect(formatStylish(report, { color: false })).toBe(
      [
        'src/routes/users.ts',
        '  12:9   warning  `fetch` has no `signal`.  async-server/require-timeout',
        '  101:3  warning  These 2 awaits...  async-server/no-sequential-await',
        '',
        'src/broken.ts',
        '  1:5  error    Parsing error: Unexpected token',
        '',
        '✖ 3 problems (1 error, 2 warnings) in 3 files',
        '',
      ].join('\n'),
    );
  });

  it('says so when clean, with singular forms', () => {
    expect(formatStylish(clean, { color: false })).toBe('✔ No problems in 1 file.\n');
  });

  it('colours only when asked', () => {
    expect(formatStylish(clean, { color: true })).toContain('\u001b[');
    expect(formatStylish(report, { color: false })).not.toContain('\u001b[');
  });
});

describe('formatJson', () => {
  it('keeps totals and only files with findings', () => {
    const parsed = JSON.parse(formatJson(report)) as {
      files: Array<{ path: string }>;
      errorCount: number;
      warningCount: number;
      fileCount: number;
    };
    expect(parsed.files.map((file) => file.path)).toEqual(['src/routes/users.ts', 'src/broken.ts']);
    expect(parsed).toMatchObject({ errorCount: 1, warningCount: 2, fileCount: 3, root: '/work/app' });
  });
});

describe('formatSarif', () => {
  const sarif = JSON.parse(formatSarif(report, { toolVersion: '1.2.3' })) as {
    version: string;
    runs: Array<{
      tool: {
        driver: { name: string; version: string; rules: Array<{ id: string; helpUri?: string; shortDescription?: { text: string } }> };
      };
      originalUriBaseIds: { ROOT: { uri: string } };
      results: Array<{
        ruleId?: string;
        ruleIndex?: number;
        level: string;
        message: { text: string };
        locations: Array<{ physicalLocation: { artifactLocation: { uri: string; uriBaseId: string }; region: Record<string, number> } }>;
      }>;
    }>;
  };
  const run = sarif.runs[0]!;

  it('is SARIF 2.1.0 with our tool and its rules', () => {
    expect(sarif.version).toBe('2.1.0');
    expect(run.tool.driver).toMatchObject({ name: 'asyncsrv lint', version: '1.2.3' });
    expect(run.tool.driver.rules).toEqual([
      { id: 'async-server/no-sequential-await', shortDescription: { text: 'No sequential awaits' } },
      {
        id: 'async-server/require-timeout',
        shortDescription: { text: 'Require a timeout' },
        helpUri: 'https://example.com/require-timeout.md',
      },
    ]);
    expect(run.originalUriBaseIds.ROOT.uri).toBe('file:///work/app/');
  });

  it('has one result per finding, with level, rule index and region', () => {
    expect(run.results).toHaveLength(3);
    expect(run.results[0]).toEqual({
      ruleId: 'async-server/require-timeout',
      ruleIndex: 1,
      level: 'warning',
      message: { text: '`fetch` has no `signal`.' },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: 'src/routes/users.ts', uriBaseId: 'ROOT' },
            region: { startLine: 12, startColumn: 9, endLine: 12, endColumn: 30 },
          },
        },
      ],
    });
    expect(run.results[2]).toMatchObject({ level: 'error' });
    expect(run.results[2]?.ruleId).toBeUndefined();
  });
});

describe('formatReport', () => {
  it('picks the formatter by name', () => {
    const options = { color: false, toolVersion: '0.0.0' };
    expect(formatReport(clean, 'stylish', options)).toBe(formatStylish(clean, options));
    expect(formatReport(clean, 'json', options)).toBe(formatJson(clean));
    expect(formatReport(clean, 'sarif', options)).toBe(formatSarif(clean, options));
  });
});
