import type { TSESTree } from '@typescript-eslint/utils';
import { AST_NODE_TYPES, ASTUtils } from '@typescript-eslint/utils';
import { createRule } from '../create-rule.js';
import { findRequestFunctions, isFunctionNode, isInside } from '../utils/handlers.js';
import { snippet } from '../utils/snippet.js';
import { calleeName, collectImports, resolveImported } from '../utils/imports.js';

export interface NoClientPerRequestOptions {
  /** More class or factory names that create a client, pool or connection (matched by name). */
  constructors?: string[];
}

/** Classes that open connections, by the module that exports them. */
const CLIENT_CLASSES: Record<string, string[]> = {
  undici: ['Agent', 'Pool', 'Client', 'BalancedPool', 'ProxyAgent', 'RetryAgent', 'EnvHttpProxyAgent'],
  pg: ['Pool', 'Client'],
  '@electric-sql/pglite': ['PGlite'],
  '@prisma/client': ['PrismaClient'],
  ioredis: ['default', 'Redis', 'Cluster'],
  mongodb: ['MongoClient'],
  http: ['Agent'],
  https: ['Agent'],
  kysely: ['Kysely'],
  '@slack/web-api': ['WebClient'],
  stripe: ['default', 'Stripe'],
  openai: ['default', 'OpenAI'],
  '@octokit/rest': ['Octokit'],
  octokit: ['Octokit', 'App'],
  '@upstash/redis': ['Redis'],
};
/** Factories that open connections, by module: `axios.create()`, `createClient()` of redis... */
const CLIENT_FACTORIES: Record<string, string[]> = {
  axios: ['create'],
  redis: ['createClient', 'createCluster'],
  '@redis/client': ['createClient'],
  mysql2: ['createPool', 'createConnection'],
  'mysql2/promise': ['createPool', 'createConnection'],
  postgres: ['default'],
  knex: ['default', 'knex'],
  '@libsql/client': ['createClient'],
  nodemailer: ['createTransport'],
};
/** What a request brings in: Express/Koa/Fastify bodies and queries, Hono's `c.req.json()` and validated input. */
const REQUEST_INPUT = /\b(req|request|ctx\.request)\.(body|query|params)\b|\bc\.req\.(json|parseBody|query|param|valid)\b/;

/** Calls `visit` on every identifier read in `node` (not property names). */
function walkIdentifiers(node: TSESTree.Node, visit: (identifier: TSESTree.Identifier) => void): void {
  if (node.type === AST_NODE_TYPES.Identifier) {
    visit(node);
    return;
  }
  if (node.type === AST_NODE_TYPES.MemberExpression) {
    walkIdentifiers(node.object, visit);
    if (node.computed) walkIdentifiers(node.property, visit);
    return;
  }
  if (node.type === AST_NODE_TYPES.ObjectExpression) {
    for (const property of node.properties)
      walkIdentifiers(property.type === AST_NODE_TYPES.Property ? property.value : property.argument, visit);
    return;
  }
  if (node.type === AST_NODE_TYPES.AwaitExpression || node.type === AST_NODE_TYPES.SpreadElement) walkIdentifiers(node.argument, visit);
  else if (node.type === AST_NODE_TYPES.CallExpression) walkIdentifiers(node.callee, visit);
  else if (node.type === AST_NODE_TYPES.ChainExpression || node.type === AST_NODE_TYPES.TSAsExpression)
    walkIdentifiers(node.expression, visit);
}

/** Names that are clients wherever they come from. */
const ALWAYS_CLIENTS = new Set(['PrismaClient', 'PGlite', 'MongoClient']);

export const noClientPerRequest = createRule<[NoClientPerRequestOptions], 'clientPerRequest'>({
  name: 'no-client-per-request',
  meta: {
    type: 'problem',
    docs: {
      description: 'Disallow creating an HTTP client, connection pool or DB client inside a request handler',
      recommended: true,
    },
    messages: {
      clientPerRequest:
        '`{{name}}` is created inside a request handler. Each request then opens its own connections (TCP and TLS handshakes, no keep-alive) and leaks sockets or DB slots under load. Create it once at start-up, pass it in (`createApp(deps)`, `c.var`) and close it at shutdown.',
    },
    schema: [
      {
        type: 'object',
        properties: {
          constructors: { type: 'array', items: { type: 'string' }, uniqueItems: true },
        },
        additionalProperties: false,
      },
    ],
  },
  defaultOptions: [{ constructors: [] }],
  create(context, [options]) {
    const sourceCode = context.sourceCode;
    const imports = collectImports(sourceCode.ast);
    const extra = new Set(options.constructors ?? []);
    const candidates: Array<{ node: TSESTree.Node; name: string }> = [];

    const describe = (callee: TSESTree.Node, isNew: boolean): string | undefined => {
      const name = calleeName(callee);
      if (name && extra.has(name)) return snippet(sourceCode.getText(callee));
      const imported = resolveImported(callee, imports);
      if (imported) {
        const table = isNew ? CLIENT_CLASSES : CLIENT_FACTORIES;
        if (table[imported.module]?.includes(imported.imported)) return snippet(sourceCode.getText(callee));
        if (isNew && imported.module.startsWith('@aws-sdk/client-') && imported.imported.endsWith('Client'))
          return snippet(sourceCode.getText(callee));
      }
      if (isNew && name && ALWAYS_CLIENTS.has(name)) return snippet(sourceCode.getText(callee));
      return undefined;
    };

    /** `pool ??= new Pool()`, `cached = new Pool()`, `this.pool = new Pool()`: made once, then reused (a lazy singleton). */
    const isCached = (node: TSESTree.Node): boolean => {
      const parent = node.parent;
      if (parent?.type !== AST_NODE_TYPES.AssignmentExpression || parent.right !== node) return false;
      if (parent.left.type === AST_NODE_TYPES.MemberExpression) return true;
      if (parent.left.type !== AST_NODE_TYPES.Identifier) return false;
      const variable = ASTUtils.findVariable(sourceCode.getScope(node), parent.left);
      const declaredIn = variable?.scope.block;
      let fn: TSESTree.Node | undefined = node.parent;
      while (fn && !isFunctionNode(fn)) fn = fn.parent;
      // Declared outside the function that assigns it: it outlives the request.
      return declaredIn !== undefined && fn !== undefined && declaredIn !== fn;
    };

    /**
     * Whether the client's options come from the request (`req.body.dbConfig`, `await c.req.json()`):
     * a setup wizard testing the credentials a user typed cannot create that client at start-up.
     */
    const configFromRequest = (node: TSESTree.CallExpression | TSESTree.NewExpression): boolean => {
      const seen = new Set<TSESTree.Node>();
      const fromRequest = (expression: TSESTree.Node, depth: number): boolean => {
        if (depth > 3 || seen.has(expression)) return false;
        seen.add(expression);
        if (REQUEST_INPUT.test(sourceCode.getText(expression))) return true;
        let found = false;
        walkIdentifiers(expression, (identifier) => {
          if (found) return;
          const variable = ASTUtils.findVariable(sourceCode.getScope(identifier), identifier);
          for (const definition of variable?.defs ?? []) {
            if (
              definition.node.type === AST_NODE_TYPES.VariableDeclarator &&
              definition.node.init &&
              fromRequest(definition.node.init, depth + 1)
            )
              found = true;
          }
        });
        return found;
      };
      return node.arguments.some((argument) => fromRequest(argument, 0));
    };

    return {
      NewExpression(node) {
        const name = describe(node.callee, true);
        if (name && !isCached(node) && !configFromRequest(node)) candidates.push({ node, name: `new ${name}` });
      },
      CallExpression(node) {
        if (node.callee.type === AST_NODE_TYPES.Super) return;
        const name = describe(node.callee, false);
        if (name && !isCached(node) && !configFromRequest(node)) candidates.push({ node, name: `${name}()` });
      },
      'Program:exit'(program) {
        if (candidates.length === 0) return;
        const handlers = findRequestFunctions(program, sourceCode);
        for (const { node, name } of candidates) {
          if (isInside(node, handlers)) context.report({ node, messageId: 'clientPerRequest', data: { name } });
        }
      },
    };
  },
});
