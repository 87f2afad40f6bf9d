import type { TSESLint, TSESTree } from '@typescript-eslint/utils';
import { AST_NODE_TYPES, ASTUtils } from '@typescript-eslint/utils';
import { createRule } from '../create-rule.js';
import { isFunctionNode } from '../utils/handlers.js';
import { snippet } from '../utils/snippet.js';
import { calleeName, collectImports, resolveImported, type ImportBinding } from '../utils/imports.js';

export interface RequireTimeoutOptions {
  /** Functions known to put a timeout on the call they wrap, e.g. `pTimeout(fetch(url), 1000)`. */
  wrappers?: string[];
  /** Check that `pg` pools and clients are created with `statement_timeout` or `query_timeout`. */
  checkPg?: boolean;
}

type MessageId = 'fetchWithoutSignal' | 'undiciWithoutTimeout' | 'pgWithoutTimeout' | 'httpClientWithoutTimeout';

const UNDICI_TIMEOUT_KEYS = ['signal', 'headersTimeout', 'bodyTimeout'];
const PG_TIMEOUT_KEYS = ['statement_timeout', 'query_timeout'];
const FETCH_MODULES = new Set(['undici', 'node-fetch', 'cross-fetch']);
const UNDICI_DISPATCHERS = new Set(['Agent', 'Pool', 'Client', 'BalancedPool', 'ProxyAgent', 'RetryAgent']);

const HTTP_CLIENT_TIMEOUT_KEYS = ['timeout', 'signal'];
/** axios methods by the index of their config argument. */
const AXIOS_CONFIG_INDEX: Record<string, number> = {
  default: 0,
  '*': 0,
  request: 0,
  create: 0,
  get: 1,
  delete: 1,
  head: 1,
  options: 1,
  post: 2,
  put: 2,
  patch: 2,
  postForm: 2,
  putForm: 2,
  patchForm: 2,
};
const GOT_METHODS = new Set(['default', '*', 'get', 'post', 'put', 'patch', 'delete', 'head', 'stream', 'extend']);

/** Globals only a browser has: a file that uses them is front-end code, where no server request waits on the call. */
const BROWSER_GLOBALS = ['window', 'document'];

function usesBrowserGlobals(globalScope: TSESLint.Scope.Scope | null): boolean {
  if (!globalScope) return false;
  return BROWSER_GLOBALS.some((name) => {
    const declared = globalScope.set.get(name);
    if (declared && declared.defs.length === 0 && declared.references.length > 0) return true;
    return globalScope.through.some((reference) => reference.identifier.name === name);
  });
}

/** `yes`/`no` for an object literal; `unknown` when options are a variable or contain a spread (they may carry a signal). */
function hasKey(node: TSESTree.Node | undefined, keys: readonly string[]): 'yes' | 'no' | 'unknown' {
  if (node === undefined) return 'no';
  if (node.type !== AST_NODE_TYPES.ObjectExpression) return 'unknown';
  let sawSpread = false;
  for (const property of node.properties) {
    if (property.type === AST_NODE_TYPES.SpreadElement) {
      sawSpread = true;
      continue;
    }
    const key = property.computed
      ? undefined
      : property.key.type === AST_NODE_TYPES.Identifier
        ? property.key.name
        : property.key.type === AST_NODE_TYPES.Literal
          ? String(property.key.value)
          : undefined;
    if (key !== undefined && keys.includes(key)) return 'yes';
  }
  return sawSpread ? 'unknown' : 'no';
}

/** UI libraries: a file that imports one runs in the browser. */
const FRONTEND_MODULES =
  /^(react|react-dom|react-redux|preact|vue|svelte|solid-js|antd|@angular\/core|@mui\/material|next\/(router|navigation|link))$/;

/** Test runners and harnesses: their own timeout bounds each test. */
const HARNESS_MODULES = /^(vitest|@jest\/globals|mocha|node:test|test|supertest|@playwright\/test|ava|tap|uvu)$/;
/** Edge runtimes, whose platform bounds each request's time: Cloudflare Workers, Vercel, Netlify, Deno Deploy adapters. */
const EDGE_MODULES =
  /^(cloudflare:.*|@cloudflare\/workers-types|hono\/(cloudflare-workers|cloudflare-pages|vercel|netlify|lambda-edge)|@vercel\/edge|@netlify\/edge-functions)$/;

/** `export const runtime = 'edge'` (Next.js, Vercel) or `export const config = { runtime: 'edge' }`. */
function declaresEdgeRuntime(program: TSESTree.Program): boolean {
  return program.body.some(
    (statement) =>
      statement.type === AST_NODE_TYPES.ExportNamedDeclaration &&
      statement.declaration?.type === AST_NODE_TYPES.VariableDeclaration &&
      statement.declaration.declarations.some((declarator) => {
        const init = declarator.init;
        if (init?.type === AST_NODE_TYPES.Literal) return init.value === 'edge';
        return (
          init?.type === AST_NODE_TYPES.ObjectExpression &&
          init.properties.some(
            (property) =>
              property.type === AST_NODE_TYPES.Property &&
              property.value.type === AST_NODE_TYPES.Literal &&
              property.value.value === 'edge',
          )
        );
      }),
  );
}

const isStringLike = (node: TSESTree.Node | undefined): boolean =>
  node?.type === AST_NODE_TYPES.TemplateLiteral || (node?.type === AST_NODE_TYPES.Literal && typeof node.value === 'string');

/** `'/api/users'` or `` `/api/${id}` ``: a URL without a host, which only a browser resolves. */
function isRelativeUrl(node: TSESTree.Node | undefined): boolean {
  if (node?.type === AST_NODE_TYPES.BinaryExpression && node.operator === '+') return isRelativeUrl(node.left);
  const text =
    node?.type === AST_NODE_TYPES.Literal && typeof node.value === 'string'
      ? node.value
      : node?.type === AST_NODE_TYPES.TemplateLiteral
        ? (node.quasis[0]?.value.cooked ?? '')
        : undefined;
  return text !== undefined && /^\/(?!\/)/.test(text);
}

/** `{ timeout: false }`, and no signal. */
function disablesTimeout(node: TSESTree.Node | undefined): boolean {
  if (node?.type !== AST_NODE_TYPES.ObjectExpression || hasKey(node, ['signal']) !== 'no') return false;
  return node.properties.some(
    (property) =>
      property.type === AST_NODE_TYPES.Property &&
      !property.computed &&
      property.key.type === AST_NODE_TYPES.Identifier &&
      property.key.name === 'timeout' &&
      property.value.type === AST_NODE_TYPES.Literal &&
      property.value.value === false,
  );
}

export const requireTimeout = createRule<[RequireTimeoutOptions], MessageId>({
  name: 'require-timeout',
  meta: {
    type: 'problem',
    docs: {
      description: 'Require a timeout or an AbortSignal on outbound HTTP calls (fetch, undici, axios, got, ky) and on pg pools and clients',
      recommended: true,
    },
    messages: {
      fetchWithoutSignal:
        "`{{name}}` has no `signal`. A slow or silent server holds this call, its socket and the request waiting on it for minutes. Pass `signal: AbortSignal.timeout(ms)`, or the request's deadline signal combined with it (`AbortSignal.any([...])`).",
      undiciWithoutTimeout:
        "`{{name}}` has no `signal`, `headersTimeout` or `bodyTimeout`. undici waits 300 s by default, holding a pooled socket and the request meanwhile. Pass `signal` (the request's deadline) or set the timeouts on the call or its dispatcher.",
      httpClientWithoutTimeout:
        "`{{name}}` has no `timeout` or `signal`. {{library}} waits for as long as the server takes by default, holding the socket and the request waiting on it. Pass `timeout` (ms) and the request's deadline `signal`, or set a timeout on the instance it comes from.",
      pgWithoutTimeout:
        '`{{name}}` has no `statement_timeout` or `query_timeout`. One stuck query holds its connection until the pool runs dry and every request waits. Set `statement_timeout` (server side) and `query_timeout` (client side) in its config.',
    },
    schema: [
      {
        type: 'object',
        properties: {
          wrappers: { type: 'array', items: { type: 'string' }, uniqueItems: true },
          checkPg: { type: 'boolean' },
        },
        additionalProperties: false,
      },
    ],
  },
  defaultOptions: [{ wrappers: ['pTimeout', 'withTimeout'], checkPg: true }],
  create(context, [options]) {
    const sourceCode = context.sourceCode;
    const imports = collectImports(sourceCode.ast);
    const wrappers = new Set(options.wrappers ?? []);
    const modules = [...imports.values()].map((binding) => binding.module);
    // Front-end code, test harnesses and edge functions: no server request of ours waits unbounded there.
    const inBrowser =
      usesBrowserGlobals(sourceCode.scopeManager?.globalScope ?? null) ||
      modules.some((module) => FRONTEND_MODULES.test(module) || HARNESS_MODULES.test(module) || EDGE_MODULES.test(module)) ||
      declaresEdgeRuntime(sourceCode.ast);
    // `axios.defaults.timeout = 5000` in this file covers its axios calls.
    const axiosDefaultsTimeout = /\.defaults\.timeout\s*=/.test(sourceCode.text);

    /** Inside `pTimeout(...)` or a configured wrapper, up to the enclosing function. */
    const isWrapped = (node: TSESTree.Node): boolean => {
      for (let current = node.parent; current && !isFunctionNode(current); current = current.parent) {
        if (current.type === AST_NODE_TYPES.CallExpression) {
          const name = calleeName(current.callee);
          if (name && wrappers.has(name)) return true;
        }
      }
      return false;
    };

    /** Global `fetch` (not shadowed), or `fetch` imported from undici or node-fetch. */
    const isFetch = (callee: TSESTree.Node, imported: ImportBinding | undefined): boolean => {
      if (imported) {
        return FETCH_MODULES.has(imported.module) && (imported.imported === 'fetch' || imported.imported === 'default');
      }
      if (
        callee.type === AST_NODE_TYPES.MemberExpression &&
        calleeName(callee) === 'fetch' &&
        callee.object.type === AST_NODE_TYPES.Identifier &&
        callee.object.name === 'globalThis'
      )
        return true;
      if (callee.type !== AST_NODE_TYPES.Identifier || callee.name !== 'fetch') return false;
      const variable = ASTUtils.findVariable(sourceCode.getScope(callee), callee);
      return !variable || variable.defs.length === 0;
    };

    /** `new Pool(...)` of undici bound to `name` in this file, with its options argument. */
    const undiciDispatcher = (object: TSESTree.Node): TSESTree.NewExpression | undefined => {
      if (object.type !== AST_NODE_TYPES.Identifier) return undefined;
      const variable = ASTUtils.findVariable(sourceCode.getScope(object), object);
      const definition = variable?.defs[0]?.node;
      if (definition?.type !== AST_NODE_TYPES.VariableDeclarator || definition.init?.type !== AST_NODE_TYPES.NewExpression)
        return undefined;
      const imported = resolveImported(definition.init.callee, imports);
      return imported?.module === 'undici' && UNDICI_DISPATCHERS.has(imported.imported) ? definition.init : undefined;
    };

    const forwardsRequest = (node: TSESTree.Node | undefined): boolean =>
      node !== undefined &&
      (node.type === AST_NODE_TYPES.NewExpression ||
        (node.type === AST_NODE_TYPES.Identifier && /^req(uest)?$/i.test(node.name)) ||
        (node.type === AST_NODE_TYPES.MemberExpression && calleeName(node) === 'raw'));

    return {
      CallExpression(node) {
        const { callee } = node;
        const imported = resolveImported(callee, imports);
        const name = snippet(sourceCode.getText(callee));
        // Front-end code: no server request waits on its calls (a relative URL only works in a browser).
        if (inBrowser || isRelativeUrl(node.arguments[0])) return;
        if (isFetch(callee, imported)) {
          // A Request object (e.g. `c.req.raw` being proxied) carries its own signal.
          if (node.arguments.length === 1 && forwardsRequest(node.arguments[0])) return;
          if (hasKey(node.arguments[1], ['signal']) === 'no' && !isWrapped(node)) {
            context.report({ node, messageId: 'fetchWithoutSignal', data: { name } });
          }
          return;
        }
        if (imported?.module === 'axios' && imported.imported in AXIOS_CONFIG_INDEX && !axiosDefaultsTimeout) {
          const [first, second] = node.arguments;
          // `axios(url, config)` takes the config second, `axios({ url })` first; `axios(x)` may be either.
          const callsDefault = imported.imported === 'default' || imported.imported === '*';
          const options =
            !callsDefault || first?.type === AST_NODE_TYPES.ObjectExpression
              ? node.arguments[AXIOS_CONFIG_INDEX[imported.imported] ?? 0]
              : isStringLike(first)
                ? second
                : first;
          if (hasKey(options, HTTP_CLIENT_TIMEOUT_KEYS) === 'no' && !isWrapped(node)) {
            context.report({ node, messageId: 'httpClientWithoutTimeout', data: { name, library: 'axios' } });
          }
          return;
        }
        if (imported?.module === 'got' && GOT_METHODS.has(imported.imported)) {
          const options =
            imported.imported === 'extend'
              ? node.arguments[0]
              : (node.arguments[1] ?? (node.arguments[0]?.type === AST_NODE_TYPES.ObjectExpression ? node.arguments[0] : undefined));
          if (hasKey(options, HTTP_CLIENT_TIMEOUT_KEYS) === 'no' && !isWrapped(node)) {
            context.report({ node, messageId: 'httpClientWithoutTimeout', data: { name, library: 'got' } });
          }
          return;
        }
        // ky times out after 10 s by default: only `timeout: false` takes that away.
        if (
          imported?.module === 'ky' &&
          disablesTimeout(node.arguments[imported.imported === 'create' || imported.imported === 'extend' ? 0 : 1]) &&
          !isWrapped(node)
        ) {
          context.report({ node, messageId: 'httpClientWithoutTimeout', data: { name, library: 'ky with `timeout: false`' } });
          return;
        }
        if (imported?.module === 'undici' && (imported.imported === 'request' || imported.imported === 'stream')) {
          if (hasKey(node.arguments[1], UNDICI_TIMEOUT_KEYS) === 'no' && !isWrapped(node)) {
            context.report({ node, messageId: 'undiciWithoutTimeout', data: { name } });
          }
          return;
        }
        if (callee.type === AST_NODE_TYPES.MemberExpression && calleeName(callee) === 'request') {
          const dispatcher = undiciDispatcher(callee.object);
          if (!dispatcher || hasKey(dispatcher.arguments[1], UNDICI_TIMEOUT_KEYS) !== 'no') return;
          if (node.arguments.length > 0 && hasKey(node.arguments[0], UNDICI_TIMEOUT_KEYS) === 'no' && !isWrapped(node)) {
            context.report({ node, messageId: 'undiciWithoutTimeout', data: { name } });
          }
        }
      },
      NewExpression(node) {
        if (options.checkPg === false) return;
        const imported = resolveImported(node.callee, imports);
        if (imported?.module !== 'pg' || (imported.imported !== 'Pool' && imported.imported !== 'Client')) return;
        const [config] = node.arguments;
        // A connection string alone cannot carry query_timeout; a config variable might.
        const literal = config === undefined || config.type === AST_NODE_TYPES.ObjectExpression;
        if (literal && hasKey(config, PG_TIMEOUT_KEYS) === 'no') {
          context.report({ node, messageId: 'pgWithoutTimeout', data: { name: `new ${snippet(sourceCode.getText(node.callee))}` } });
        }
      },
    };
  },
});
