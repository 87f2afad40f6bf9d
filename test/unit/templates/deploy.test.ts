import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  findNginx,
  interpolateComposeDefaults,
  makeTestableNginxConf,
  nginxBlock,
  nginxDirectives,
  nginxSeconds,
  parseDockerfile,
  runCommand,
  runCommandToFile,
  splitStages,
  stripNginxComments,
  type DockerInstruction,
} from './deploy-helpers.js';
import { freePort } from '../../e2e/helpers/processes.js';

const deployDir = fileURLToPath(new URL('../../../templates/deploy/', import.meta.url));
const readTemplate = (name: string): string => readFileSync(join(deployDir, name), 'utf8');

/** The generated app's keepAliveTimeout default (KEEP_ALIVE_TIMEOUT_MS) and request deadline. */
const APP_KEEP_ALIVE_SECONDS = 65;
const APP_DEADLINE_SECONDS = 5;

describe('templates/deploy', () => {
  it('holds exactly the overlay files', () => {
    expect(readdirSync(deployDir).sort()).toEqual([
      'Dockerfile',
      'README.section.md',
      '_dockerignore',
      'compose.yaml',
      'nginx.conf',
    ]);
  });
});

describe('compose.yaml', () => {
  type Service = Record<string, unknown>;
  const compose = parse(readTemplate('compose.yaml')) as Record<string, unknown>;
  const services = compose.services as Record<string, Service>;
  const service = (name: string): Service => {
    const found = services[name];
    if (!found) throw new Error(`compose.yaml has no service \`${name}\``);
    return found;
  };
  const environment = (svc: Service): Record<string, string | null> => {
    const env = svc.environment;
    if (Array.isArray(env)) {
      return Object.fromEntries(
        env.map((entry: string) => {
          const eq = entry.indexOf('=');
          return eq === -1 ? [entry, null] : [entry.slice(0, eq), entry.slice(eq + 1)];
        }),
      );
    }
    return (env ?? {}) as Record<string, string | null>;
  };

  it('has no top-level version key (obsolete in the Compose spec)', () => {
    expect(compose).not.toHaveProperty('version');
  });

  it('defines the app, db and nginx services', () => {
    expect(Object.keys(services).sort()).toEqual(['app', 'db', 'nginx']);
  });

  it('builds the app from the project directory', () => {
    const build = service('app').build;
    expect(typeof build === 'string' ? build : (build as { context?: string }).context).toBe('.');
  });

  it('starts the app only once db is healthy', () => {
    expect(service('app').depends_on).toMatchObject({ db: { condition: 'service_healthy' } });
  });

  it('points DATABASE_URL at the db service with the credentials db is created with', () => {
    const appUrl = environment(service('app')).DATABASE_URL;
    expect(appUrl, 'app.environment.DATABASE_URL').toBeTypeOf('string');
    const url = new URL(interpolateComposeDefaults(appUrl ?? ''));
    const dbEnv = environment(service('db'));
    expect(url.protocol).toMatch(/^postgres(ql)?:$/);
    expect(url.hostname).toBe('db');
    expect(decodeURIComponent(url.username)).toBe(dbEnv.POSTGRES_USER);
    expect(decodeURIComponent(url.password)).toBe(interpolateComposeDefaults(dbEnv.POSTGRES_PASSWORD ?? ''));
    expect(url.pathname).toBe(`/${dbEnv.POSTGRES_DB ?? ''}`);
  });

  it('runs PostgreSQL 16 with a pg_isready health check and a named volume', () => {
    const db = service('db');
    expect(db.image).toMatch(/^postgres:16(\b|-)/);
    const test = (db.healthcheck as { test?: unknown } | undefined)?.test;
    expect([test].flat().join(' ')).toContain('pg_isready');
    const volumes = (db.volumes ?? []) as string[];
    const named = volumes.map((v) => v.split(':')[0] ?? '').filter((source) => !/^[./~]/.test(source));
    expect(named.length).toBeGreaterThan(0);
    for (const name of named) expect(compose.volumes).toHaveProperty(name);
  });

  it('puts nginx in front: mounts nginx.conf, publishes a port, depends on app', () => {
    const nginx = service('nginx');
    expect(nginx.image).toMatch(/^nginx:/);
    expect(nginx.volumes).toContainEqual(expect.stringMatching(/^\.\/nginx\.conf:\/etc\/nginx\/nginx\.conf(:ro)?$/));
    expect((nginx.ports ?? []) as unknown[]).not.toHaveLength(0);
    const dependsOn = nginx.depends_on;
    expect(Array.isArray(dependsOn) ? dependsOn : Object.keys(dependsOn as object)).toContain('app');
  });

  it('does not publish the app port past nginx', () => {
    expect(service('app')).not.toHaveProperty('ports');
  });
});

describe('nginx.conf', () => {
  const conf = readTemplate('nginx.conf');
  const code = stripNginxComments(conf);
  let tempDir = '';

  beforeAll(() => {
    tempDir = mkdtempSync(join(tmpdir(), 'deploy-nginx-'));
  });

  afterAll(() => {
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  });

  it('passes `nginx -t` (upstream host, port and temp paths moved to local ones)', async () => {
    const nginx = findNginx();
    const buildInfo = runCommand(nginx, ['-V']).output;
    const testable = makeTestableNginxConf(conf, { tempDir, port: await freePort(), buildInfo });
    const confFile = join(tempDir, 'nginx.conf');
    writeFileSync(confFile, testable);
    const args = ['-t', '-p', `${tempDir}/`, '-c', confFile, '-e', join(tempDir, 'error.log')];
    args.push('-g', `pid ${join(tempDir, 'nginx.pid')};`);
    const result = runCommandToFile(nginx, args, join(tempDir, 'nginx-t.out'));
    expect(result.status, result.output).toBe(0);
  });

  it('proxies to the compose service `app` on the port the Dockerfile exposes', () => {
    const upstream = nginxBlock(code, /upstream\s+app/);
    expect(nginxDirectives(upstream, 'server')).toEqual(['app:3000']);
    expect(readTemplate('Dockerfile')).toMatch(/^EXPOSE\s+3000\b/m);
  });

  it('keeps a keep-alive pool to the app that closes idle connections before the app does', () => {
    const upstream = nginxBlock(code, /upstream\s+app/);
    const [keepalive] = nginxDirectives(upstream, 'keepalive');
    expect(Number(keepalive)).toBeGreaterThan(0);
    const [idle] = nginxDirectives(upstream, 'keepalive_timeout');
    expect(idle, 'upstream keepalive_timeout').toBeDefined();
    expect(nginxSeconds(idle ?? '')).toBeLessThan(APP_KEEP_ALIVE_SECONDS);
  });

  it('speaks HTTP/1.1 to the app without Connection: close', () => {
    const location = nginxBlock(code, /location\s+\//);
    expect(nginxDirectives(location, 'proxy_pass')).toEqual(['http://app']);
    expect(nginxDirectives(location, 'proxy_http_version')).toEqual(['1.1']);
    expect(nginxDirectives(location, 'proxy_set_header')).toContain('Connection ""');
  });

  it('forwards client and request-id headers', () => {
    const headers = nginxDirectives(nginxBlock(code, /location\s+\//), 'proxy_set_header').map(
      (args) => args.split(' ')[0],
    );
    for (const name of ['Host', 'X-Forwarded-For', 'X-Forwarded-Proto', 'X-Request-Id']) {
      expect(headers).toContain(name);
    }
  });

  it('waits longer than the app deadline, so the app answers its own 504', () => {
    const location = nginxBlock(code, /location\s+\//);
    const [readTimeout] = nginxDirectives(location, 'proxy_read_timeout');
    expect(readTimeout, 'proxy_read_timeout').toBeDefined();
    expect(nginxSeconds(readTimeout ?? '')).toBeGreaterThan(APP_DEADLINE_SECONDS);
  });

  it('writes an access log', () => {
    expect(nginxDirectives(code, 'access_log')).not.toHaveLength(0);
  });
});

describe('Dockerfile', () => {
  const instructions = parseDockerfile(readTemplate('Dockerfile'));
  const stages = splitStages(instructions);
  const runtime = stages.at(-1) ?? [];
  const build = stages.slice(0, -1).flat();
  const args = (list: DockerInstruction[], keyword: string): string[] =>
    list.filter((i) => i.keyword === keyword).map((i) => i.args);

  it('is multi-stage on a Node 20 image', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const image = /^ARG\s+NODE_IMAGE=(\S+)/m.exec(readTemplate('Dockerfile'))?.[1];
    for (const from of args(instructions, 'FROM')) {
      expect(from.replace('${NODE_IMAGE}', image ?? '')).toMatch(/^node:20(-[a-z]+)?\s+AS\s+\w+$/i);
    }
  });

  it('installs all dependencies and builds in the build stage', () => {
    const runs = args(build, 'RUN');
    expect(runs.some((r) => /\bnpm ci\b(?!.*--omit)/.test(r))).toBe(true);
    expect(runs.some((r) => /\bnpm run build\b/.test(r))).toBe(true);
  });

  it('installs production dependencies only and copies dist in the runtime stage', () => {
    expect(args(runtime, 'RUN').some((r) => r.includes('npm ci --omit=dev'))).toBe(true);
    expect(args(runtime, 'COPY')).toContainEqual(expect.stringMatching(/^--from=\S+\s+\S*dist\S*\s+\S*dist/));
  });

  it('sets production env and binds all interfaces', () => {
    const env = args(runtime, 'ENV').join(' ');
    expect(env).toMatch(/\bNODE_ENV=production\b/);
    expect(env).toMatch(/\bHOST=0\.0\.0\.0\b/);
  });

  it('runs as a non-root user', () => {
    const user = args(runtime, 'USER').at(-1);
    expect(user, 'USER in the runtime stage').toBeDefined();
    expect(user).not.toMatch(/^(root|0)(:|$)/);
  });

  it('health-checks /healthz with node (no curl in slim images)', () => {
    const [healthcheck] = args(runtime, 'HEALTHCHECK');
    expect(healthcheck).toMatch(/CMD\s+\[\s*"node"/);
    expect(healthcheck).toContain('/healthz');
    expect(healthcheck).not.toMatch(/\b(curl|wget)\b/);
  });

  it('starts node directly in exec form so SIGTERM reaches it', () => {
    expect(args(runtime, 'STOPSIGNAL')).toEqual(['SIGTERM']);
    const cmd = args(runtime, 'CMD').at(-1) ?? '';
    expect(JSON.parse(cmd)).toEqual(['node', 'dist/server.js']);
    expect(args(runtime, 'ENTRYPOINT')).toHaveLength(0);
  });
});

describe('_dockerignore', () => {
  const entries = readTemplate('_dockerignore')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));

  it('keeps dependencies, build output, local data and secrets out of the context', () => {
    for (const entry of ['node_modules', 'dist', '.data', '.env']) expect(entries).toContain(entry);
  });
});

describe('README.section.md', () => {
  const section = readTemplate('README.section.md');

  it('is one `## Deployment` section with no top-level heading', () => {
    expect(section.startsWith('## Deployment\n')).toBe(true);
    const outsideFences = section.split(/^```[^\n]*\n[\s\S]*?^```$/m).join('');
    expect(outsideFences).not.toMatch(/^# /m);
    expect(outsideFences.match(/^## /gm)).toHaveLength(1);
  });

  it('explains the three files and how to run them', () => {
    for (const name of ['Dockerfile', 'compose.yaml', 'nginx.conf', 'docker compose up']) {
      expect(section).toContain(name);
    }
  });
});
