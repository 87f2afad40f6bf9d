import type { TSESLint, TSESTree } from '@typescript-eslint/utils';
import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import { createRule } from '../create-rule.js';
import { chainCalls, effectOf, sqlOf, sqlTables, words, type Effect } from '../utils/effects.js';
import { isFunctionNode } from '../utils/handlers.js';
import { calleeName } from '../utils/imports.js';

export interface NoSequentialAwaitOptions {
  /** More call names that must keep their order (a custom lock, queue or transaction helper). */
  orderedCalls?: string[];
}

/** One statement that awaits a call: `const x = await f()`, `let { a } = await f()` or `await f()`. */
interface AwaitStep {
  statement: TSESTree.Statement;
  awaited: TSESTree.AwaitExpression;
  call: TSESTree.CallExpression;
  kind: 'const' | 'let' | 'var' | 'bare';
  pattern: TSESTree.BindingName | undefined;
  declared: TSESLint.Scope.Variable[];
}

/** Words in a call that mean "order matters": locks, sleeps, transactions, lifecycle, start-up registration. */
const ORDERING_WORDS = new Set([
  'lock',
  'unlock',
  'mutex',
  'semaphore',
  'acquire',
  'release',
  'lease',
  'exclusive',
  'sleep',
  'delay',
  'wait',
  'timeout',
  'connect',
  'disconnect',
  'begin',
  'commit',
  'rollback',
  'transaction',
  'savepoint',
  'close',
  'end',
  'shutdown',
  'start',
  'stop',
  'listen',
  'init',
  'initialize',
  'setup',
  'migrate',
  'migration',
  'migrations',
  'open',
  'drain',
  'ready',
  'login',
  'logout',
  'next',
  'register',
  'boot',
  'bootstrap',
  'schema',
]);
/**
 * Guards: a bare `await doubleCheckPassword()` exists to throw, and what follows must not start
 * (and cost) when it does. A check whose result is kept (`const ok = await checkDb()`) is a value.
 */
const GUARD_WORDS = new Set(['check', 'validate', 'assert', 'ensure', 'verify', 'authorize', 'authenticate', 'require']);
/** Names of one connection or transaction: two calls on it run one after the other anyway. */
const CONNECTION_WORDS = new Set(['tx', 'trx', 'transaction', 'client', 'conn', 'connection', 'session', 'manager', 'runner', 'em']);
/** A write to the whole store (a schema patch, clearing a database) orders everything around it. */
const STORE_WORDS = new Set(['database', 'schema']);
/** Names of functions that migrate data or schema: `migrateNewStatusPage`, `runMigrations`, `seedUsers`. */
const MIGRATION_WORDS = new Set(['migrate', 'migration', 'migrations', 'seed', 'upgrade', 'downgrade']);

/** The name a function goes by: its own, its variable's, or its method's. */
function functionName(fn: TSESTree.Node): string {
  if ((fn.type === AST_NODE_TYPES.FunctionDeclaration || fn.type === AST_NODE_TYPES.FunctionExpression) && fn.id) return fn.id.name;
  const parent = fn.parent;
  if (parent?.type === AST_NODE_TYPES.VariableDeclarator && parent.id.type === AST_NODE_TYPES.Identifier) return parent.id.name;
  if (
    (parent?.type === AST_NODE_TYPES.MethodDefinition || parent?.type === AST_NODE_TYPES.Property) &&
    parent.key.type === AST_NODE_TYPES.Identifier
  )
    return parent.key.name;
  return '';
}

/** Words that name no thing: verbs of reads and filler of method names. */
const NOT_THINGS = new Set([
  'get',
  'find',
  'list',
  'load',
  'fetch',
  'read',
  'select',
  'count',
  'by',
  'all',
  'one',
  'many',
  'first',
  'from',
  'where',
  'and',
  'or',
  'to',
  'of',
  'for',
  'with',
  'is',
  'has',
  'id',
  'ids',
  'data',
  'info',
  'async',
  'await',
  'the',
  'new',
]);

function toStep(statement: TSESTree.Statement, sourceCode: TSESLint.SourceCode): AwaitStep | undefined {
  let awaited: TSESTree.Expression | null | undefined;
  let kind: AwaitStep['kind'] = 'bare';
  let pattern: TSESTree.BindingName | undefined;
  let declared: TSESLint.Scope.Variable[] = [];
  if (statement.type === AST_NODE_TYPES.ExpressionStatement) {
    awaited = statement.expression;
  } else if (statement.type === AST_NODE_TYPES.VariableDeclaration && statement.declarations.length === 1) {
    if (statement.kind !== 'const' && statement.kind !== 'let' && statement.kind !== 'var') return undefined;
    const [declarator] = statement.declarations;
    if (!declarator) return undefined;
    awaited = declarator.init;
    kind = statement.kind;
    pattern = declarator.id;
    declared = sourceCode.scopeManager?.getDeclaredVariables(declarator) ?? [];
  }
  if (awaited?.type !== AST_NODE_TYPES.AwaitExpression) return undefined;
  // Awaiting a promise that already runs (`await pending`) costs nothing: only calls start work here.
  if (awaited.argument.type !== AST_NODE_TYPES.CallExpression) return undefined;
  return { statement, awaited, call: awaited.argument, kind, pattern, declared };
}

/** Names a call reads (not property names): `fetch`, `db`, `id` in `db.users.find(id)`. */
function identifiersOf(node: TSESTree.Node, keys: TSESLint.SourceCode.VisitorKeys, into = new Set<string>()): Set<string> {
  if (node.type === AST_NODE_TYPES.Identifier) {
    const parent = node.parent;
    const isPropertyName =
      (parent?.type === AST_NODE_TYPES.MemberExpression && parent.property === node && !parent.computed) ||
      (parent?.type === AST_NODE_TYPES.Property && parent.key === node && !parent.computed && !parent.shorthand);
    if (!isPropertyName) into.add(node.name);
  }
  if (node.type === AST_NODE_TYPES.ThisExpression) into.add('this');
  for (const key of keys[node.type] ?? []) {
    const child = (node as unknown as Record<string, unknown>)[key];
    for (const item of Array.isArray(child) ? child : [child]) {
      if (item && typeof item === 'object' && 'type' in item) identifiersOf(item as TSESTree.Node, keys, into);
    }
  }
  return into;
}

/** Identifiers of a call that name a connection or transaction, and the values of its `{ transaction: t }` options. */
function connectionsOf(call: TSESTree.CallExpression, names: Set<string>, sourceCode: TSESLint.SourceCode): Set<string> {
  const connections = new Set([...names].filter((name) => words(name).some((word) => CONNECTION_WORDS.has(word))));
  const visit = (node: TSESTree.Node): void => {
    if (
      node.type === AST_NODE_TYPES.Property &&
      !node.computed &&
      node.key.type === AST_NODE_TYPES.Identifier &&
      /^(transaction|session|client|connection|tx|trx)$/.test(node.key.name)
    ) {
      connections.add(sourceCode.getText(node.value));
    }
  };
  for (const link of chainCalls(call)) for (const argument of link.arguments) walkNodes(argument, sourceCode.visitorKeys, visit);
  return connections;
}

function walkNodes(node: TSESTree.Node, keys: TSESLint.SourceCode.VisitorKeys, visit: (node: TSESTree.Node) => void): void {
  visit(node);
  for (const key of keys[node.type] ?? []) {
    const child = (node as unknown as Record<string, unknown>)[key];
    for (const item of Array.isArray(child) ? child : [child]) {
      if (item && typeof item === 'object' && 'type' in item) walkNodes(item as TSESTree.Node, keys, visit);
    }
  }
}

/** What the rule knows of one awaited call. */
interface StepFacts {
  ordering: boolean;
  guard: boolean;
  effect: Effect;
  /** Lower-case names and nouns the call touches: identifiers, words of its callee, tables of its SQL. */
  things: Set<string>;
  /** Tables its SQL names, when it has SQL text. */
  tables: Set<string> | undefined;
  connections: Set<string>;
}

const shares = (a: Set<string>, b: Set<string>): boolean => [...a].some((item) => b.has(item));

export const noSequentialAwait = createRule<[NoSequentialAwaitOptions], 'sequentialAwait' | 'useAll'>({
  name: 'no-sequential-await',
  meta: {
    type: 'suggestion',
    hasSuggestions: true,
    docs: {
      description: 'Disallow consecutive awaits of independent calls that could run concurrently',
      recommended: true,
    },
    messages: {
      sequentialAwait:
        'These {{count}} awaits do not depend on each other, yet each call starts only when the previous one has finished. The latency is their sum instead of the slowest one. Start them together: `const [a, b] = await Promise.all([f(), g()])` (or `Promise.allSettled`).',
      useAll: 'Run the {{count}} calls together with `Promise.all`.',
    },
    schema: [
      {
        type: 'object',
        properties: {
          orderedCalls: { type: 'array', items: { type: 'string' }, uniqueItems: true },
        },
        additionalProperties: false,
      },
    ],
  },
  defaultOptions: [{ orderedCalls: [] }],
  create(context, [options]) {
    const sourceCode = context.sourceCode;
    const ordered = new Set([...ORDERING_WORDS, ...(options.orderedCalls ?? []).map((name) => name.toLowerCase())]);
    const orderedNames = new Set(options.orderedCalls ?? []);

    const facts = new Map<AwaitStep, StepFacts>();
    const describe = (step: AwaitStep): StepFacts => {
      let cached = facts.get(step);
      if (!cached) {
        const name = calleeName(step.call.callee) ?? '';
        const calleeWords = words(sourceCode.getText(step.call.callee));
        const names = identifiersOf(step.call, sourceCode.visitorKeys);
        let effect = effectOf(step.call);
        if (effect === 'write' && calleeWords.some((word) => STORE_WORDS.has(word))) effect = 'barrier';
        const sql = chainCalls(step.call)
          .map(sqlOf)
          .find((text) => text !== undefined);
        cached = {
          ordering: orderedNames.has(name) || calleeWords.some((word) => ordered.has(word)),
          guard: step.kind === 'bare' && words(name).some((word) => GUARD_WORDS.has(word)),
          effect,
          things: new Set([
            ...[...names].map((identifier) => identifier.toLowerCase()),
            ...calleeWords.filter((word) => !NOT_THINGS.has(word)),
            ...(sql ? sqlTables(sql) : []),
          ]),
          tables: sql ? new Set(sqlTables(sql)) : undefined,
          connections: connectionsOf(step.call, names, sourceCode),
        };
        facts.set(step, cached);
      }
      return cached;
    };

    /**
     * Whether `later` must wait for `earlier`: it uses its result, one of them orders what is
     * around it, they share a connection, or they may touch the same state and one writes.
     */
    const dependsOn = (later: AwaitStep, earlier: AwaitStep): boolean => {
      const [start, end] = later.statement.range;
      const usesResult = earlier.declared.some((variable) =>
        variable.references.some((reference) => reference.identifier.range[0] >= start && reference.identifier.range[1] <= end),
      );
      if (usesResult) return true;
      const a = describe(earlier);
      const b = describe(later);
      if (a.ordering || b.ordering || a.guard || a.effect === 'barrier' || b.effect === 'barrier') return true;
      if (shares(a.connections, b.connections)) return true;
      // Side effects keep their order: delete then clear the cache, send then mark as sent.
      if (a.effect === 'write' && b.effect === 'write') return true;
      if (a.things.has('this') && b.things.has('this')) return true;
      if (a.effect !== 'write' && b.effect !== 'write') return false;
      // Two SQL texts on a pool: only a common table orders them (the pool runs them on different connections).
      return a.tables && b.tables ? shares(a.tables, b.tables) : shares(a.things, b.things);
    };

    const reportRun = (run: AwaitStep[]): void => {
      const [first, second] = run;
      const last = run[run.length - 1];
      if (!first || !second || !last) return;
      const count = String(run.length);
      const fixable =
        run.every((step) => step.pattern === undefined || step.pattern.typeAnnotation === undefined) &&
        !sourceCode
          .getAllComments()
          .some((comment) => comment.range[0] > first.statement.range[0] && comment.range[1] < last.statement.range[1]);
      context.report({
        node: second.awaited,
        messageId: 'sequentialAwait',
        data: { count },
        suggest: fixable
          ? [
              {
                messageId: 'useAll',
                data: { count },
                fix: (fixer) =>
                  fixer.replaceTextRange([first.statement.range[0], last.statement.range[1]], promiseAllText(run, sourceCode)),
              },
            ]
          : [],
      });
    };

    const checkBlock = (block: TSESTree.Node, body: TSESTree.Statement[]): void => {
      let fn: TSESTree.Node | undefined = block.parent;
      while (fn && !isFunctionNode(fn) && fn.type !== AST_NODE_TYPES.StaticBlock) fn = fn.parent;
      // Top-level awaits and static blocks run once, at start-up or in a script.
      if (!fn || fn.type === AST_NODE_TYPES.StaticBlock) return;
      // A migration's steps run in order on purpose, once.
      if (words(functionName(fn)).some((word) => MIGRATION_WORDS.has(word))) return;
      const functionStart = fn.range[0];
      // After `query('BEGIN')` earlier in the function, the calls share one transaction's connection.
      const report = (run: AwaitStep[]): void => {
        const before = sourceCode.text.slice(functionStart, run[0]?.statement.range[0]);
        if (!/['"`]\s*(BEGIN|START\s+TRANSACTION)\b/i.test(before)) reportRun(run);
      };
      let run: AwaitStep[] = [];
      for (const statement of body) {
        const step = toStep(statement, sourceCode);
        if (step && run.length > 0 && run.every((earlier) => !dependsOn(step, earlier))) {
          run.push(step);
          continue;
        }
        if (run.length > 1) report(run);
        run = step ? [step] : [];
      }
      if (run.length > 1) report(run);
    };

    return {
      BlockStatement: (node) => checkBlock(node, node.body),
      SwitchCase: (node) => checkBlock(node, node.consequent),
    };
  },
});

/** `const [a, , { b }] = await Promise.all([f(), g(), h()]);` for a run of steps. */
function promiseAllText(run: AwaitStep[], sourceCode: TSESLint.SourceCode): string {
  const calls = run.map((step) => sourceCode.getText(step.call)).join(', ');
  if (run.every((step) => step.kind === 'bare')) return `await Promise.all([${calls}]);`;
  const kind = run.some((step) => step.kind === 'var') ? 'var' : run.some((step) => step.kind === 'let') ? 'let' : 'const';
  let lastBound = 0;
  run.forEach((step, index) => {
    if (step.pattern) lastBound = index;
  });
  const elements = run.slice(0, lastBound + 1).map((step) => (step.pattern ? sourceCode.getText(step.pattern) : ''));
  return `${kind} [${elements.join(', ')}] = await Promise.all([${calls}]);`;
}
