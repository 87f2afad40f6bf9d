import type { TSESLint, TSESTree } from '@typescript-eslint/utils';
import { AST_NODE_TYPES, ASTUtils } from '@typescript-eslint/utils';
import { createRule } from '../create-rule.js';
import { findRequestFunctions, isFunctionNode, isInside, type FunctionNode } from '../utils/handlers.js';
import { snippet } from '../utils/snippet.js';
import { exportedFunction, parseModule, resolveRelativeModule } from '../utils/imported-helpers.js';
import { calleeName, collectImports, resolveImported, type ImportBinding } from '../utils/imports.js';

export interface NoBlockingInHandlerOptions {
  /** Calls to allow in handlers, by name (e.g. `existsSync`). */
  allow?: string[];
  /** More calls that block, by name (e.g. a native addon's `renderSync`). */
  blockers?: string[];
  /**
   * Follow a handler's calls into helpers imported from the project's other files (one file deep).
   * On in `recommended-typed` and the typed tier, whose runs are never cached: a cached result
   * would not see a change in the helper's file.
   */
  followImports?: boolean;
}

/** Node modules whose `*Sync` functions block the event loop. */
const SYNC_MODULES = new Set(['fs', 'child_process', 'crypto', 'zlib']);
/** Other blockers by module and export. */
const KNOWN_BLOCKERS: Record<string, string[]> = {
  bcrypt: ['hashSync', 'compareSync', 'genSaltSync'],
  bcryptjs: ['hashSync', 'compareSync', 'genSaltSync'],
  execa: ['execaSync', 'execaCommandSync', 'sync'],
};

/** fs functions on file descriptors: `node:fs/promises` has them as methods of a `FileHandle`. */
const FD_FUNCTIONS = new Set([
  'read',
  'write',
  'readv',
  'writev',
  'close',
  'fstat',
  'fsync',
  'fdatasync',
  'ftruncate',
  'futimes',
  'fchmod',
  'fchown',
]);

function asyncAlternative(module: string, name: string): string {
  const base = name.replace(/Sync$/, '');
  if (module === 'fs') {
    // node:fs/promises has no `exists`: access() rejects when the path is missing.
    if (base === 'exists') return '`access` (it rejects when the path is missing) or `stat` from `node:fs/promises`';
    if (FD_FUNCTIONS.has(base)) return 'the methods of a `FileHandle` from `open` of `node:fs/promises`';
    return `\`${base}\` from \`node:fs/promises\``;
  }
  if (module === 'child_process') {
    // spawn returns a ChildProcess, not a callback: util.promisify does not apply to it.
    if (base === 'spawn') return '`spawn` (wait for its `close` event), or a worker';
    return `\`${base}\` with \`util.promisify\`, or a worker`;
  }
  if (module === 'crypto' || module === 'zlib') return `the callback \`${base}\` (it runs on the libuv thread pool)`;
  if (module === 'bcrypt' || module === 'bcryptjs') return `the async \`${base}\``;
  return 'the async version';
}

/** `app.fs.readFileSync` or `fse.statSync`: fs (or fs-extra) reached through an object, not an import. */
function fsByName(callee: TSESTree.Node): { module: string; imported: string } | undefined {
  if (callee.type !== AST_NODE_TYPES.MemberExpression || callee.computed || callee.property.type !== AST_NODE_TYPES.Identifier)
    return undefined;
  const object = callee.object;
  const receiver =
    object.type === AST_NODE_TYPES.Identifier
      ? object.name
      : object.type === AST_NODE_TYPES.MemberExpression && !object.computed && object.property.type === AST_NODE_TYPES.Identifier
        ? object.property.name
        : undefined;
  return receiver !== undefined && /^(fs|fse|fsExtra)$/.test(receiver) && callee.property.name.endsWith('Sync')
    ? { module: 'fs', imported: callee.property.name }
    : undefined;
}

/** The name a guard tests: `cache` of `cache`, `this.cache`, `state.cache`. */
const storedName = (node: TSESTree.Node): string | undefined =>
  node.type === AST_NODE_TYPES.Identifier
    ? node.name
    : node.type === AST_NODE_TYPES.MemberExpression && !node.computed && node.property.type === AST_NODE_TYPES.Identifier
      ? node.property.name
      : undefined;

/**
 * A result kept for the process: `cache ??= readFileSync(...)`, or `if (!cache) cache = readFileSync(...)`
 * with `cache` outside the function (or a property). It blocks on the first request only.
 */
function isOncePerProcess(call: TSESTree.Node, sourceCode: TSESLint.SourceCode): boolean {
  let assignment: TSESTree.AssignmentExpression | undefined;
  for (let node = call.parent; node && !isFunctionNode(node); node = node.parent) {
    if (node.type === AST_NODE_TYPES.AssignmentExpression) {
      assignment = node;
      break;
    }
  }
  if (!assignment) return false;
  const name = storedName(assignment.left);
  if (name === undefined) return false;
  if (assignment.operator === '??=' || assignment.operator === '||=') return true;
  if (assignment.operator !== '=') return false;
  if (assignment.left.type === AST_NODE_TYPES.Identifier) {
    // Declared outside the function that assigns it: it outlives the request.
    const variable = ASTUtils.findVariable(sourceCode.getScope(assignment), assignment.left);
    let fn: TSESTree.Node | undefined = assignment.parent;
    while (fn && !isFunctionNode(fn)) fn = fn.parent;
    if (!variable || variable.scope.block === fn) return false;
  }
  for (let node: TSESTree.Node | undefined = assignment.parent; node && !isFunctionNode(node); node = node.parent) {
    if (node.type === AST_NODE_TYPES.IfStatement && testsAbsence(node.test, name)) return true;
  }
  return false;
}

/** `!cache`, `cache === undefined`, `cache == null`, `!this.cache`: the guard of a lazy value. */
function testsAbsence(test: TSESTree.Expression, name: string): boolean {
  if (test.type === AST_NODE_TYPES.UnaryExpression && test.operator === '!') return storedName(test.argument) === name;
  if (test.type === AST_NODE_TYPES.BinaryExpression && /^[!=]==?$/.test(test.operator) && test.operator.startsWith('=')) {
    return storedName(test.left) === name || storedName(test.right) === name;
  }
  if (test.type === AST_NODE_TYPES.LogicalExpression) return testsAbsence(test.left, name) || testsAbsence(test.right, name);
  return false;
}

/** What a call blocks on, with its async alternative; undefined when it does not block. */
type BlockerCheck = (
  node: TSESTree.CallExpression,
  sourceCode: TSESLint.SourceCode,
  imports: Map<string, ImportBinding>,
) => { name: string; alternative: string } | undefined;

function makeBlockerCheck(allow: Set<string>, blockers: Set<string>): BlockerCheck {
  return (node, sourceCode, imports) => {
    const name = calleeName(node.callee);
    if (!name || allow.has(name)) return undefined;
    const text = snippet(sourceCode.getText(node.callee));
    if (blockers.has(name)) return { name: text, alternative: 'an asynchronous alternative' };
    if (text === 'Atomics.wait') return { name: text, alternative: '`Atomics.waitAsync`' };
    const imported = resolveImported(node.callee, imports) ?? fsByName(node.callee);
    if (!imported) return undefined;
    const blocks =
      (SYNC_MODULES.has(imported.module) && imported.imported.endsWith('Sync')) ||
      KNOWN_BLOCKERS[imported.module]?.includes(imported.imported) === true;
    return blocks ? { name: text, alternative: asyncAlternative(imported.module, imported.imported) } : undefined;
  };
}

/** The first blocking call in `fn` (callbacks included), skipping values kept for the process. */
function firstBlockerIn(
  fn: FunctionNode,
  sourceCode: TSESLint.SourceCode,
  check: BlockerCheck,
): { name: string; alternative: string } | undefined {
  const imports = collectImports(sourceCode.ast);
  let found: { name: string; alternative: string } | undefined;
  const visit = (node: TSESTree.Node): void => {
    if (found) return;
    if (node.type === AST_NODE_TYPES.CallExpression) {
      const blocker = check(node, sourceCode, imports);
      if (blocker && !isOncePerProcess(node, sourceCode)) found = blocker;
    }
    for (const key of sourceCode.visitorKeys[node.type] ?? []) {
      const child = (node as unknown as Record<string, unknown>)[key];
      for (const item of Array.isArray(child) ? child : [child]) {
        if (item && typeof item === 'object' && 'type' in item) visit(item as TSESTree.Node);
      }
    }
  };
  visit(fn.body);
  return found;
}

export const noBlockingInHandler = createRule<[NoBlockingInHandlerOptions], 'blockingCall' | 'blockingHelper'>({
  name: 'no-blocking-in-handler',
  meta: {
    type: 'problem',
    docs: {
      description: 'Disallow synchronous, event-loop-blocking calls inside request handlers',
      recommended: true,
    },
    messages: {
      blockingCall:
        '`{{name}}` blocks the event loop inside a request handler. While it runs no other request is served, so every in-flight request waits for it. Use {{alternative}}, or do it once at start-up.',
      blockingHelper:
        '`{{helper}}` (from `{{module}}`) calls `{{name}}`, which blocks the event loop, and a request handler calls it. While it runs no other request is served, so every in-flight request waits for it. Use {{alternative}} there, or do it once at start-up.',
    },
    schema: [
      {
        type: 'object',
        properties: {
          allow: { type: 'array', items: { type: 'string' }, uniqueItems: true },
          blockers: { type: 'array', items: { type: 'string' }, uniqueItems: true },
          followImports: { type: 'boolean' },
        },
        additionalProperties: false,
      },
    ],
  },
  defaultOptions: [{ allow: [], blockers: [], followImports: false }],
  create(context, [options]) {
    const sourceCode = context.sourceCode;
    const imports = collectImports(sourceCode.ast);
    const allow = new Set(options.allow ?? []);
    const blockers = new Set(options.blockers ?? []);
    const check = makeBlockerCheck(allow, blockers);
    const candidates: Array<{ node: TSESTree.CallExpression; name: string; alternative: string }> = [];
    // Calls of functions imported from the project's own modules: followed one file deep.
    const helperCalls: Array<{ node: TSESTree.CallExpression; module: string; imported: string }> = [];

    return {
      CallExpression(node) {
        const blocker = check(node, sourceCode, imports);
        if (blocker) {
          candidates.push({ node, ...blocker });
          return;
        }
        const imported = resolveImported(node.callee, imports);
        if (options.followImports === true && imported?.module.startsWith('.') && imported.imported !== '*')
          helperCalls.push({ node, ...imported });
      },
      'Program:exit'(program) {
        if (candidates.length === 0 && helperCalls.length === 0) return;
        const handlers = findRequestFunctions(program, sourceCode);
        for (const { node, name, alternative } of candidates) {
          if (isInside(node, handlers) && !isOncePerProcess(node, sourceCode))
            context.report({ node, messageId: 'blockingCall', data: { name, alternative } });
        }
        const parser = context.languageOptions.parser as Parameters<typeof parseModule>[1];
        for (const { node, module, imported } of helperCalls) {
          if (!isInside(node, handlers) || isOncePerProcess(node, sourceCode)) continue;
          const path = resolveRelativeModule(context.filename, module);
          const parsed = path ? parseModule(path, parser) : undefined;
          const helper = parsed ? exportedFunction(parsed, imported) : undefined;
          const blocker = helper && parsed ? firstBlockerIn(helper, parsed.sourceCode, check) : undefined;
          if (blocker) {
            context.report({
              node,
              messageId: 'blockingHelper',
              data: { helper: snippet(sourceCode.getText(node.callee)), module, ...blocker },
            });
          }
        }
      },
    };
  },
});
