import type { TSESLint, TSESTree } from '@typescript-eslint/utils';
import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import { createRule } from '../create-rule.js';
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

/** Words in a call that mean "order matters": locks, sleeps, transactions, lifecycle. */
const ORDERING_WORDS = new Set([
  'lock', 'unlock', 'mutex', 'semaphore', 'acquire', 'release', 'lease', 'exclusive', 'sleep', 'delay', 'wait', 'timeout',
  'connect', 'disconnect', 'begin', 'commit', 'rollback', 'transaction', 'savepoint', 'tx', 'trx', 'close', 'end', 'destroy',
  'shutdown', 'start', 'stop', 'listen', 'init', 'initialize', 'setup', 'migrate', 'open', 'flush', 'drain', 'ready',
  'login', 'logout', 'next',
  // guards: the next step must not start (and cost) when the check throws
  'check', 'validate', 'assert', 'ensure', 'verify', 'authorize', 'authenticate', 'require',
]);
/** Words of a method name that change state: a later call touching the same thing must see it. */
const WRITE_WORDS = new Set([
  'set', 'put', 'post', 'patch', 'delete', 'del', 'remove', 'rm', 'unlink', 'insert', 'update', 'upsert', 'create', 'save',
  'write', 'append', 'send', 'publish', 'emit', 'push', 'add', 'mkdir', 'rename', 'copy', 'move', 'exec', 'execute', 'run',
  'query', 'incr', 'decr', 'increment', 'decrement', 'invalidate', 'clear', 'reset', 'persist', 'store', 'enqueue',
  'dequeue', 'pop', 'shift', 'lpush', 'rpush', 'hset', 'sadd', 'expire', 'mutate', 'apply', 'install', 'build', 'seed',
]);

const words = (text: string): string[] =>
  text.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);

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

/** `fetch(url, { method: 'POST' })` writes; a GET does not. */
function fetchWrites(call: TSESTree.CallExpression): boolean {
  const init = call.arguments[1];
  if (init?.type !== AST_NODE_TYPES.ObjectExpression) return false;
  return init.properties.some((property) =>
    property.type === AST_NODE_TYPES.Property && !property.computed &&
    property.key.type === AST_NODE_TYPES.Identifier && property.key.name === 'method' &&
    !(property.value.type === AST_NODE_TYPES.Literal && /^(get|head)$/i.test(String(property.value.value))));
}

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

    const info = new Map<AwaitStep, { ordering: boolean; writes: boolean; reads: Set<string> }>();
    const describe = (step: AwaitStep): { ordering: boolean; writes: boolean; reads: Set<string> } => {
      let cached = info.get(step);
      if (!cached) {
        const name = calleeName(step.call.callee) ?? '';
        const calleeWords = words(sourceCode.getText(step.call.callee));
        cached = {
          ordering: orderedNames.has(name) || calleeWords.some((word) => ordered.has(word)),
          writes: words(name).some((word) => WRITE_WORDS.has(word)) || (name === 'fetch' && fetchWrites(step.call)),
          reads: identifiersOf(step.call, sourceCode.visitorKeys),
        };
        info.set(step, cached);
      }
      return cached;
    };

    /** Whether `later` must wait for `earlier`: it uses its result, or the two may touch the same state. */
    const dependsOn = (later: AwaitStep, earlier: AwaitStep): boolean => {
      const [start, end] = later.statement.range;
      const usesResult = earlier.declared.some((variable) =>
        variable.references.some((reference) => reference.identifier.range[0] >= start && reference.identifier.range[1] <= end));
      if (usesResult) return true;
      const a = describe(earlier);
      const b = describe(later);
      if (a.ordering || b.ordering) return true;
      if (b.reads.has('this') && a.reads.has('this')) return true;
      return (a.writes || b.writes) && [...a.reads].some((name) => b.reads.has(name));
    };

    const report = (run: AwaitStep[]): void => {
      const [first, second] = run;
      const last = run[run.length - 1];
      if (!first || !second || !last) return;
      const count = String(run.length);
      const fixable =
        run.every((step) => step.pattern === undefined || step.pattern.typeAnnotation === undefined) &&
        !sourceCode.getAllComments().some((comment) => comment.range[0] > first.statement.range[0] && comment.range[1] < last.statement.range[1]);
      context.report({
        node: second.awaited,
        messageId: 'sequentialAwait',
        data: { count },
        suggest: fixable
          ? [{
              messageId: 'useAll',
              data: { count },
              fix: (fixer) => fixer.replaceTextRange([first.statement.range[0], last.statement.range[1]], promiseAllText(run, sourceCode)),
            }]
          : [],
      });
    };

    const checkBlock = (body: TSESTree.Statement[]): void => {
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
      BlockStatement: (node) => checkBlock(node.body),
      Program: (node) => checkBlock(node.body as TSESTree.Statement[]),
      StaticBlock: (node) => checkBlock(node.body),
      SwitchCase: (node) => checkBlock(node.consequent),
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
