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
    // top level and static blocks run once, at start-up or in a script
    'const a = await fetch(urlA);\nconst b = await fetch(urlB);',
    'class Cache {\n  static {\n    await loadA();\n    await loadB();\n  }\n}',
    // schema changes (DDL in the text, knex.schema) and start-up registration order
    fn("await knex.raw('DROP INDEX IF EXISTS a_index');\nawait knex.raw('DROP INDEX IF EXISTS b_index');"),
    fn("await knex.schema.dropTableIfExists('session');\nawait knex.schema.dropTableIfExists('note');"),
    fn('await fastify.register(cookie);\nawait fastify.register(session, { secret });'),
    fn('await Database.patch(port);\nconst secret = await R.findOne("setting", "key = ?", ["jwt"]);'),
    // one transaction or one connection passed to both calls
    fn('await User.update(values, { where, transaction });\nawait Team.update(values, { where, transaction });'),
    fn('await User.update(values, { where, transaction: t });\nawait Team.destroy({ where, transaction: t });'),
    fn('const max = await getLimit(tx, workspaceId);\nconst current = await countCurrent(tx, workspaceId);'),
    fn("const a = await client.query('SELECT * FROM a');\nconst b = await client.query('SELECT * FROM b');"),
    fn(
      "await client.query('BEGIN');\nconst x = 1;\nconst a = await pool.query('SELECT * FROM a');\nconst b = await pool.query('SELECT * FROM b');",
    ),
    // a write (SQL text, a known write method, hidden in a chain) then a read of the same table or object
    fn("await R.exec(\"DELETE FROM setting WHERE type = 'page'\");\nconst entry = await setting('entryPage');"),
    fn("await pool.query('UPDATE users SET name = $1', [name]);\nconst row = await pool.query('SELECT * FROM users');"),
    fn('await updateNotification({ ctx, id }).catch(rethrow);\nconst full = await getNotification({ ctx, id });'),
    fn("const previous = await Settings.get('theme');\nawait setSettings('general', data);"),
    fn('await statusPage.updateDomainNames(list);\nawait StatusPage.loadDomainMapping();'),
    // two writes keep their order: send then mark as sent, delete then clear the cache
    fn('await sendEmail(email);\nawait redis.set(key, 1);'),
    fn("await R.exec('DELETE FROM stat_daily');\nawait UptimeCalculator.removeAll();"),
    fn('await Proxy.delete(id);\nawait sendProxyList(socket);'),
    // a guard named anywhere in a bare await
    fn('await doubleCheckPassword(socket, password);\nconst user = await R.findOne("user", "id = ?", [socket.userID]);'),
    // a migration function runs its steps in order, once
    'async function migrateNewStatusPage() {\n  await R.exec("UPDATE status_page SET slug = ? WHERE slug = \'\'", [slug]);\n  const title = await setting("title");\n}',
    'const seedUsers = async () => {\n  await createUser(alice);\n  const teams = await listTeams();\n};',
    // boot order, T-SQL maintenance, files written then added
    fn("await this.preBootMaster();\nawait require('../master')();"),
    fn(
      'await knex.raw(`IF EXISTS (SELECT 1) DBCC CHECKIDENT ([groups], RESEED, 0)`);\nawait knex.raw(`IF EXISTS (SELECT 1) DBCC CHECKIDENT ([users], RESEED, 0)`);',
    ),
    fn("await fs.outputFile(filePath, text, 'utf8');\nawait this.git.add(`./${fileName}`);"),
    fn('await WIKI.models.pages.rebuildTree();\nconst contents = await WIKI.models.pages.query().findById(id);'),
    // a configured ordering call
    { code: fn('await queue.runInOrder(a);\nawait fetch(urlB);'), options: [{ orderedCalls: ['runInOrder'] }] },
  ],
  invalid: [
    {
      // independent reads on a pg Pool run on different connections
      code: fn("const a = await pool.query('SELECT * FROM a');\nconst b = await pool.query('SELECT * FROM b WHERE id = $1', [id]);"),
      errors: [
        {
          messageId: 'sequentialAwait',
          line: 3,
          column: 11,
          suggestions: [
            {
              messageId: 'useAll',
              output: fn(
                "const [a, b] = await Promise.all([pool.query('SELECT * FROM a'), pool.query('SELECT * FROM b WHERE id = $1', [id])]);",
              ),
            },
          ],
        },
      ],
    },
    {
      // `query` and `run` in a name do not make a write
      code: fn('const users = await queryUsers(id);\nconst runs = await listRuns(id);'),
      errors: [
        {
          messageId: 'sequentialAwait',
          line: 3,
          column: 14,
          suggestions: [{ messageId: 'useAll', output: fn('const [users, runs] = await Promise.all([queryUsers(id), listRuns(id)]);') }],
        },
      ],
    },
    {
      // a check whose result is kept is a value, not a guard: two independent health checks
      code: fn('const db = await checkDatabase();\nconst cache = await checkRedis();'),
      errors: [
        {
          messageId: 'sequentialAwait',
          line: 3,
          column: 15,
          suggestions: [{ messageId: 'useAll', output: fn('const [db, cache] = await Promise.all([checkDatabase(), checkRedis()]);') }],
        },
      ],
    },
    {
      // a write and a read of different things
      code: fn(
        "await pool.query('INSERT INTO audit VALUES ($1)', [id]);\nconst user = await pool.query('SELECT * FROM users WHERE id = $1', [id]);",
      ),
      errors: [
        {
          messageId: 'sequentialAwait',
          line: 3,
          column: 14,
          suggestions: [
            {
              messageId: 'useAll',
              output: fn(
                "const [, user] = await Promise.all([pool.query('INSERT INTO audit VALUES ($1)', [id]), pool.query('SELECT * FROM users WHERE id = $1', [id])]);",
              ),
            },
          ],
        },
      ],
    },
    {
      code: fn(
        'const rows = await db.query.privateLocation.findMany({ where });\nconst total = await db.select({ n: count() }).from(privateLocation).get();',
      ),
      errors: [
        {
          messageId: 'sequentialAwait',
          line: 3,
          column: 15,
          suggestions: [
            {
              messageId: 'useAll',
              output: fn(
                'const [rows, total] = await Promise.all([db.query.privateLocation.findMany({ where }), db.select({ n: count() }).from(privateLocation).get()]);',
              ),
            },
          ],
        },
      ],
    },
    {
      code: fn('const a = await fetch(urlA);\nconst b = await fetch(urlB);'),
      errors: [
        {
          messageId: 'sequentialAwait',
          line: 3,
          column: 11,
          suggestions: [
            { messageId: 'useAll', data: { count: '2' }, output: fn('const [a, b] = await Promise.all([fetch(urlA), fetch(urlB)]);') },
          ],
        },
      ],
    },
    {
      code: fn('await notifyA(id);\nawait notifyB(id);'),
      errors: [
        {
          messageId: 'sequentialAwait',
          line: 3,
          column: 1,
          suggestions: [{ messageId: 'useAll', output: fn('await Promise.all([notifyA(id), notifyB(id)]);') }],
        },
      ],
    },
    {
      code: fn('const { user } = await getUser(id);\nconst [order] = await getOrders(id);'),
      errors: [
        {
          messageId: 'sequentialAwait',
          line: 3,
          column: 17,
          suggestions: [
            { messageId: 'useAll', output: fn('const [{ user }, [order]] = await Promise.all([getUser(id), getOrders(id)]);') },
          ],
        },
      ],
    },
    {
      code: fn('let a = await fetch(urlA);\nconst b = await fetch(urlB);'),
      errors: [
        {
          messageId: 'sequentialAwait',
          line: 3,
          column: 11,
          suggestions: [{ messageId: 'useAll', output: fn('let [a, b] = await Promise.all([fetch(urlA), fetch(urlB)]);') }],
        },
      ],
    },
    {
      code: fn('const a = await fetch(urlA);\nconst b = await fetch(urlB);\nconst c = await fetch(urlC);'),
      errors: [
        {
          messageId: 'sequentialAwait',
          line: 3,
          column: 11,
          data: { count: '3' },
          suggestions: [
            { messageId: 'useAll', output: fn('const [a, b, c] = await Promise.all([fetch(urlA), fetch(urlB), fetch(urlC)]);') },
          ],
        },
      ],
    },
    {
      code: fn('const a = await fetch(urlA);\nawait log(urlB);\nconst c = await fetch(urlC);'),
      errors: [
        {
          messageId: 'sequentialAwait',
          line: 3,
          column: 1,
          suggestions: [{ messageId: 'useAll', output: fn('const [a, , c] = await Promise.all([fetch(urlA), log(urlB), fetch(urlC)]);') }],
        },
      ],
    },
    {
      code: fn('const a = await getA();\nawait sendMail(a);\nconst b = await getB();'),
      // `sendMail` uses `a`: the run is a only; sendMail and getB form their own run.
      errors: [
        {
          messageId: 'sequentialAwait',
          line: 4,
          column: 11,
          suggestions: [
            { messageId: 'useAll', output: fn('const a = await getA();\nconst [, b] = await Promise.all([sendMail(a), getB()]);') },
          ],
        },
      ],
    },
    {
      code: fn("const a = await c.var.upstream.getJson('/a', { signal });\nconst b = await c.var.upstream.getJson('/b', { signal });"),
      errors: [
        {
          messageId: 'sequentialAwait',
          line: 3,
          column: 11,
          suggestions: [
            {
              messageId: 'useAll',
              output: fn(
                "const [a, b] = await Promise.all([c.var.upstream.getJson('/a', { signal }), c.var.upstream.getJson('/b', { signal })]);",
              ),
            },
          ],
        },
      ],
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
      code: 'app.get("/x", async (c) => {\n  const user = await users.find(c.req.param("id"));\n  const stats = await metrics.compute(c.req.param("id"));\n  return c.json({ user, stats });\n});',
      errors: [
        {
          messageId: 'sequentialAwait',
          line: 3,
          column: 17,
          suggestions: [
            {
              messageId: 'useAll',
              output:
                'app.get("/x", async (c) => {\n  const [user, stats] = await Promise.all([users.find(c.req.param("id")), metrics.compute(c.req.param("id"))]);\n  return c.json({ user, stats });\n});',
            },
          ],
        },
      ],
    },
    {
      code: fn('switch (kind) {\n  case 1:\n    await a();\n    await b();\n}'),
      errors: [
        {
          messageId: 'sequentialAwait',
          line: 5,
          column: 5,
          suggestions: [{ messageId: 'useAll', output: fn('switch (kind) {\n  case 1:\n    await Promise.all([a(), b()]);\n}') }],
        },
      ],
    },
  ],
});
