import type { TSESLint, TSESTree } from '@typescript-eslint/utils';
import { AST_NODE_TYPES, ASTUtils } from '@typescript-eslint/utils';

export type FunctionNode = TSESTree.ArrowFunctionExpression | TSESTree.FunctionDeclaration | TSESTree.FunctionExpression;

/** Route methods of Hono, Express, Koa and Fastify routers whose function arguments run per request. */
const ROUTE_METHODS = new Set(['get', 'post', 'put', 'delete', 'del', 'patch', 'all', 'options', 'head', 'use', 'on']);
/** Types that describe a handler or middleware (Hono, Express, Fastify, Koa). */
const HANDLER_TYPES = new Set([
  'Handler',
  'MiddlewareHandler',
  'ErrorHandler',
  'NotFoundHandler',
  'RequestHandler',
  'RouteHandler',
  'RouteHandlerMethod',
  'Middleware',
  'ErrorRequestHandler',
]);
/** Types of a handler's first parameter: Hono's `Context`, Fastify's request, Koa's context. */
const REQUEST_TYPES = new Set(['Context', 'FastifyRequest', 'ParameterizedContext', 'RouterContext', 'KoaContext']);
/** Receivers whose string-keyed methods are routes even when the key is no path (Koa: `router.post('users.list', auth(), fn)`). */
const ROUTER_NAME = /^(app|api|router|routes?|server|fastify|instance|[a-z]+Router)$/;
/** Options of `fastify.route({ handler })` and route shorthands whose values run per request. */
const ROUTE_OPTION_HOOKS = new Set(['handler', 'preHandler', 'onRequest', 'preValidation', 'preParsing', 'preSerialization', 'onSend']);
/** NestJS decorators of controller and gateway methods that serve a request or a message. */
const NEST_HANDLER_DECORATORS = new Set([
  'Get',
  'Post',
  'Put',
  'Delete',
  'Patch',
  'All',
  'Options',
  'Head',
  'Sse',
  'SubscribeMessage',
  'MessagePattern',
  'EventPattern',
]);
const FACTORY_CALLS = new Set(['createMiddleware', 'createHandlers']);

export function isFunctionNode(node: TSESTree.Node): node is FunctionNode {
  return (
    node.type === AST_NODE_TYPES.ArrowFunctionExpression ||
    node.type === AST_NODE_TYPES.FunctionDeclaration ||
    node.type === AST_NODE_TYPES.FunctionExpression
  );
}

/** A route path: `'/users/:id'`, `'*'`, a template starting with `/`, or a list of them (`cache.get('key', fn)` is not one). */
const isPathLike = (node: TSESTree.Node | undefined): boolean => {
  if (node === undefined) return false;
  if (node.type === AST_NODE_TYPES.Literal) return typeof node.value === 'string' && /^[/*]/.test(node.value);
  if (node.type === AST_NODE_TYPES.TemplateLiteral) return /^[/*]/.test(node.quasis[0]?.value.cooked ?? '');
  return node.type === AST_NODE_TYPES.ArrayExpression;
};
const isMethodLike = (node: TSESTree.Node | undefined): boolean =>
  node !== undefined &&
  ((node.type === AST_NODE_TYPES.Literal && typeof node.value === 'string' && /^[A-Za-z]+$/.test(node.value)) ||
    node.type === AST_NODE_TYPES.ArrayExpression);

/** The last name of a receiver: `router` in `router.post`, `socket` in `this.socket.on`. */
const receiverName = (node: TSESTree.Node): string | undefined =>
  node.type === AST_NODE_TYPES.Identifier
    ? node.name
    : node.type === AST_NODE_TYPES.MemberExpression && !node.computed && node.property.type === AST_NODE_TYPES.Identifier
      ? node.property.name
      : undefined;

/** The function values of `{ handler, preHandler }` in route options (`fastify.route({ handler })`). */
function routeOptionHandlers(options: TSESTree.Node | undefined): TSESTree.Node[] {
  if (options?.type !== AST_NODE_TYPES.ObjectExpression) return [];
  return options.properties.flatMap((property): TSESTree.Node[] =>
    property.type === AST_NODE_TYPES.Property &&
    !property.computed &&
    property.key.type === AST_NODE_TYPES.Identifier &&
    ROUTE_OPTION_HOOKS.has(property.key.name)
      ? property.value.type === AST_NODE_TYPES.ArrayExpression
        ? property.value.elements.filter((element) => element !== null)
        : [property.value]
      : [],
  );
}

/**
 * Which arguments of a call are handlers: `app.get('/x', fn)`, `app.use(fn)`, `app.on('GET', '/x', fn)`,
 * `router.post('users.list', auth(), fn)` (Koa), `fastify.route({ handler })`, `socket.on('event', fn)`.
 */
function handlerArguments(call: TSESTree.CallExpression): TSESTree.Node[] {
  const { callee } = call;
  if (callee.type === AST_NODE_TYPES.Identifier && FACTORY_CALLS.has(callee.name)) return call.arguments;
  if (callee.type !== AST_NODE_TYPES.MemberExpression || callee.computed || callee.property.type !== AST_NODE_TYPES.Identifier) return [];
  const method = callee.property.name;
  if (FACTORY_CALLS.has(method)) return call.arguments;
  const receiver = receiverName(callee.object) ?? '';
  if (method === 'route' && ROUTER_NAME.test(receiver)) return routeOptionHandlers(call.arguments[0]);
  if (!ROUTE_METHODS.has(method)) return [];
  const [first, second] = call.arguments;
  if (method === 'on') {
    // A socket's events run per message, as a request does; other emitters' listeners do not.
    if (/^(socket|client)$|Socket$/.test(receiver) && first?.type === AST_NODE_TYPES.Literal) return call.arguments.slice(1);
    // `emitter.on('event', fn)` is not a route: Hono's `on` takes a method and a path first.
    return isMethodLike(first) && isPathLike(second) ? call.arguments.slice(2) : [];
  }
  // `md.use(plugin)` (markdown-it, chai...) registers no middleware: without a path, only a router's `use` counts.
  if (method === 'use') return isPathLike(first) ? call.arguments.slice(1) : ROUTER_NAME.test(receiver) ? call.arguments : [];
  const keyed = first?.type === AST_NODE_TYPES.Literal && typeof first.value === 'string' && ROUTER_NAME.test(receiver);
  if (!isPathLike(first) && !keyed) return [];
  return call.arguments.slice(1).flatMap((argument) => [argument, ...routeOptionHandlers(argument)]);
}

function typeName(annotation: TSESTree.TypeNode | undefined): string | undefined {
  if (annotation?.type !== AST_NODE_TYPES.TSTypeReference) return undefined;
  const name = annotation.typeName;
  if (name.type === AST_NODE_TYPES.Identifier) return name.name;
  if (name.type === AST_NODE_TYPES.TSQualifiedName) return name.right.name;
  return undefined;
}

/**
 * `(c: Context) => ...` (Hono), `(request: FastifyRequest, reply) => ...` (Fastify),
 * `(req, res) => ...` (Node, Express), `(request, reply)` (Fastify) or `(ctx, next)` (Koa).
 */
function looksLikeHandler(fn: FunctionNode): boolean {
  const [first, second] = fn.params;
  if (first?.type !== AST_NODE_TYPES.Identifier) return false;
  const firstType = typeName(first.typeAnnotation?.typeAnnotation);
  if (firstType !== undefined && REQUEST_TYPES.has(firstType)) return true;
  return (
    second?.type === AST_NODE_TYPES.Identifier &&
    ((/^req(uest)?$/.test(first.name) && /^(res(ponse)?|reply)$/.test(second.name)) || (first.name === 'ctx' && second.name === 'next'))
  );
}

/**
 * A method of a NestJS controller or gateway (`@Get(':id') findOne(...)`), or of a Koa controller
 * class: `async list(ctx) { ... }`, one parameter named `ctx`.
 */
function isControllerMethod(fn: FunctionNode): boolean {
  const method = fn.parent;
  if (method?.type !== AST_NODE_TYPES.MethodDefinition) return false;
  const [first, ...rest] = fn.params;
  if (rest.length === 0 && first?.type === AST_NODE_TYPES.Identifier && first.name === 'ctx') return true;
  return method.decorators.some((decorator) => {
    const expression = decorator.expression.type === AST_NODE_TYPES.CallExpression ? decorator.expression.callee : decorator.expression;
    return expression.type === AST_NODE_TYPES.Identifier && NEST_HANDLER_DECORATORS.has(expression.name);
  });
}

/** A function typed as a handler: `const h: MiddlewareHandler = ...` or returned from `(): MiddlewareHandler => ...`. */
function isTypedAsHandler(fn: FunctionNode): boolean {
  const parent = fn.parent;
  if (parent?.type === AST_NODE_TYPES.VariableDeclarator && parent.id.type === AST_NODE_TYPES.Identifier) {
    const name = typeName(parent.id.typeAnnotation?.typeAnnotation);
    if (name && HANDLER_TYPES.has(name)) return true;
  }
  let returned: TSESTree.Node | undefined;
  if (parent?.type === AST_NODE_TYPES.ReturnStatement) {
    let node: TSESTree.Node | undefined = parent.parent;
    while (node && !isFunctionNode(node)) node = node.parent;
    returned = node;
  } else if (parent?.type === AST_NODE_TYPES.ArrowFunctionExpression && parent.body === fn) {
    returned = parent;
  }
  if (returned && isFunctionNode(returned)) {
    const name = typeName(returned.returnType?.typeAnnotation);
    return name !== undefined && HANDLER_TYPES.has(name);
  }
  return false;
}

/** The function a name refers to, when it is defined in this file (`function f` or `const f = () => ...`). */
function functionOf(name: TSESTree.Identifier, sourceCode: TSESLint.SourceCode): FunctionNode | undefined {
  const variable = ASTUtils.findVariable(sourceCode.getScope(name), name);
  const definition = variable?.defs[0];
  if (!definition) return undefined;
  const node = definition.node;
  if (node.type === AST_NODE_TYPES.FunctionDeclaration) return node;
  if (node.type === AST_NODE_TYPES.VariableDeclarator && node.init && isFunctionNode(node.init)) return node.init;
  return undefined;
}

function walk(node: TSESTree.Node, keys: TSESLint.SourceCode.VisitorKeys, visit: (node: TSESTree.Node) => void): void {
  visit(node);
  for (const key of keys[node.type] ?? []) {
    const child = (node as unknown as Record<string, unknown>)[key];
    if (Array.isArray(child)) {
      for (const item of child) if (item && typeof item === 'object' && 'type' in item) walk(item as TSESTree.Node, keys, visit);
    } else if (child && typeof child === 'object' && 'type' in child) {
      walk(child as TSESTree.Node, keys, visit);
    }
  }
}

/**
 * Every function of the file that runs per request: route handlers and middleware, functions
 * typed as handlers, and the same-file functions they call (transitively).
 */
export function findRequestFunctions(program: TSESTree.Program, sourceCode: TSESLint.SourceCode): Set<FunctionNode> {
  const handlers = new Set<FunctionNode>();
  const queue: FunctionNode[] = [];
  const add = (fn: FunctionNode | undefined): void => {
    if (fn && !handlers.has(fn)) {
      handlers.add(fn);
      queue.push(fn);
    }
  };
  walk(program, sourceCode.visitorKeys, (node) => {
    if (node.type === AST_NODE_TYPES.CallExpression) {
      for (const argument of handlerArguments(node)) {
        if (isFunctionNode(argument)) add(argument);
        else if (argument.type === AST_NODE_TYPES.Identifier) add(functionOf(argument, sourceCode));
      }
    } else if (isFunctionNode(node) && (looksLikeHandler(node) || isTypedAsHandler(node) || isControllerMethod(node))) {
      add(node);
    }
  });
  while (queue.length > 0) {
    const fn = queue.pop()!;
    walk(fn.body, sourceCode.visitorKeys, (node) => {
      if (node.type === AST_NODE_TYPES.CallExpression && node.callee.type === AST_NODE_TYPES.Identifier) {
        add(functionOf(node.callee, sourceCode));
      }
    });
  }
  return handlers;
}

/** Whether `node` sits inside one of `functions` (at any depth: a callback in a handler runs per request too). */
export function isInside(node: TSESTree.Node, functions: Set<FunctionNode>): boolean {
  for (let current = node.parent; current; current = current.parent) {
    if (isFunctionNode(current) && functions.has(current)) return true;
  }
  return false;
}
