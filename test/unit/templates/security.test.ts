import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listFiles } from '../../e2e/helpers/cli.js';
import { templatesRoot } from '../../e2e/helpers/paths.js';

/** Every template file (all layers), relative to templates/. */
let templateFiles: string[];
beforeAll(async () => {
  templateFiles = await listFiles(templatesRoot);
});

/**
 * The places in `source` where SQL is built from strings inside a `query(` call: a template literal
 * with `${}` or a `+` concatenation as the statement, directly or through a `const` of the same file.
 * Returns `line: text` of each.
 */
function stringBuiltSql(source: string, fileName = 'file.ts'): string[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true);
  const constants = new Map<string, ts.Expression>();
  const found: string[] = [];
  const isBuilt = (node: ts.Expression): boolean => {
    const inner = ts.skipPartiallyEmittedExpressions(node);
    if (ts.isParenthesizedExpression(inner) || ts.isAsExpression(inner)) return isBuilt(inner.expression);
    if (ts.isTemplateExpression(inner)) return true;
    if (ts.isBinaryExpression(inner) && inner.operatorToken.kind === ts.SyntaxKind.PlusToken) return true;
    if (ts.isCallExpression(inner) && ts.isPropertyAccessExpression(inner.expression) && inner.expression.name.text === 'concat')
      return true;
    if (ts.isIdentifier(inner) && constants.has(inner.text)) return isBuilt(constants.get(inner.text)!);
    return false;
  };
  const collect = (node: ts.Node): void => {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer) constants.set(node.name.text, node.initializer);
    ts.forEachChild(node, collect);
  };
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const name = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : '';
      const [statement] = node.arguments;
      if (name === 'query' && statement && isBuilt(statement)) {
        const { line } = file.getLineAndCharacterOfPosition(node.getStart());
        found.push(`${line + 1}: ${node.getText().split('\n')[0]}`);
      }
    }
    ts.forEachChild(node, visit);
  };
  collect(file);
  visit(file);
  return found;
}

describe('parameterised SQL only', () => {
  it('finds string-built SQL when it is there (the check can fail)', () => {
    expect(stringBuiltSql('db.query(`SELECT * FROM world WHERE id = ${id}`, [], signal);')).toHaveLength(1);
    expect(stringBuiltSql("pool.query('SELECT * FROM world WHERE id = ' + id);")).toHaveLength(1);
    expect(stringBuiltSql("const sql = 'DELETE FROM t WHERE name = \\'' + name + '\\'';\nawait client.query(sql);")).toEqual([
      '2: client.query(sql)',
    ]);
    expect(stringBuiltSql("await c.var.db.query<World>(('SELECT ' as string).concat(column), [], signal);")).toHaveLength(1);
    expect(stringBuiltSql("db.query('SELECT * FROM world WHERE id = $1', [id], signal);\nconst s = 'SELECT 1';\npool.query(s);")).toEqual(
      [],
    );
  });

  it('no template .ts file builds SQL from strings inside a query( call', async () => {
    const tsFiles = templateFiles.filter((path) => path.endsWith('.ts'));
    expect(tsFiles.length).toBeGreaterThan(20);
    const findings: string[] = [];
    for (const path of tsFiles) {
      for (const finding of stringBuiltSql(await readFile(join(templatesRoot, path), 'utf8'), path)) findings.push(`${path}:${finding}`);
    }
    expect(findings).toEqual([]);
  });
});

describe('no secret in generated files', () => {
  let repo: string;
  beforeAll(async () => {
    repo = await mkdtemp(join(tmpdir(), 'cas-gitignore-'));
    await execa('git', ['init', '-q'], { cwd: repo });
    await writeFile(join(repo, '.gitignore'), await readFile(join(templatesRoot, 'base', '_gitignore'), 'utf8'));
  });
  afterAll(async () => {
    await rm(repo, { recursive: true, force: true });
  });

  it('git ignores .env (the real values) but not .env.example (the documentation)', async () => {
    const ignored = async (path: string): Promise<boolean> =>
      (await execa('git', ['check-ignore', '-q', path], { cwd: repo, reject: false })).exitCode === 0;
    expect(await ignored('.env')).toBe(true);
    expect(await ignored('.env.example')).toBe(false);
    expect(await ignored('src/server.ts')).toBe(false);
  });

  it('.env.example holds placeholders only: credentials only for a database on this machine, no keys or tokens', async () => {
    const examples = templateFiles.filter((path) => path.endsWith('_env.example'));
    expect(examples.length).toBeGreaterThanOrEqual(2);
    for (const path of examples) {
      const lines = (await readFile(join(templatesRoot, path), 'utf8')).split('\n').filter((line) => /^\s*#?\s*[A-Z_]+=/.test(line));
      expect(lines.length, path).toBeGreaterThan(10);
      for (const line of lines) {
        const [key, ...rest] = line.replace(/^\s*#\s*/, '').split('=');
        const value = rest.join('=');
        if (/SECRET|TOKEN|API_KEY|PRIVATE|PASSWORD/i.test(key!)) expect(value, `${path}: ${line}`).toMatch(/^(|<[^>]+>|change-me)$/);
        const credentials = /^\w+:\/\/[^:/@\s]+:([^@\s]+)@([^:/\s]+)/.exec(value);
        if (credentials)
          expect(credentials[2], `${path}: ${line} (a password for a host other than this machine)`).toMatch(/^(127\.0\.0\.1|localhost)$/);
      }
    }
  });

  it('no template file carries a key, a token or a password for a remote host', async () => {
    const secretPatterns: Array<[string, RegExp]> = [
      ['private key', /-----BEGIN [A-Z ]*PRIVATE KEY-----/],
      ['AWS access key', /\bAKIA[0-9A-Z]{16}\b/],
      ['GitHub token', /\bgh[pousr]_[A-Za-z0-9]{36,}\b/],
      ['Slack token', /\bxox[abpr]-[A-Za-z0-9-]{10,}/],
      ['Stripe key', /\b[sr]k_live_[A-Za-z0-9]{16,}/],
      ['npm token', /\bnpm_[A-Za-z0-9]{36}\b/],
      ['assigned secret', /\b(secret|token|api[_-]?key|password)\s*[:=]\s*['"][A-Za-z0-9+/_-]{12,}['"]/i],
    ];
    // user:password@host is a placeholder, user:***@host one already hidden (as logs show it); the embedded database's fixed local password, and compose's overridable default for a DB it never publishes, are allowed.
    const allowedCredentials =
      /^(user:password@host|user:password@127\.0\.0\.1|user:\*\*\*@host|postgres:postgres@(127\.0\.0\.1|\$\{HOST\})|app:\$\{POSTGRES_PASSWORD:-app\}@db)$/;
    const findings: string[] = [];
    for (const path of templateFiles) {
      const text = await readFile(join(templatesRoot, path), 'utf8');
      for (const [name, pattern] of secretPatterns) if (pattern.test(text)) findings.push(`${path}: ${name}`);
      for (const match of text.matchAll(/\w+:\/\/([^:/@\s'"`]+:[^@\s'"`]+@[^:/\s'"`]+)/g)) {
        if (!allowedCredentials.test(match[1]!)) findings.push(`${path}: credentials ${match[1]}`);
      }
    }
    expect(findings).toEqual([]);
    const compose = await readFile(join(templatesRoot, 'deploy', 'compose.yaml'), 'utf8');
    const dbService = /\n {2}db:\n([\s\S]*?)\n {2}\w+:\n/.exec(compose)?.[1] ?? '';
    expect(dbService, 'the compose database must not publish a port: its default password is only for the compose network').not.toMatch(
      /\n {4}ports:/,
    );
    expect(dbService).toMatch(/POSTGRES_PASSWORD: \$\{POSTGRES_PASSWORD:-app\}/);
  });
});
