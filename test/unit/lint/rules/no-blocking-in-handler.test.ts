import { noBlockingInHandler } from '../../../../src/lint/plugin/rules/no-blocking-in-handler.js';
import { join } from 'node:path';
import { repoRoot } from '../../../e2e/helpers/paths.js';
import { runRuleTests } from '../rule-tester.js';

/** A file beside the helper fixtures, so that relative imports resolve to them. */
const beside = join(repoRoot, 'test/unit/lint/fixtures/helpers/routes.ts');

runRuleTests('no-blocking-in-handler', noBlockingInHandler, {
  valid: [
    // at start-up or top level
    "import { readFileSync } from 'node:fs';\nconst cert = readFileSync('cert.pem');\napp.get('/x', (c) => c.text(cert));",
    "import fs from 'node:fs';\nfunction loadConfig() { return JSON.parse(fs.readFileSync('c.json', 'utf8')); }\nconst config = loadConfig();",
    "import { execSync } from 'node:child_process';\nconst sha = execSync('git rev-parse HEAD').toString();",
    "import { mkdirSync } from 'node:fs';\nexport function main() { mkdirSync('.data', { recursive: true }); }",
    // async versions in handlers
    "import { readFile } from 'node:fs/promises';\napp.get('/x', async (c) => c.text(await readFile('a', 'utf8')));",
    "import { pbkdf2 } from 'node:crypto';\napp.post('/login', (c) => new Promise((resolve) => pbkdf2('p', 's', 1, 32, 'sha256', () => resolve(c.text('ok')))));",
    // not a Node blocker, whatever its name
    "app.get('/x', (c) => c.json(parseSync(c.req.query('q'))));",
    "import { transformSync } from 'esbuild';\nfunction build() { return transformSync(code); }",
    "app.get('/x', (c) => c.json(store.readSync()));",
    // local function named like a blocker
    "function readFileSync() { return ''; }\napp.get('/x', (c) => c.text(readFileSync()));",
    // not a route: event listeners, Map#get
    "import { writeFileSync } from 'node:fs';\nprocess.on('exit', () => writeFileSync('pid', ''));",
    "import { readFileSync } from 'node:fs';\ncache.get('k', () => readFileSync('x'));",
    // allowed by option
    { code: "import { existsSync } from 'node:fs';\napp.get('/x', (c) => c.json(existsSync('x')));", options: [{ allow: ['existsSync'] }] },
    // a function the handler does not call
    "import { readFileSync } from 'node:fs';\nfunction unused() { return readFileSync('x'); }\napp.get('/x', (c) => c.text('ok'));",
    // a string key on something that is no router, and listeners of other emitters
    "import { readFileSync } from 'node:fs';\nstore.post('users.list', () => readFileSync('x'));",
    "import { readFileSync } from 'node:fs';\nwatcher.on('change', () => readFileSync('x'));",
    // `(ctx)` alone, and a class method with no route decorator
    "import { readFileSync } from 'node:fs';\nexport function render(ctx) { return readFileSync(ctx.file); }",
    "import { readFileSync } from 'node:fs';\n@Injectable()\nexport class Templates {\n  @Cron('0 * * * *')\n  reload() { this.text = readFileSync('t.html', 'utf8'); }\n}",
    // fastify.route options that are not hooks
    "import { readFileSync } from 'node:fs';\nfastify.route({ method: 'GET', url: '/x', schema: build(() => readFileSync('s.json')), handler: async () => ({}) });",
    // once per process: the first request pays, the value is kept
    "import { readFileSync } from 'node:fs';\nlet template;\napp.get('/x', (c) => {\n  if (!template) template = readFileSync('t.html', 'utf8');\n  return c.html(template);\n});",
    "import { readFileSync } from 'node:fs';\nlet manifest;\napp.get('/x', (c) => {\n  if (manifest === undefined) {\n    manifest = JSON.parse(readFileSync('m.json', 'utf8'));\n  }\n  return c.json(manifest);\n});",
    "import { readFileSync } from 'node:fs';\nconst cache = {};\napp.get('/x', (c) => c.text(cache.key ??= readFileSync('k', 'utf8')));",
    "import { readFileSync } from 'node:fs';\nclass Views { render(req, res) { if (!this.layout) this.layout = readFileSync('l.html', 'utf8'); res.send(this.layout); } }",
    // a method with other parameters; a receiver not named fs
    'class Renderer {\n  render(ctx, template) { return fs.readFileSync(template); }\n}',
    "app.get('/x', (c) => c.json(store.files.readSync()));",
    // a plugin system's use() without a path is no middleware (markdown-it)
    "import zlib from 'node:zlib';\nmdinst.use((md) => { md.renderer.rules.kroki = (tokens) => zlib.deflateSync(tokens[0].content); });",
    // helpers in other files: one that does not block, one cached once per process, one not called by a handler
    {
      filename: beside,
      options: [{ followImports: true }],
      code: "const passwordHash = require('./password-hash');\napp.post('/login', (req, res) => res.json(passwordHash.needRehash(req.body.hash)));",
    },
    {
      filename: beside,
      options: [{ followImports: true }],
      code: "import { renderLayout } from './templates.js';\napp.get('/', (c) => c.html(renderLayout()));",
    },
    {
      filename: beside,
      options: [{ followImports: true }],
      code: "import { renderPage } from './templates.js';\nconst home = renderPage('home');\napp.get('/', (c) => c.html(home));",
    },
    // without followImports (untyped, cached runs) helpers are not followed
    {
      filename: beside,
      code: "import { renderPage } from './templates.js';\napp.get('/:name', (c) => c.html(renderPage(c.req.param('name'))));",
    },
    // a module that is not there, a package (not followed)
    {
      filename: beside,
      options: [{ followImports: true }],
      code: "import { renderPage } from './missing.js';\napp.get('/', (c) => c.html(renderPage('home')));",
    },
    {
      filename: beside,
      options: [{ followImports: true }],
      code: "import { render } from 'some-engine';\napp.get('/', (c) => c.html(render('home')));",
    },
    // Atomics.waitAsync is fine
    "app.get('/x', async (c) => { await Atomics.waitAsync(view, 0, 0).value; return c.text('ok'); });",
  ],
  invalid: [
    {
      // a helper in another file that blocks: CommonJS exports, an ES module export, an export list
      filename: beside,
      options: [{ followImports: true }],
      code: "const passwordHash = require('./password-hash');\nsocket.on('login', (data, callback) => callback(passwordHash.verify(data.password, hash)));",
      errors: [
        {
          messageId: 'blockingHelper',
          line: 2,
          column: 49,
          data: {
            helper: 'passwordHash.verify',
            module: './password-hash',
            name: 'bcrypt.compareSync',
            alternative: 'the async `compare`',
          },
        },
      ],
    },
    {
      filename: beside,
      options: [{ followImports: true }],
      code: "import { renderPage } from './templates.js';\napp.get('/:name', (c) => c.html(renderPage(c.req.param('name'))));",
      errors: [
        {
          messageId: 'blockingHelper',
          line: 2,
          column: 33,
          data: { helper: 'renderPage', module: './templates.js', name: 'readFileSync', alternative: '`readFile` from `node:fs/promises`' },
        },
      ],
    },
    {
      filename: beside,
      options: [{ followImports: true }],
      code: "import * as templates from './templates';\napp.get('/m', (c) => c.text(templates.manifest()));",
      errors: [
        {
          messageId: 'blockingHelper',
          line: 2,
          column: 29,
          data: {
            helper: 'templates.manifest',
            module: './templates',
            name: 'readFileSync',
            alternative: '`readFile` from `node:fs/promises`',
          },
        },
      ],
    },
    {
      // a router's use() without a path is middleware
      code: "import { readFileSync } from 'node:fs';\nrouter.use((_, res, next) => { res.locals.banner = readFileSync('b.txt', 'utf8'); next(); });",
      errors: [{ messageId: 'blockingCall', line: 2, column: 52 }],
    },
    {
      // node:fs/promises has no `exists`; fd functions live on a FileHandle
      code: "import { existsSync, readSync } from 'node:fs';\napp.get('/x', (c) => c.json([existsSync('a'), readSync(fd, buffer)]));",
      errors: [
        {
          messageId: 'blockingCall',
          line: 2,
          column: 30,
          data: { name: 'existsSync', alternative: '`access` (it rejects when the path is missing) or `stat` from `node:fs/promises`' },
        },
        {
          messageId: 'blockingCall',
          line: 2,
          column: 47,
          data: { name: 'readSync', alternative: 'the methods of a `FileHandle` from `open` of `node:fs/promises`' },
        },
      ],
    },
    {
      // source quoted on one line
      code: "import fs from 'node:fs';\napp.get('/x', (c) => c.text(fs\n  .readFileSync('a', 'utf8')));",
      errors: [
        {
          messageId: 'blockingCall',
          line: 2,
          column: 29,
          data: { name: 'fs.readFileSync', alternative: '`readFile` from `node:fs/promises`' },
        },
      ],
    },
    {
      // Koa controller classes: `async action(ctx)`; fs reached through an object
      code: "class InterfaceController extends BaseController {\n  async download(ctx) {\n    ctx.body = yapi.fs.readFileSync(yapi.path.join(root, 'a.png'));\n  }\n}",
      errors: [
        {
          messageId: 'blockingCall',
          line: 3,
          column: 16,
          data: { name: 'yapi.fs.readFileSync', alternative: '`readFile` from `node:fs/promises`' },
        },
      ],
    },
    {
      // a guard on a variable of the request itself guards nothing
      code: "import { readFileSync } from 'node:fs';\napp.get('/x', (c) => {\n  let body;\n  if (!body) body = readFileSync('t.html', 'utf8');\n  return c.html(body);\n});",
      errors: [{ messageId: 'blockingCall', line: 4, column: 21 }],
    },
    {
      // a guard on something else
      code: "import { readFileSync } from 'node:fs';\nlet template;\napp.get('/x', (c) => {\n  if (!c.req.query('fresh')) template = readFileSync('t.html', 'utf8');\n  return c.html(template);\n});",
      errors: [{ messageId: 'blockingCall', line: 4, column: 41 }],
    },
    {
      // Fastify: an exported handler typed with FastifyRequest
      code: "import { readFileSync } from 'node:fs';\nexport async function getUser(request: FastifyRequest, reply: FastifyReply) {\n  return readFileSync('u.json');\n}",
      errors: [{ messageId: 'blockingCall', line: 3, column: 10 }],
    },
    {
      code: "import { readFileSync } from 'node:fs';\nexport const list = async (request, reply) => reply.send(readFileSync('l.json'));",
      errors: [{ messageId: 'blockingCall', line: 2, column: 58 }],
    },
    {
      // Fastify: route options, and a handler after shorthand options
      code: "import { readFileSync } from 'node:fs';\nfastify.route({ method: 'GET', url: '/x', handler: async () => readFileSync('x') });",
      errors: [{ messageId: 'blockingCall', line: 2, column: 64 }],
    },
    {
      code: "import { readFileSync } from 'node:fs';\nfastify.get('/x', { schema }, async () => readFileSync('x'));",
      errors: [{ messageId: 'blockingCall', line: 2, column: 43 }],
    },
    {
      code: "import { readFileSync } from 'node:fs';\nfastify.get('/x', { preHandler: [auth, () => readFileSync('k')] }, async () => ({}));",
      errors: [{ messageId: 'blockingCall', line: 2, column: 46 }],
    },
    {
      // Koa: a route name that is no path, with middleware before the handler; and `(ctx, next)` middleware
      code: "import { readFileSync } from 'node:fs';\nrouter.post('documents.list', auth(), async (ctx) => {\n  ctx.body = readFileSync('d.json');\n});",
      errors: [{ messageId: 'blockingCall', line: 3, column: 14 }],
    },
    {
      code: "import { statSync } from 'node:fs';\nexport default async function sizes(ctx, next) {\n  ctx.state.size = statSync('x').size;\n  await next();\n}",
      errors: [{ messageId: 'blockingCall', line: 3, column: 20 }],
    },
    {
      // socket.io: each event runs per message
      code: "import { readFileSync } from 'node:fs';\nio.on('connection', (socket) => {\n  socket.on('getCode', (name, callback) => callback(readFileSync(name, 'utf8')));\n});",
      errors: [{ messageId: 'blockingCall', line: 3, column: 53 }],
    },
    {
      // NestJS: controller and gateway methods
      code: "import { readFileSync } from 'node:fs';\n@Controller('users')\nexport class UsersController {\n  @Get(':id')\n  findOne() {\n    return readFileSync('u.json', 'utf8');\n  }\n}",
      errors: [{ messageId: 'blockingCall', line: 6, column: 12 }],
    },
    {
      code: "import { execSync } from 'node:child_process';\n@WebSocketGateway()\nexport class Events {\n  @SubscribeMessage('version')\n  version() { return execSync('git describe').toString(); }\n}",
      errors: [{ messageId: 'blockingCall', line: 5, column: 22 }],
    },
    {
      code: "import { readFileSync } from 'node:fs';\napp.get('/x', (c) => c.text(readFileSync('a.txt', 'utf8')));",
      errors: [
        {
          messageId: 'blockingCall',
          line: 2,
          column: 29,
          data: { name: 'readFileSync', alternative: '`readFile` from `node:fs/promises`' },
        },
      ],
    },
    {
      code: "import fs from 'fs';\napp.post('/upload', async (c) => {\n  fs.writeFileSync('out', await c.req.text());\n  return c.text('ok');\n});",
      errors: [
        {
          messageId: 'blockingCall',
          line: 3,
          column: 3,
          data: { name: 'fs.writeFileSync', alternative: '`writeFile` from `node:fs/promises`' },
        },
      ],
    },
    {
      code: "import * as cp from 'node:child_process';\napp.get('/v', (c) => c.text(cp.execSync('git describe').toString()));",
      errors: [
        {
          messageId: 'blockingCall',
          line: 2,
          column: 29,
          data: { name: 'cp.execSync', alternative: '`exec` with `util.promisify`, or a worker' },
        },
      ],
    },
    {
      code: "import { pbkdf2Sync } from 'node:crypto';\napp.post('/login', async (c) => {\n  const hash = pbkdf2Sync('p', 's', 100000, 64, 'sha512');\n  return c.json({ ok: true });\n});",
      errors: [{ messageId: 'blockingCall', line: 3, column: 16 }],
    },
    {
      code: "import zlib from 'node:zlib';\napp.get('/z', (c) => c.body(zlib.gzipSync(big)));",
      errors: [
        {
          messageId: 'blockingCall',
          line: 2,
          column: 29,
          data: { name: 'zlib.gzipSync', alternative: 'the callback `gzip` (it runs on the libuv thread pool)' },
        },
      ],
    },
    {
      code: "const fs = require('fs');\nrouter.get('/x', (req, res) => res.send(fs.readFileSync('x')));",
      errors: [{ messageId: 'blockingCall', line: 2, column: 41 }],
    },
    {
      code: "import { spawnSync } from 'node:child_process';\nfunction run() { return spawnSync('ls'); }\napp.get('/ls', (c) => c.json(run()));",
      errors: [
        {
          messageId: 'blockingCall',
          line: 2,
          column: 25,
          data: { name: 'spawnSync', alternative: '`spawn` (wait for its `close` event), or a worker' },
        },
      ],
    },
    {
      code: "import type { Context } from 'hono';\nimport { statSync } from 'node:fs';\nexport function size(c: Context) { return c.json(statSync('x').size); }",
      errors: [{ messageId: 'blockingCall', line: 3, column: 50 }],
    },
    {
      code: "import bcrypt from 'bcryptjs';\napp.post('/login', (c) => c.json(bcrypt.compareSync(p, h)));",
      errors: [
        { messageId: 'blockingCall', line: 2, column: 34, data: { name: 'bcrypt.compareSync', alternative: 'the async `compare`' } },
      ],
    },
    {
      code: 'app.use(async (c, next) => { Atomics.wait(view, 0, 0, 10); await next(); });',
      errors: [{ messageId: 'blockingCall', line: 1, column: 30, data: { name: 'Atomics.wait', alternative: '`Atomics.waitAsync`' } }],
    },
    {
      code: "app.get('/r', (c) => c.html(renderSync(tpl)));",
      options: [{ blockers: ['renderSync'] }],
      errors: [{ messageId: 'blockingCall', line: 1, column: 29 }],
    },
    {
      code: "import { readFileSync } from 'node:fs';\nexport function withTemplate(): MiddlewareHandler {\n  return async (c, next) => { c.set('tpl', readFileSync('t.html', 'utf8')); await next(); };\n}",
      errors: [{ messageId: 'blockingCall', line: 3, column: 44 }],
    },
  ],
});
