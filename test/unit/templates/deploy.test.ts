import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
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
/** The generated app's drain bound (SHUTDOWN_TIMEOUT_MS) and PostgreSQL's default connection cap. */
const APP_SHUTDOWN_SECONDS = 10;
/** The generated app's lame duck in production (LAME_DUCK_MS): it keeps serving this long after SIGTERM. */
const APP_LAME_DUCK_MS_IN_PRODUCTION = 5_000;
const POSTGRES_DEFAULT_MAX_CONNECTIONS = 100;

describe('templates/deploy', () => {
  it('holds exactly the overlay files', () => {
    expect(readdirSync(deployDir).sort()).toEqual([
      'Dockerfile',
      'README.section.md',
      '_dockerignore',
      'compose.yaml',
      'k8s',
      'nginx.conf',
    ]);
    expect(readdirSync(join(deployDir, 'k8s'))).toEqual(['app.yaml']);
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

  it('requires UPSTREAM_URL from the shell: compose stops with a message instead of calling a demo upstream', () => {
    // Compose's `${VAR:?message}`: an unset or empty variable is an error carrying the message.
    expect(environment(service('app')).UPSTREAM_URL).toMatch(/^\$\{UPSTREAM_URL:\?set UPSTREAM_URL .+\}$/);
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

  it('gives the app longer to stop than its lame duck plus its drain bound', () => {
    const app = service('app');
    const lameDuckMs = environment(app).LAME_DUCK_MS;
    const lameDuckSeconds = (lameDuckMs ? Number(lameDuckMs) : APP_LAME_DUCK_MS_IN_PRODUCTION) / 1000;
    const grace = /^(\d+)s$/.exec(String(app.stop_grace_period));
    expect(grace, 'stop_grace_period in seconds (e.g. 20s)').not.toBeNull();
    expect(Number(grace![1])).toBeGreaterThan(lameDuckSeconds + APP_SHUTDOWN_SECONDS);
  });

  it("runs several app replicas whose pools together fit PostgreSQL's default max_connections", () => {
    const app = service('app');
    const replicas = (app.deploy as { replicas?: unknown } | undefined)?.replicas;
    expect(replicas).toBeTypeOf('number');
    expect(replicas as number).toBeGreaterThanOrEqual(2);
    // A fixed container name or a published port would make `--scale app=N` fail.
    expect(app).not.toHaveProperty('container_name');
    const poolMax = Number(environment(app).DB_POOL_MAX);
    expect(poolMax).toBeGreaterThan(0);
    expect((replicas as number) * poolMax).toBeLessThan(POSTGRES_DEFAULT_MAX_CONNECTIONS);
  });
});

describe('k8s/app.yaml', () => {
  interface Probe {
    httpGet?: { path?: string; port?: string | number };
    periodSeconds?: number;
    failureThreshold?: number;
  }
  interface Container {
    image?: string;
    ports?: Array<{ name?: string; containerPort?: number }>;
    env?: Array<{ name: string; value?: string; valueFrom?: { secretKeyRef?: { name?: string; key?: string } } }>;
    readinessProbe?: Probe;
    livenessProbe?: Probe;
    startupProbe?: Probe;
    lifecycle?: { preStop?: { exec?: { command?: string[] } } };
    resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  }
  interface Manifest {
    apiVersion?: string;
    kind?: string;
    metadata?: { name?: string; labels?: Record<string, string> };
    spec?: Record<string, unknown>;
  }
  const documents = parseAllDocuments(readTemplate('k8s/app.yaml'));
  const manifests = documents.map((doc) => doc.toJS() as Manifest);
  const byKind = (kind: string): Manifest => {
    const found = manifests.find((manifest) => manifest.kind === kind);
    if (!found) throw new Error(`k8s/app.yaml has no ${kind}`);
    return found;
  };
  const deployment = byKind('Deployment');
  const podSpec = (
    deployment.spec?.template as {
      spec: { containers: Container[]; terminationGracePeriodSeconds?: number; securityContext?: Record<string, unknown> };
    }
  ).spec;
  const container = podSpec.containers[0]!;
  const env = (name: string) => container.env?.find((entry) => entry.name === name);

  it('parses as a Deployment and a Service of the stable APIs, without YAML errors', () => {
    for (const doc of documents) expect(doc.errors).toEqual([]);
    expect(manifests.map((manifest) => `${manifest.apiVersion}/${manifest.kind}`)).toEqual(['apps/v1/Deployment', 'v1/Service']);
  });

  it('selects its own pods, and the Service routes to the container port the Dockerfile exposes', () => {
    const podLabels = (deployment.spec?.template as { metadata: { labels: Record<string, string> } }).metadata.labels;
    const selector = (deployment.spec?.selector as { matchLabels: Record<string, string> }).matchLabels;
    expect(podLabels).toMatchObject(selector);
    const service = byKind('Service');
    expect(podLabels).toMatchObject(service.spec?.selector as Record<string, string>);
    const exposed = Number(/^EXPOSE\s+(\d+)/m.exec(readTemplate('Dockerfile'))?.[1]);
    const port = container.ports?.find((entry) => entry.name === 'http');
    expect(port?.containerPort).toBe(exposed);
    expect(env('PORT')?.value).toBe(String(exposed));
    expect(env('HOST')?.value).toBe('0.0.0.0');
    const servicePorts = service.spec?.ports as Array<{ targetPort?: string | number }>;
    expect(servicePorts.map((entry) => entry.targetPort)).toEqual(['http']);
  });

  it('probes readiness on /readyz, liveness on /healthz, and gives the migration a startup window', () => {
    expect(container.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(container.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(container.startupProbe?.httpGet?.path).toBe('/healthz');
    const startupWindow = (container.startupProbe?.periodSeconds ?? 10) * (container.startupProbe?.failureThreshold ?? 3);
    expect(startupWindow).toBeGreaterThanOrEqual(30);
  });

  it('keeps serving while the endpoint goes away, and drains before SIGKILL: preStop + lame duck + shutdown bound < grace period', () => {
    const command = container.lifecycle?.preStop?.exec?.command;
    if (command) expect(command[0]).toBe('sleep');
    const preStopSeconds = command ? Number(command[1]) : 0;
    const lameDuckMs = env('LAME_DUCK_MS')?.value;
    const lameDuckSeconds = (lameDuckMs === undefined ? APP_LAME_DUCK_MS_IN_PRODUCTION : Number(lameDuckMs)) / 1000;
    // Endpoints are removed asynchronously after SIGTERM: one of the two must hold the pod in service meanwhile.
    expect(preStopSeconds + lameDuckSeconds).toBeGreaterThanOrEqual(5);
    expect(podSpec.terminationGracePeriodSeconds).toBeGreaterThan(preStopSeconds + lameDuckSeconds + APP_SHUTDOWN_SECONDS);
  });

  it('sets UPSTREAM_URL, which production requires', () => {
    expect(URL.canParse(env('UPSTREAM_URL')?.value ?? '')).toBe(true);
  });

  it('reads DATABASE_URL from a Secret, never a literal, and keeps replicas × pool below max_connections', () => {
    expect(env('DATABASE_URL')?.value).toBeUndefined();
    expect(env('DATABASE_URL')?.valueFrom?.secretKeyRef).toMatchObject({ key: 'DATABASE_URL', name: expect.any(String) });
    const replicas = deployment.spec?.replicas as number;
    expect(replicas).toBeGreaterThanOrEqual(2);
    expect(replicas * Number(env('DB_POOL_MAX')?.value)).toBeLessThan(POSTGRES_DEFAULT_MAX_CONNECTIONS);
  });

  it('runs as non-root with a memory limit', () => {
    expect(podSpec.securityContext?.runAsNonRoot).toBe(true);
    expect(container.resources?.limits?.memory).toMatch(/^\d+(Mi|Gi)$/);
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
    const headers = nginxDirectives(nginxBlock(code, /location\s+\//), 'proxy_set_header').map((args) => args.split(' ')[0]);
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
  const args = (list: DockerInstruction[], keyword: string): string[] => list.filter((i) => i.keyword === keyword).map((i) => i.args);

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

  it('explains the files, how to run them and how to scale out', () => {
    for (const name of [
      'Dockerfile',
      'compose.yaml',
      'nginx.conf',
      'docker compose up',
      'k8s/app.yaml',
      '--scale app=',
      'max_connections',
      'PgBouncer',
      '--export-k6',
    ]) {
      expect(section).toContain(name);
    }
  });
});
