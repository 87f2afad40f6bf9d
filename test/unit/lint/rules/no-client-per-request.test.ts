import { noClientPerRequest } from '../../../../src/lint/plugin/rules/no-client-per-request.js';
import { runRuleTests } from '../rule-tester.js';

const undici = "import { Agent, Pool, Client } from 'undici';\n";
const pg = "import pg from 'pg';\n";

runRuleTests('no-client-per-request', noClientPerRequest, {
  valid: [
    // created once at start-up
    `${undici}const pool = new Pool(origin);\napp.get('/x', async (c) => c.json(await pool.request({ path: '/' })));`,
    `${pg}const db = new pg.Pool({ max: 10 });\napp.get('/db', async (c) => c.json(await db.query('SELECT 1')));`,
    `${pg}export function createDatabase(url) { return new pg.Pool({ connectionString: url }); }`,
    `${undici}function main() { const agent = new Agent(); serve(createApp({ agent })); }`,
    // a factory that returns a handler: the client is made once, outside the handler
    `${undici}export function routes() { const pool = new Pool(origin); return new Hono().get('/x', (c) => c.json(pool.stats)); }`,
    // not a client
    "app.get('/x', (c) => { const controller = new AbortController(); return c.json({}); });",
    "app.get('/x', (c) => c.json(new Map()));",
    "import { Pool } from 'generic-pool';\napp.get('/x', (c) => { new Pool(); return c.text('ok'); });",
    // emitter listeners are not routes
    `${undici}process.on('SIGTERM', () => { const agent = new Agent(); });`,
    `${pg}pool.on('error', () => { const client = new pg.Client(); });`,
    // a Map#get with a function is not a route
    `${undici}cache.get(key, () => new Agent());`,
    // functions not called by a handler
    `${pg}function makePool() { return new pg.Pool(); }\napp.get('/x', (c) => c.text('ok'));`,
    // a name that is not imported from a client module
    "app.get('/x', (c) => { const client = new Client(); return c.text('ok'); });",
    "import axios from 'axios';\nconst http = axios.create({ timeout: 1000 });\napp.get('/x', async (c) => c.json((await http.get('/')).data));",
    // a lazy singleton: created on the first request, then reused
    `${pg}let pool;\nfunction getPool() {\n  if (!pool) pool = new pg.Pool();\n  return pool;\n}\napp.get('/x', async (c) => c.json(await getPool().query('SELECT 1')));`,
    `${undici}let agent;\napp.get('/x', (c) => { agent ??= new Agent(); return c.text('ok'); });`,
    `${undici}class Upstream { get() { this.agent = new Agent(); } }\napp.get('/x', (c) => c.text('ok'));`,
    // a setup wizard testing the credentials the user typed: its options come from the request
    "import mysql from 'mysql2/promise';\napp.post('/setup-database', async (request, response) => {\n  let dbConfig = request.body.dbConfig;\n  const connection = await mysql.createConnection({ host: dbConfig.hostname, user: dbConfig.username });\n  await connection.end();\n});",
    `${pg}app.post('/setup/test', async (c) => {\n  const { url } = await c.req.json();\n  const client = new pg.Client({ connectionString: url });\n  await client.end();\n});`,
    // SDK clients made once
    "import { WebClient } from '@slack/web-api';\nconst slack = new WebClient(process.env.SLACK_TOKEN);\nsocket.on('alert', async (text) => { await slack.chat.postMessage({ channel, text }); });",
    // top level scripts
    "import { PrismaClient } from '@prisma/client';\nconst prisma = new PrismaClient();",
  ],
  invalid: [
    {
      // a Slack client per event, a mail transport per request
      code: "import { WebClient } from '@slack/web-api';\napp.post('/slack/events', async (c) => {\n  const slack = new WebClient(await tokenFor(team));\n  return c.json({});\n});",
      errors: [{ messageId: 'clientPerRequest', line: 3, column: 17, data: { name: 'new WebClient' } }],
    },
    {
      code: "import { WebClient } from '@slack/web-api';\nsocket.on('alert', async (text) => {\n  await new WebClient(token).chat.postMessage({ channel, text });\n});",
      errors: [{ messageId: 'clientPerRequest', line: 3, column: 9, data: { name: 'new WebClient' } }],
    },
    {
      code: "import nodemailer from 'nodemailer';\nrouter.post('/contact', async (req, res) => {\n  const transport = nodemailer.createTransport({ host: process.env.SMTP_HOST });\n  await transport.sendMail(mail);\n});",
      errors: [{ messageId: 'clientPerRequest', line: 3, column: 21, data: { name: 'nodemailer.createTransport()' } }],
    },
    {
      // options from the environment or constants: it could have been made once
      code: `${pg}app.post('/report', async (c) => {\n  const body = await c.req.json();\n  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });\n  return c.json(await client.query('SELECT 1', [body.id]));\n});`,
      errors: [{ messageId: 'clientPerRequest', line: 4, column: 18, data: { name: 'new pg.Client' } }],
    },
    {
      code: `${undici}app.get('/x', async (c) => {\n  const agent = new Agent();\n  return c.json({});\n});`,
      errors: [{ messageId: 'clientPerRequest', line: 3, column: 17, data: { name: 'new Agent' } }],
    },
    {
      code: `${pg}app.post('/users', async (c) => {\n  const pool = new pg.Pool({ connectionString: url });\n  return c.json({});\n});`,
      errors: [{ messageId: 'clientPerRequest', line: 3, column: 16, data: { name: 'new pg.Pool' } }],
    },
    {
      code: "import { Client } from 'pg';\nnew Hono().get('/x', async (c) => {\n  const client = new Client();\n  await client.connect();\n  return c.text('ok');\n});",
      errors: [{ messageId: 'clientPerRequest', line: 3, column: 18, data: { name: 'new Client' } }],
    },
    {
      code: "import axios from 'axios';\napp.use(async (c, next) => {\n  c.set('http', axios.create());\n  await next();\n});",
      errors: [{ messageId: 'clientPerRequest', line: 3, column: 17, data: { name: 'axios.create()' } }],
    },
    {
      code: "import { PrismaClient } from '@prisma/client';\napp.delete('/u/:id', async (c) => {\n  const prisma = new PrismaClient();\n  return c.json({});\n});",
      errors: [{ messageId: 'clientPerRequest', line: 3, column: 18, data: { name: 'new PrismaClient' } }],
    },
    {
      code: "import { PGlite } from '@electric-sql/pglite';\napp.get('/x', async (c) => c.json(await new PGlite().query('select 1')));",
      errors: [{ messageId: 'clientPerRequest', line: 2, column: 41, data: { name: 'new PGlite' } }],
    },
    {
      // a function the handler calls, in the same file
      code: `${undici}function upstream() {\n  return new Pool(origin);\n}\napp.get('/x', async (c) => c.json(await upstream().request({ path: '/' })));`,
      errors: [{ messageId: 'clientPerRequest', line: 3, column: 10, data: { name: 'new Pool' } }],
    },
    {
      // transitively, through an arrow function
      code: `${pg}const connect = () => new pg.Client();\nconst load = async () => connect();\napp.get('/x', async (c) => c.json(await load()));`,
      errors: [{ messageId: 'clientPerRequest', line: 2, column: 23 }],
    },
    {
      // a function whose parameter is a Hono Context
      code: "import type { Context } from 'hono';\nimport { Agent } from 'undici';\nexport async function show(c: Context) {\n  const agent = new Agent();\n  return c.json({});\n}",
      errors: [{ messageId: 'clientPerRequest', line: 4, column: 17 }],
    },
    {
      // a handler passed by name
      code: `${undici}async function handle(c) {\n  const client = new Client(origin);\n  return c.text('x');\n}\napp.get('/x', handle);`,
      errors: [{ messageId: 'clientPerRequest', line: 3, column: 18 }],
    },
    {
      // middleware returned from a factory typed MiddlewareHandler
      code: `${undici}export function withAgent(): MiddlewareHandler {\n  return async (c, next) => {\n    c.set('agent', new Agent());\n    await next();\n  };\n}`,
      errors: [{ messageId: 'clientPerRequest', line: 4, column: 20 }],
    },
    {
      // Express-style (req, res) handlers
      code: "const { Pool } = require('pg');\nrouter.get('/x', async (req, res) => {\n  const pool = new Pool();\n  res.json(await pool.query('select 1'));\n});",
      errors: [{ messageId: 'clientPerRequest', line: 3, column: 16 }],
    },
    {
      code: "import Redis from 'ioredis';\napp.on('GET', '/x', async (c) => {\n  const redis = new Redis();\n  return c.text(await redis.get('k'));\n});",
      errors: [{ messageId: 'clientPerRequest', line: 3, column: 17, data: { name: 'new Redis' } }],
    },
    {
      // assigned to a variable of the handler itself: still one per request
      code: `${undici}app.get('/x', (c) => {\n  let agent;\n  agent = new Agent();\n  return c.text('ok');\n});`,
      errors: [{ messageId: 'clientPerRequest', line: 4, column: 11 }],
    },
    {
      code: "app.get('/x', (c) => { const s3 = new S3Client({}); return c.text('x'); });",
      options: [{ constructors: ['S3Client'] }],
      errors: [{ messageId: 'clientPerRequest', line: 1, column: 35, data: { name: 'new S3Client' } }],
    },
  ],
});
