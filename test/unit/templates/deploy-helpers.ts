import { spawnSync } from 'node:child_process';
import { accessSync, closeSync, constants, openSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export const NGINX_INSTALL_HINT = 'apt-get update && apt-get install -y nginx-light';

export interface DockerInstruction {
  keyword: string;
  args: string;
}

/** Splits a Dockerfile into instructions: comments dropped, `\` continuations joined. */
export function parseDockerfile(text: string): DockerInstruction[] {
  const instructions: DockerInstruction[] = [];
  let pending = '';
  for (const rawLine of text.split('\n')) {
    const line = rawLine.trim();
    if (pending === '' && (line === '' || line.startsWith('#'))) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1).trim()} `;
      continue;
    }
    const full = (pending + line).trim();
    pending = '';
    const match = /^(\S+)\s*(.*)$/s.exec(full);
    if (match?.[1] === undefined) continue;
    instructions.push({ keyword: match[1].toUpperCase(), args: match[2] ?? '' });
  }
  return instructions;
}

/** Groups instructions by build stage: each stage starts at a FROM. Instructions before the first FROM (ARG) are dropped. */
export function splitStages(instructions: DockerInstruction[]): DockerInstruction[][] {
  const stages: DockerInstruction[][] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') stages.push([instruction]);
    else stages.at(-1)?.push(instruction);
  }
  return stages;
}

/** Resolves compose `${NAME:-default}` / `${NAME-default}` to its default, as compose does with NAME unset. */
export function interpolateComposeDefaults(value: string): string {
  return value.replace(/\$\{[A-Za-z_][A-Za-z0-9_]*:?-([^}]*)\}/g, (_whole, fallback: string) => fallback);
}

/** Drops `#` comments from an nginx config (the templates keep `#` out of quoted strings). */
export function stripNginxComments(conf: string): string {
  return conf.replace(/#[^\n]*/g, '');
}

/** The body of the first block whose header matches (e.g. `upstream app`, `location /`), braces balanced. */
export function nginxBlock(conf: string, header: RegExp): string {
  const match = new RegExp(`${header.source}\\s*\\{`).exec(conf);
  if (!match) throw new Error(`No block matching ${String(header)} in nginx.conf`);
  const start = match.index + match[0].length;
  let depth = 1;
  for (let i = start; i < conf.length; i++) {
    if (conf[i] === '{') depth++;
    else if (conf[i] === '}' && --depth === 0) return conf.slice(start, i);
  }
  throw new Error(`Unbalanced braces after ${String(header)} in nginx.conf`);
}

/** Arguments of each `name ...;` directive directly written in the text (nested blocks included). */
export function nginxDirectives(text: string, name: string): string[] {
  const pattern = new RegExp(`(?:^|[;{}\\s])${name}\\s+([^;{}]*);`, 'g');
  return [...text.matchAll(pattern)].map((m) => (m[1] ?? '').replace(/\s+/g, ' ').trim());
}

/** Seconds in an nginx time value such as `60s`, `1m` or `60`. */
export function nginxSeconds(value: string): number {
  const match = /^(\d+)(ms|s|m|h)?$/.exec(value.trim());
  if (!match) throw new Error(`Expected an nginx time value, got \`${value}\``);
  const units: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600 };
  return Number(match[1]) * (units[match[2] ?? 's'] ?? 1);
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Absolute path of the nginx binary (NGINX_BIN, PATH, then sbin dirs not on a normal user's PATH); throws how to install it. */
export function findNginx(): string {
  const fromEnv = process.env.NGINX_BIN;
  if (fromEnv) {
    if (isExecutable(fromEnv)) return fromEnv;
    throw new Error(`NGINX_BIN is set to \`${fromEnv}\`, which is not an executable file.`);
  }
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin', '/usr/local/nginx/sbin'];
  for (const dir of dirs) {
    if (dir !== '' && isExecutable(join(dir, 'nginx'))) return join(dir, 'nginx');
  }
  throw new Error(
    `nginx is required to validate templates/deploy/nginx.conf but was not found. Install it with \`${NGINX_INSTALL_HINT}\` (or set NGINX_BIN).`,
  );
}

export interface TestableNginxConfOptions {
  tempDir: string;
  port: number;
  /** Output of `nginx -V`, to leave out temp paths of modules compiled out. */
  buildInfo: string;
}

function replaceOnce(text: string, pattern: RegExp, replacement: string): string {
  if (!pattern.test(text)) throw new Error(`Expected ${String(pattern)} in nginx.conf`);
  return text.replace(pattern, replacement);
}

/**
 * The config as `nginx -t` can check it on this machine: `app` (a compose service name) becomes
 * 127.0.0.1, the listen port a free local one, and temp paths move under tempDir, so no root
 * paths, root ports or container DNS are needed. Nothing else changes.
 */
export function makeTestableNginxConf(conf: string, { tempDir, port, buildInfo }: TestableNginxConfOptions): string {
  const tempModules = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].filter(
    (name) => !buildInfo.includes(`--without-http_${name}_module`),
  );
  const tempPaths = tempModules.map((name) => `    ${name}_temp_path ${join(tempDir, `${name}_temp`)};`).join('\n');
  let result = replaceOnce(conf, /(\bserver\s+)app:3000\s*;/, '$1127.0.0.1:3000;');
  result = replaceOnce(result, /\blisten\s+80\s*;/, `listen 127.0.0.1:${port};`);
  result = replaceOnce(result, /^http\s*\{/m, `http {\n${tempPaths}`);
  return result;
}

export interface CommandResult {
  status: number | null;
  output: string;
}

export function runCommand(file: string, args: string[]): CommandResult {
  const result = spawnSync(file, args, { encoding: 'utf8', timeout: 30_000 });
  if (result.error) throw result.error;
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/**
 * Like runCommand, with stdout and stderr going to a regular file: nginx opens /dev/stdout and
 * /dev/stderr itself, which fails (ENXIO) when they are the socket pairs Node uses for pipes.
 */
export function runCommandToFile(file: string, args: string[], outputPath: string): CommandResult {
  const fd = openSync(outputPath, 'w');
  try {
    const result = spawnSync(file, args, { stdio: ['ignore', fd, fd], timeout: 30_000 });
    if (result.error) throw result.error;
    return { status: result.status, output: readFileSync(outputPath, 'utf8') };
  } finally {
    closeSync(fd);
  }
}
