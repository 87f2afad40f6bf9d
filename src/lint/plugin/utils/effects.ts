import type { TSESTree } from '@typescript-eslint/utils';
import { AST_NODE_TYPES } from '@typescript-eslint/utils';

/**
 * What an awaited call does to shared state, as far as the source tells:
 * - `barrier`: schema changes, transaction control, locks: nothing may move across it;
 * - `write`: changes state that a neighbouring call may read or change too;
 * - `read`: only reads (or its effect is unknown and not a known write).
 */
export type Effect = 'barrier' | 'write' | 'read';

/** Splits `getUserById`, `user_id` and `a.b` into lower-case words. */
export const words = (text: string): string[] =>
  text
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);

/** Verbs that, as the first word of a method name, change state. */
const WRITE_VERBS = new Set([
  'set',
  'put',
  'post',
  'patch',
  'delete',
  'del',
  'remove',
  'rm',
  'unlink',
  'insert',
  'update',
  'upsert',
  'create',
  'save',
  'write',
  'append',
  'send',
  'publish',
  'emit',
  'push',
  'add',
  'mkdir',
  'rename',
  'copy',
  'move',
  'incr',
  'decr',
  'increment',
  'decrement',
  'invalidate',
  'clear',
  'reset',
  'persist',
  'store',
  'enqueue',
  'dequeue',
  'pop',
  'shift',
  'lpush',
  'rpush',
  'hset',
  'hdel',
  'sadd',
  'srem',
  'zadd',
  'expire',
  'mutate',
  'install',
  'seed',
  'destroy',
  'drop',
  'truncate',
  'reload',
  'refresh',
  'sync',
  'restart',
  'cancel',
  'revoke',
  'grant',
  'apply',
  'upload',
  'replace',
  'bulk',
  'run',
  'exec',
  'execute',
  'deliver',
  'dispatch',
  'toggle',
  'assign',
  'unassign',
  'attach',
  'detach',
  'link',
  'enable',
  'disable',
  'archive',
  'restore',
  'import',
  'purge',
  'evict',
  'flush',
  'output',
  'ensure',
  'empty',
  'rebuild',
  'reconnect',
  'associate',
  'generate',
  'dump',
]);

const SQL_WRITE = /^\s*(insert|update|delete|merge|replace|upsert|truncate|copy)\b/i;
const SQL_BARRIER =
  /^\s*(create|alter|drop|rename|grant|revoke|comment|vacuum|reindex|cluster|begin|start\s+transaction|commit|rollback|savepoint|release|set|lock|pragma|listen|unlisten|notify|do|call|if|dbcc|declare|exec|execute)\b/i;
const SQL_READ = /^\s*(select|with|show|explain|values|table)\b/i;
const SQL_TABLES = /\b(?:from|into|update|join|table(?:\s+if\s+(?:not\s+)?exists)?)\s+[`"[]?([A-Za-z_][\w.]*)/gi;

/** The text of a string literal, a template's static parts, or a `sql` tagged template. */
function stringText(node: TSESTree.Node | undefined): string | undefined {
  if (!node) return undefined;
  if (node.type === AST_NODE_TYPES.Literal && typeof node.value === 'string') return node.value;
  if (node.type === AST_NODE_TYPES.TemplateLiteral) return node.quasis.map((quasi) => quasi.value.cooked ?? '').join(' ? ');
  if (node.type === AST_NODE_TYPES.TaggedTemplateExpression) return stringText(node.quasi);
  return undefined;
}

/** The SQL a call carries: its first string argument that reads as SQL. */
export function sqlOf(call: TSESTree.CallExpression): string | undefined {
  for (const argument of call.arguments) {
    const text = stringText(argument);
    if (text !== undefined && (SQL_WRITE.test(text) || SQL_BARRIER.test(text) || SQL_READ.test(text))) return text;
  }
  return undefined;
}

/** Tables an SQL text names: `DELETE FROM setting` names `setting`. */
export function sqlTables(sql: string): string[] {
  return [...sql.matchAll(SQL_TABLES)].map((match) => (match[1] ?? '').split('.').pop()!.toLowerCase()).filter(Boolean);
}

/** Every call of a chain, outermost first: `db.update(t).set(v).catch(f)` gives catch, set, update. */
export function chainCalls(call: TSESTree.CallExpression): TSESTree.CallExpression[] {
  const calls: TSESTree.CallExpression[] = [];
  let node: TSESTree.Node = call;
  for (;;) {
    if (node.type === AST_NODE_TYPES.CallExpression) {
      calls.push(node);
      node = node.callee;
    } else if (node.type === AST_NODE_TYPES.MemberExpression) {
      node = node.object;
    } else if (node.type === AST_NODE_TYPES.ChainExpression || node.type === AST_NODE_TYPES.TSNonNullExpression) {
      node = node.expression;
    } else {
      return calls;
    }
  }
}

const methodName = (call: TSESTree.CallExpression): string | undefined => {
  const callee = call.callee;
  if (callee.type === AST_NODE_TYPES.Identifier) return callee.name;
  if (callee.type === AST_NODE_TYPES.MemberExpression && !callee.computed && callee.property.type === AST_NODE_TYPES.Identifier)
    return callee.property.name;
  return undefined;
};

/** `fetch(url, { method: 'POST' })` writes; a GET does not. */
function fetchWrites(call: TSESTree.CallExpression): boolean {
  const init = call.arguments[1];
  if (init?.type !== AST_NODE_TYPES.ObjectExpression) return false;
  return init.properties.some(
    (property) =>
      property.type === AST_NODE_TYPES.Property &&
      !property.computed &&
      property.key.type === AST_NODE_TYPES.Identifier &&
      property.key.name === 'method' &&
      !(property.value.type === AST_NODE_TYPES.Literal && /^(get|head)$/i.test(String(property.value.value))),
  );
}

/**
 * The effect of an awaited call: SQL text decides when there is some (`pool.query('SELECT …')`
 * reads), otherwise the first word of each method name along the chain, or a fetch's method.
 */
export function effectOf(call: TSESTree.CallExpression): Effect {
  let effect: Effect = 'read';
  for (const link of chainCalls(call)) {
    const name = methodName(link);
    const sql = sqlOf(link);
    if (sql !== undefined) {
      if (SQL_BARRIER.test(sql)) return 'barrier';
      if (SQL_WRITE.test(sql)) effect = 'write';
      continue;
    }
    // Without SQL text the name decides: `query` reads, `run` and `exec` run commands.
    if (name === undefined) continue;
    if (name === 'fetch' ? fetchWrites(link) : WRITE_VERBS.has(words(name)[0] ?? '')) effect = 'write';
  }
  return effect;
}
