import { requireTimeout } from '../../../../src/lint/plugin/rules/require-timeout.js';
import { runRuleTests } from '../rule-tester.js';

runRuleTests('require-timeout', requireTimeout, {
  valid: [
    'await fetch(url, { signal: AbortSignal.timeout(2000) });',
    'await fetch(url, { method: "POST", body, signal: c.var.signal });',
    'await fetch(url, { signal });',
    // opaque options may carry a signal
    'await fetch(url, init);',
    'await fetch(url, { ...init, method: "POST" });',
    'await fetch(url, options());',
    // a Request carries its own signal
    'await fetch(c.req.raw);',
    'await fetch(new Request(url, { signal }));',
    'await fetch(request);',
    // a local function named fetch is not the global one
    'function fetch(x) { return x; }\nfetch(url);',
    'const fetch = makeFetch();\nawait fetch(url);',
    // wrappers known to apply a timeout
    'await pTimeout(fetch(url), { milliseconds: 1000 });',
    { code: 'await within(2000, fetch(url));', options: [{ wrappers: ['within'] }] },
    // undici with a signal or timeouts
    "import { request } from 'undici';\nawait request(url, { signal });",
    "import { request } from 'undici';\nawait request(url, { headersTimeout: 1000, bodyTimeout: 1000 });",
    "import { Pool } from 'undici';\nconst pool = new Pool(origin, { headersTimeout: 2000, bodyTimeout: 2000 });\nawait pool.request({ path: '/', method: 'GET' });",
    "import { Pool } from 'undici';\nconst pool = new Pool(origin);\nawait pool.request({ path: '/', method: 'GET', signal });",
    // pg with timeouts, or an opaque config
    "import pg from 'pg';\nconst pool = new pg.Pool({ connectionString, statement_timeout: 2000, query_timeout: 2500 });",
    "import { Client } from 'pg';\nconst client = new Client({ query_timeout: 1000 });",
    "import pg from 'pg';\nconst pool = new pg.Pool(config);",
    "import pg from 'pg';\nconst pool = new pg.Pool({ ...config });",
    { code: "import pg from 'pg';\nconst pool = new pg.Pool();", options: [{ checkPg: false }] },
    // not pg, not undici
    "import { Pool } from 'generic-pool';\nconst pool = new Pool();",
    'await other.request({ path: "/" });',
    // a project's own fetch wrapper is not checked here (its body is)
    "import { fetch } from './http.js';\nawait fetch(url);",
    // front-end code (it touches the DOM): no server request waits on these calls
    "async function saveDraft(text) {\n  const res = await fetch('/api/drafts', { method: 'PUT', body: text });\n  document.title = res.ok ? 'Saved' : 'Not saved';\n}",
    "export const reload = async () => {\n  await fetch(`${base}/session`);\n  window.location.assign('/');\n};",
    // front-end code: a UI library's file, a URL without a host
    "import React from 'react';\nimport axios from 'axios';\nexport async function load() { return axios.get(url); }",
    "import axios from 'axios';\nexport async function fetchMockCol(id) { return axios.get('/api/mock/list?id=' + id); }",
    'await fetch(`/api/items/${id}`);',
    // test harnesses and edge runtimes: the runner or the platform bounds the time
    "import { describe, it } from 'vitest';\nexport async function seed() { await fetch(url, { method: 'POST' }); }",
    "import request from 'supertest';\nexport const login = async () => fetch(`${base}/login`);",
    "export const runtime = 'edge';\nexport async function GET() { return fetch(upstream); }",
    "export const config = { runtime: 'edge' };\nexport default async function handler() { return fetch(upstream); }",
    "import { env } from 'cloudflare:workers';\nexport default { fetch: () => fetch(env.ORIGIN) };",
    "import { handle } from 'hono/vercel';\napp.get('/x', async (c) => c.json(await (await fetch(upstream)).json()));",
    // axios(config) with a config variable may carry a timeout
    "const axios = require('axios');\nawait axios(config);",
    // axios, got and ky with a timeout or a signal, or opaque options
    "import axios from 'axios';\nawait axios.get(url, { timeout: 5000 });",
    "import axios from 'axios';\nawait axios.post(url, body, { signal });",
    "import axios from 'axios';\nawait axios.post(url, body, config);",
    "import axios from 'axios';\nawait axios({ url, method: 'POST', timeout: 2000 });",
    "import axios from 'axios';\nconst http = axios.create({ baseURL, timeout: 3000 });",
    "const axios = require('axios');\naxios.defaults.timeout = 10000;\nawait axios.get(url);",
    "import axios from 'axios';\nif (axios.isAxiosError(error)) throw error;",
    "import got from 'got';\nawait got(url, { timeout: { request: 5000 } });",
    "import got from 'got';\nawait got.post(url, { json, signal });",
    "import got from 'got';\nconst client = got.extend({ timeout: { request: 2000 } });",
    "import ky from 'ky';\nawait ky.get(url).json();",
    "import ky from 'ky';\nawait ky.post(url, { json, timeout: 5000 });",
  ],
  invalid: [
    // a runtime that is not the edge, and a module named like a harness
    {
      code: "export const runtime = 'nodejs';\nexport async function GET() { return fetch(upstream); }",
      errors: [{ messageId: 'fetchWithoutSignal', line: 2, column: 38 }],
    },
    {
      code: "import { testConnection } from './test.js';\nawait fetch(url);",
      errors: [{ messageId: 'fetchWithoutSignal', line: 2, column: 7 }],
    },
    {
      code: "import axios from 'axios';\nawait axios.get(url);",
      errors: [{ messageId: 'httpClientWithoutTimeout', line: 2, column: 7, data: { name: 'axios.get', library: 'axios' } }],
    },
    {
      code: "import axios from 'axios';\nawait axios.post(url, data, { headers });",
      errors: [{ messageId: 'httpClientWithoutTimeout', line: 2, column: 7, data: { name: 'axios.post', library: 'axios' } }],
    },
    {
      code: "const axios = require('axios');\nconst res = await axios({ method: 'post', url, data });",
      errors: [{ messageId: 'httpClientWithoutTimeout', line: 2, column: 19, data: { name: 'axios', library: 'axios' } }],
    },
    {
      code: "import axios from 'axios';\nawait axios('https://api.example.com/x');",
      errors: [{ messageId: 'httpClientWithoutTimeout', line: 2, column: 7 }],
    },
    {
      code: "import axios from 'axios';\nconst http = axios.create({ baseURL });",
      errors: [{ messageId: 'httpClientWithoutTimeout', line: 2, column: 14, data: { name: 'axios.create', library: 'axios' } }],
    },
    {
      code: "import got from 'got';\nconst body = await got(url).json();",
      errors: [{ messageId: 'httpClientWithoutTimeout', line: 2, column: 20, data: { name: 'got', library: 'got' } }],
    },
    {
      code: "import got from 'got';\nawait got.post(url, { json: payload });",
      errors: [{ messageId: 'httpClientWithoutTimeout', line: 2, column: 7, data: { name: 'got.post', library: 'got' } }],
    },
    {
      code: "import ky from 'ky';\nawait ky.post(url, { json, timeout: false });",
      errors: [
        { messageId: 'httpClientWithoutTimeout', line: 2, column: 7, data: { name: 'ky.post', library: 'ky with `timeout: false`' } },
      ],
    },
    { code: 'await fetch(url);', errors: [{ messageId: 'fetchWithoutSignal', line: 1, column: 7, data: { name: 'fetch' } }] },
    { code: 'const res = await fetch(`${base}/users`);', errors: [{ messageId: 'fetchWithoutSignal', line: 1, column: 19 }] },
    { code: 'await fetch(url, { method: "POST", body });', errors: [{ messageId: 'fetchWithoutSignal', line: 1, column: 7 }] },
    {
      code: 'app.get("/", async (c) => {\n  const r = await fetch("https://api.example.com");\n  return c.json(await r.json());\n});',
      errors: [{ messageId: 'fetchWithoutSignal', line: 2, column: 19 }],
    },
    {
      code: 'await globalThis.fetch(url);',
      errors: [{ messageId: 'fetchWithoutSignal', line: 1, column: 7, data: { name: 'globalThis.fetch' } }],
    },
    { code: "import { fetch } from 'undici';\nawait fetch(url);", errors: [{ messageId: 'fetchWithoutSignal', line: 2, column: 7 }] },
    {
      code: "import nodeFetch from 'node-fetch';\nawait nodeFetch(url, {});",
      errors: [{ messageId: 'fetchWithoutSignal', line: 2, column: 7, data: { name: 'nodeFetch' } }],
    },
    {
      code: "import { request } from 'undici';\nawait request(url);",
      errors: [{ messageId: 'undiciWithoutTimeout', line: 2, column: 7, data: { name: 'request' } }],
    },
    {
      code: "import * as undici from 'undici';\nawait undici.request(url, { method: 'GET' });",
      errors: [{ messageId: 'undiciWithoutTimeout', line: 2, column: 7, data: { name: 'undici.request' } }],
    },
    {
      code: "import { Client } from 'undici';\nconst client = new Client(origin);\nawait client.request({ path: '/', method: 'GET' });",
      errors: [{ messageId: 'undiciWithoutTimeout', line: 3, column: 7, data: { name: 'client.request' } }],
    },
    {
      code: "import pg from 'pg';\nconst pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });",
      errors: [{ messageId: 'pgWithoutTimeout', line: 2, column: 14, data: { name: 'new pg.Pool' } }],
    },
    {
      code: "import { Pool } from 'pg';\nconst pool = new Pool();",
      errors: [{ messageId: 'pgWithoutTimeout', line: 2, column: 14, data: { name: 'new Pool' } }],
    },
    {
      code: "const { Client } = require('pg');\nconst client = new Client({ host });",
      errors: [{ messageId: 'pgWithoutTimeout', line: 2, column: 16 }],
    },
    // a local binding named like a browser global does not make the file front-end code
    {
      code: "const document = await loadTemplate('page');\nawait fetch(url, { method: 'POST', body: document });",
      errors: [{ messageId: 'fetchWithoutSignal', line: 2, column: 7 }],
    },
    {
      code: 'await fetch(url, { signal: undefined, ...{} }.x);\nawait fetch(other);',
      errors: [{ messageId: 'fetchWithoutSignal', line: 2, column: 7 }],
    },
  ],
});
