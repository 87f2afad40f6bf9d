import { propagateDeadline } from '../../../../src/lint/plugin/rules/propagate-deadline.js';
import { runRuleTests } from '../rule-tester.js';

/** A route of a file whose handlers see `c.var.deadline` (another route of the file uses it). */
const route = (body: string): string =>
  `app.get('/ok', (c) => c.json(c.var.deadline.remainingMs));\napp.get('/x', async (c) => {\n${body}\n});`;
const deadlineSignal = 'c.var.deadline.signal';
const combined = (source: string): string => `AbortSignal.any([${deadlineSignal}, ${source}])`;

/** The same, in a file whose handlers get the deadline as a binding of the server's: `c.env.deadline` (the generated project). */
const envRoute = (body: string): string =>
  `app.get('/ok', (c) => c.json({ id: c.env.requestId, signal: c.env.deadline.signal.aborted }));\napp.get('/x', async (c) => {\n${body}\n});`;

runRuleTests('propagate-deadline', propagateDeadline, {
  valid: [
    // the deadline as the server's binding (`c.env`), as the generated project reads it
    envRoute('await upstream.getJson("/a", { signal: c.env.deadline.signal, requestId: c.env.requestId });'),
    envRoute('const { signal } = c.env.deadline;\nawait db.query("SELECT 1", [], signal);'),
    envRoute('const signal = AbortSignal.any([c.env.deadline.signal, siblings.signal]);\nawait fetch(url, { signal });'),
    // the request's own signals
    route('await fetch(url, { signal: c.var.deadline.signal });'),
    route("await fetch(url, { signal: c.get('deadline').signal });"),
    route('await fetch(url, { signal: c.req.raw.signal });'),
    route('await fetch(url, { signal: AbortSignal.any([c.var.deadline.signal, AbortSignal.timeout(2000)]) });'),
    route('await fetch(url, { signal: AbortSignal.any([AbortSignal.timeout(2000), c.req.raw.signal]) });'),
    // a variable that holds one of them
    route('const { signal } = c.var.deadline;\nawait fetch(url, { signal });'),
    route(
      'const signal = AbortSignal.any([c.var.deadline.signal, AbortSignal.timeout(500)]);\nawait c.var.upstream.getJson("/a", { signal });',
    ),
    route(
      "const probe = AbortSignal.any([c.var.deadline.signal, AbortSignal.timeout(500)]);\nawait c.var.db.query('SELECT 1', [], probe);",
    ),
    // spread or opaque options, and signals the file cannot trace
    route('await fetch(url, { ...init, signal: AbortSignal.timeout(1000) });'),
    route('await fetch(url, options);'),
    route('await fetch(url, { signal: makeSignal() });'),
    route('let signal = AbortSignal.timeout(1000);\nsignal = c.var.deadline.signal;\nawait fetch(url, { signal });'),
    route('await fetch(url, { signal: AbortSignal.any(signals) });'),
    // no signal at all is require-timeout's business
    route('await fetch(url, { method: "POST" });'),
    // outside handlers: start-up code has no request
    "app.get('/ok', (c) => c.json(c.var.deadline.remainingMs));\nexport async function warmUp() { await fetch(url, { signal: AbortSignal.timeout(5000) }); }",
    // a file whose handlers carry no deadline
    "app.get('/x', async (c) => c.json(await (await fetch(url, { signal: AbortSignal.timeout(2000) })).json()));",
    // a different deadline variable, configured
    {
      code: "app.get('/x', async (c) => {\n  await fetch(url, { signal: c.var.budget.signal });\n});",
      options: [{ deadlineVariable: 'budget' }],
    },
  ],
  invalid: [
    {
      code: route('await fetch(url, { signal: AbortSignal.timeout(2000) });'),
      errors: [
        {
          messageId: 'unrelatedSignal',
          line: 3,
          column: 28,
          data: { source: 'AbortSignal.timeout(2000)', what: 'a timeout of its own', deadline: deadlineSignal },
          suggestions: [
            { messageId: 'combineSignals', output: route(`await fetch(url, { signal: ${combined('AbortSignal.timeout(2000)')} });`) },
          ],
        },
      ],
    },
    {
      code: route('const data = await c.var.upstream.getJson("/a", { signal: AbortSignal.timeout(500), requestId: c.var.requestId });'),
      errors: [
        {
          messageId: 'unrelatedSignal',
          line: 3,
          column: 59,
          suggestions: [
            {
              messageId: 'combineSignals',
              output: route(
                `const data = await c.var.upstream.getJson("/a", { signal: ${combined('AbortSignal.timeout(500)')}, requestId: c.var.requestId });`,
              ),
            },
          ],
        },
      ],
    },
    {
      // a controller made at module level outlives every request
      code: `const controller = new AbortController();\n${route('await fetch(url, { signal: controller.signal });')}`,
      errors: [
        {
          messageId: 'unrelatedSignal',
          line: 4,
          column: 28,
          data: { source: 'controller.signal', what: 'a module-level signal', deadline: deadlineSignal },
          suggestions: [
            {
              messageId: 'combineSignals',
              output: `const controller = new AbortController();\n${route(`await fetch(url, { signal: ${combined('controller.signal')} });`)}`,
            },
          ],
        },
      ],
    },
    {
      // a shorthand property holding a timeout
      code: route('const signal = AbortSignal.timeout(1000);\nawait fetch(url, { signal });'),
      errors: [
        {
          messageId: 'unrelatedSignal',
          line: 4,
          column: 20,
          suggestions: [
            {
              messageId: 'combineSignals',
              output: route(`const signal = AbortSignal.timeout(1000);\nawait fetch(url, { signal: ${combined('signal')} });`),
            },
          ],
        },
      ],
    },
    {
      // a module-level timeout signal: started at import, long expired or never related
      code: `const shared = AbortSignal.timeout(30000);\n${route('await fetch(url, { signal: shared });')}`,
      errors: [
        {
          messageId: 'unrelatedSignal',
          line: 4,
          column: 28,
          data: { source: 'shared', what: 'a module-level signal', deadline: deadlineSignal },
          suggestions: [
            {
              messageId: 'combineSignals',
              output: `const shared = AbortSignal.timeout(30000);\n${route(`await fetch(url, { signal: ${combined('shared')} });`)}`,
            },
          ],
        },
      ],
    },
    {
      // AbortSignal.any of unrelated signals only
      code: `const stop = new AbortController();\n${route('await fetch(url, { signal: AbortSignal.any([stop.signal, AbortSignal.timeout(100)]) });')}`,
      errors: [
        {
          messageId: 'unrelatedSignal',
          line: 4,
          column: 28,
          suggestions: [
            {
              messageId: 'combineSignals',
              output: `const stop = new AbortController();\n${route(`await fetch(url, { signal: ${combined('AbortSignal.any([stop.signal, AbortSignal.timeout(100)])')} });`)}`,
            },
          ],
        },
      ],
    },
    {
      // a signal passed as an argument of its own
      code: route("await c.var.db.query('SELECT 1', [], AbortSignal.timeout(500));"),
      errors: [
        {
          messageId: 'unrelatedSignal',
          line: 3,
          column: 38,
          suggestions: [
            {
              messageId: 'combineSignals',
              output: route(`await c.var.db.query('SELECT 1', [], ${combined('AbortSignal.timeout(500)')});`),
            },
          ],
        },
      ],
    },
    {
      // in a callback inside the handler
      code: route('await Promise.all(ids.map((id) => fetch(`${base}/${id}`, { signal: AbortSignal.timeout(300) })));'),
      errors: [
        {
          messageId: 'unrelatedSignal',
          line: 3,
          column: 68,
          suggestions: [
            {
              messageId: 'combineSignals',
              output: route(
                `await Promise.all(ids.map((id) => fetch(\`\${base}/\${id}\`, { signal: ${combined('AbortSignal.timeout(300)')} })));`,
              ),
            },
          ],
        },
      ],
    },
    {
      // a helper the handler calls: reported, with no suggestion (it has no context to name)
      code: "app.get('/x', async (c) => c.json(await load(c.var.deadline.remainingMs)));\nasync function load(ms) {\n  return fetch(url, { signal: AbortSignal.timeout(ms) });\n}",
      errors: [{ messageId: 'unrelatedSignal', line: 3, column: 31, suggestions: [] }],
    },
    {
      // Hono's c.get('deadline') and a middleware
      code: "app.use(async (c, next) => {\n  const session = await fetch(authUrl, { signal: AbortSignal.timeout(200) });\n  c.set('user', await session.json());\n  await next();\n});\napp.get('/x', (c) => c.json(c.get('deadline').remainingMs));",
      errors: [
        {
          messageId: 'unrelatedSignal',
          line: 2,
          column: 50,
          suggestions: [
            {
              messageId: 'combineSignals',
              output:
                "app.use(async (c, next) => {\n  const session = await fetch(authUrl, { signal: AbortSignal.any([c.var.deadline.signal, AbortSignal.timeout(200)]) });\n  c.set('user', await session.json());\n  await next();\n});\napp.get('/x', (c) => c.json(c.get('deadline').remainingMs));",
            },
          ],
        },
      ],
    },
    {
      // c.env.deadline: reported, and the suggestion reads the deadline where this file does
      code: envRoute('await fetch(url, { signal: AbortSignal.timeout(2000) });'),
      errors: [
        {
          messageId: 'unrelatedSignal',
          line: 3,
          column: 28,
          data: { source: 'AbortSignal.timeout(2000)', what: 'a timeout of its own', deadline: 'c.env.deadline.signal' },
          suggestions: [
            {
              messageId: 'combineSignals',
              output: envRoute('await fetch(url, { signal: AbortSignal.any([c.env.deadline.signal, AbortSignal.timeout(2000)]) });'),
            },
          ],
        },
      ],
    },
    {
      // a configured deadline variable
      code: "app.get('/x', async (c) => {\n  await fetch(url, { signal: AbortSignal.timeout(1000) });\n  return c.json(c.var.budget.remainingMs);\n});",
      options: [{ deadlineVariable: 'budget' }],
      errors: [
        {
          messageId: 'unrelatedSignal',
          line: 2,
          column: 30,
          data: { source: 'AbortSignal.timeout(1000)', what: 'a timeout of its own', deadline: 'c.var.budget.signal' },
          suggestions: [
            {
              messageId: 'combineSignals',
              output:
                "app.get('/x', async (c) => {\n  await fetch(url, { signal: AbortSignal.any([c.var.budget.signal, AbortSignal.timeout(1000)]) });\n  return c.json(c.var.budget.remainingMs);\n});",
            },
          ],
        },
      ],
    },
  ],
});
