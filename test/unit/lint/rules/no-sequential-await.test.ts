import { noSequentialAwait } from '../../../../src/lint/plugin/rules/no-sequential-await.js';
import { runRuleTests } from '../rule-tester.js';

const fn = (body: string): string => `async function handler(c) {\n${body}\n}`;

runRuleTests('no-sequential-await', noSequentialAwait, {
  valid: [
    // the later call uses the earlier result
    fn('const user = await getUser(id);\nconst orders = await getOrders(user.id);'),
    fn('const { id } = await getUser(name);\nconst orders = await getOrders(id);'),
    fn('let token = await login(user);\nawait fetchProfile({ token });'),
    fn('const [first] = await list();\nawait show(first);'),
    // a single await, or already concurrent
    fn('const a = await fetch(urlA);'),
    fn('const [a, b] = await Promise.all([fetch(urlA), fetch(urlB)]);'),
    // awaiting promises that already run costs nothing
    fn('const pa = fetch(urlA);\nconst pb = fetch(urlB);\nconst a = await pa;\nconst b = await pb;'),
    // separated by other code
    fn('const a = await fetch(urlA);\nif (!a.ok) throw new Error("a");\nconst b = await fetch(urlB);'),
    fn('const a = await fetch(urlA);\ncounter += 1;\nconst b = await fetch(urlB);'),
    // transactions and the same client
    fn("await client.query('BEGIN');\nawait client.query('INSERT INTO t VALUES (1)');"),
    fn('await tx.insert(a);\nawait tx.update(b);'),
    fn("await db.transaction(async () => {});\nawait db.query('SELECT 1');"),
    // locks, sleeps, lifecycle
    fn('await mutex.acquire();\nconst a = await fetch(urlA);'),
    fn('await sleep(100);\nconst a = await fetch(urlA);'),
    fn('await setTimeout(100);\nawait fetch(urlA);'),
    fn('await server.close();\nawait pool.end();'),
    // writes then reads of the same thing
    fn("await writeFile(path, data);\nconst text = await readFile(path, 'utf8');"),
    fn("await fs.mkdir(dir);\nawait fs.writeFile(join(dir, 'a'), data);"),
    fn("await fetch(url, { method: 'POST', body });\nconst list = await fetch(url);"),
    fn('await this.load();\nawait this.render();'),
    // middleware: what it prepares must be done before the next handler runs
    "app.use(async (c, next) => {\n  await loadSession(c.req.header('cookie'));\n  await next();\n});",
    // a guard that throws comes first
    fn('await checkUserUniqueness(email, username);\nconst hashed = await bcrypt.hash(password, 10);'),
    fn('await assertCanEdit(user, post);\nawait notify(post);'),
    // a configured ordering call
    { code: fn('await queue.runInOrder(a);\nawait fetch(urlB);'), options: [{ orderedCalls: ['runInOrder'] }] },
  ],
  invalid: [
    {
      code: fn('const a = await fetch(urlA);\nconst b = await fetch(urlB);'),
      errors: [{
        messageId: 'sequentialAwait', line: 3, column: 11,
        suggestions: [{ messageId: 'useAll', data: { count: '2' }, output: fn('const [a, b] = await Promise.all([fetch(urlA), fetch(urlB)]);') }],
      }],
    },
    {
      code: fn('await notifyA(id);\nawait notifyB(id);'),
      errors: [{
        messageId: 'sequentialAwait', line: 3, column: 1,
        suggestions: [{ messageId: 'useAll', output: fn('await Promise.all([notifyA(id), notifyB(id)]);') }],
      }],
    },
    {
      code: fn('const { user } = await getUser(id);\nconst [order] = await getOrders(id);'),
      errors: [{
        messageId: 'sequentialAwait', line: 3, column: 17,
        suggestions: [{ messageId: 'useAll', output: fn('const [{ user }, [order]] = await Promise.all([getUser(id), getOrders(id)]);') }],
      }],
    },
    {
      code: fn('let a = await fetch(urlA);\nconst b = await fetch(urlB);'),
      errors: [{
        messageId: 'sequentialAwait', line: 3, column: 11,
        suggestions: [{ messageId: 'useAll', output: fn('let [a, b] = await Promise.all([fetch(urlA), fetch(urlB)]);') }],
      }],
    },
    {
      code: fn('const a = await fetch(urlA);\nconst b = await fetch(urlB);\nconst c = await fetch(urlC);'),
      errors: [{
        messageId: 'sequentialAwait', line: 3, column: 11, data: { count: '3' },
        suggestions: [{ messageId: 'useAll', output: fn('const [a, b, c] = await Promise.all([fetch(urlA), fetch(urlB), fetch(urlC)]);') }],
      }],
    },
    {
      code: fn('const a = await fetch(urlA);\nawait log(urlB);\nconst c = await fetch(urlC);'),
      errors: [{
        messageId: 'sequentialAwait', line: 3, column: 1,
        suggestions: [{ messageId: 'useAll', output: fn('const [a, , c] = await Promise.all([fetch(urlA), log(urlB), fetch(urlC)]);') }],
      }],
    },
    {
      code: fn('const a = await getA();\nawait sendMail(a);\nconst b = await getB();'),
      // `sendMail` uses `a`: the run is a only; sendMail and getB form their own run.
      errors: [{
        messageId: 'sequentialAwait', line: 4, column: 11,
        suggestions: [{ messageId: 'useAll', output: fn('const a = await getA();\nconst [, b] = await Promise.all([sendMail(a), getB()]);') }],
      }],
    },
    {
      code: fn("const a = await c.var.upstream.getJson('/a', { signal });\nconst b = await c.var.upstream.getJson('/b', { signal });"),
      errors: [{
        messageId: 'sequentialAwait', line: 3, column: 11,
        suggestions: [{ messageId: 'useAll', output: fn("const [a, b] = await Promise.all([c.var.upstream.getJson('/a', { signal }), c.var.upstream.getJson('/b', { signal })]);") }],
      }],
    },
    {
      // type annotations cannot move into an array pattern: report without a suggestion
      code: fn('const a: A = await getA();\nconst b: B = await getB();'),
      errors: [{ messageId: 'sequentialAwait', line: 3, column: 14, suggestions: [] }],
    },
    {
      // a comment between the statements would be lost: no suggestion
      code: fn('const a = await getA();\n// then b\nconst b = await getB();'),
      errors: [{ messageId: 'sequentialAwait', line: 4, column: 11, suggestions: [] }],
    },
    {
      code: 'const a = await fetch(urlA);\nconst b = await fetch(urlB);',
      errors: [{
        messageId: 'sequentialAwait', line: 2, column: 11,
        suggestions: [{ messageId: 'useAll', output: 'const [a, b] = await Promise.all([fetch(urlA), fetch(urlB)]);' }],
      }],
    },
    {
      code: 'app.get("/x", async (c) => {\n  const user = await users.find(c.req.param("id"));\n  const stats = await metrics.compute(c.req.param("id"));\n  return c.json({ user, stats });\n});',
      errors: [{
        messageId: 'sequentialAwait', line: 3, column: 17,
        suggestions: [{ messageId: 'useAll', output: 'app.get("/x", async (c) => {\n  const [user, stats] = await Promise.all([users.find(c.req.param("id")), metrics.compute(c.req.param("id"))]);\n  return c.json({ user, stats });\n});' }],
      }],
    },
    {
      code: fn('switch (kind) {\n  case 1:\n    await a();\n    await b();\n}'),
      errors: [{ messageId: 'sequentialAwait', line: 5, column: 5, suggestions: [{ messageId: 'useAll', output: fn('switch (kind) {\n  case 1:\n    await Promise.all([a(), b()]);\n}') }] }],
    },
  ],
});
