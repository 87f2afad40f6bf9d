import type { TSESLint, TSESTree } from '@typescript-eslint/utils';
import { AST_NODE_TYPES, ASTUtils, ESLintUtils } from '@typescript-eslint/utils';
import { createRule } from '../create-rule.js';
import { findRequestFunctions, isFunctionNode, type FunctionNode } from '../utils/handlers.js';
import { snippet } from '../utils/snippet.js';

export interface PropagateDeadlineOptions {
  /** The name of the request's deadline: `c.var.deadline` or `c.env.deadline` by default. */
  deadlineVariable?: string;
}

/** What a signal expression is, as far as this file tells. */
type SignalOrigin = 'request' | 'timeout' | 'module' | 'unknown';

const isMember = (node: TSESTree.Node, object: string, property: string): boolean =>
  node.type === AST_NODE_TYPES.MemberExpression &&
  !node.computed &&
  node.object.type === AST_NODE_TYPES.Identifier &&
  node.object.name === object &&
  node.property.type === AST_NODE_TYPES.Identifier &&
  node.property.name === property;

export const propagateDeadline = createRule<[PropagateDeadlineOptions], 'unrelatedSignal' | 'combineSignals'>({
  name: 'propagate-deadline',
  meta: {
    type: 'problem',
    hasSuggestions: true,
    docs: {
      description: "Require outbound calls in a handler to use a signal derived from the request's deadline",
      recommended: true,
    },
    messages: {
      unrelatedSignal:
        "This `signal` ({{source}}) is {{what}}, unrelated to the request. The call goes on after the request's deadline has passed or its client has gone, holding a socket or a pool slot for an answer nobody reads. Combine them: `AbortSignal.any([{{deadline}}, {{source}}])`.",
      combineSignals: "Combine it with the request's deadline: `AbortSignal.any([{{deadline}}, ...])`.",
    },
    schema: [
      {
        type: 'object',
        properties: { deadlineVariable: { type: 'string', minLength: 1 } },
        additionalProperties: false,
      },
    ],
  },
  defaultOptions: [{ deadlineVariable: 'deadline' }],
  create(context, [options]) {
    const sourceCode = context.sourceCode;
    const variable = options.deadlineVariable ?? 'deadline';
    const escaped = variable.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    // A request's own signals: the deadline (`c.var.deadline`, `c.env.deadline`, `c.get('deadline')`) and the client's (`c.req.raw.signal`, `req.signal`).
    const fromRequest = new RegExp(
      `\\.(var|env)\\.${escaped}\\b|\\.get\\(\\s*['"\`]${escaped}['"\`]\\s*\\)|\\.req\\.raw\\.signal\\b|\\breq(uest)?\\.signal\\b`,
    );
    // Handlers see a deadline when the file reads it somewhere, or (typed tier) when a handler's context type has it.
    const fileReadsDeadline = new RegExp(`\\.(var|env)\\.${escaped}\\b|\\.get\\(\\s*['"\`]${escaped}['"\`]\\s*\\)`).test(sourceCode.text);
    const services = ESLintUtils.getParserServices(context, true);
    // Where the file reads the deadline from: Hono's context variables (`c.var`) or the server's bindings (`c.env`).
    const fileHolder = new RegExp(`\\.env\\.${escaped}\\b`).test(sourceCode.text) ? 'env' : 'var';
    /** Where a handler's context holds the deadline, or undefined when it has none. */
    const deadlineHolder = (handler: FunctionNode): 'var' | 'env' | undefined => {
      if (fileReadsDeadline) return fileHolder;
      const first = handler.params[0];
      if (!services.program || first?.type !== AST_NODE_TYPES.Identifier) return undefined;
      const checker = services.program.getTypeChecker();
      const contextType = checker.getTypeAtLocation(services.esTreeNodeToTSNodeMap.get(first));
      return (['var', 'env'] as const).find((holder) => {
        const symbol = contextType.getProperty(holder);
        return symbol !== undefined && checker.getNonNullableType(checker.getTypeOfSymbol(symbol)).getProperty(variable) !== undefined;
      });
    };
    if (!fileReadsDeadline && !services.program) return {};

    const isModuleLevel = (identifier: TSESTree.Identifier): TSESTree.VariableDeclarator | undefined => {
      const found = ASTUtils.findVariable(sourceCode.getScope(identifier), identifier);
      const definition = found?.defs[0]?.node;
      if (found?.scope.type !== 'module' && found?.scope.type !== 'global') return undefined;
      return definition?.type === AST_NODE_TYPES.VariableDeclarator ? definition : undefined;
    };

    /** Where a signal comes from: the request, a timeout of its own, a module-level controller, or unknown. */
    const originOf = (node: TSESTree.Node, depth = 0): SignalOrigin => {
      if (depth > 4) return 'unknown';
      if (fromRequest.test(sourceCode.getText(node))) return 'request';
      if (node.type === AST_NODE_TYPES.CallExpression && isMember(node.callee, 'AbortSignal', 'timeout')) return 'timeout';
      if (node.type === AST_NODE_TYPES.CallExpression && isMember(node.callee, 'AbortSignal', 'any')) {
        const [list] = node.arguments;
        if (list?.type !== AST_NODE_TYPES.ArrayExpression) return 'unknown';
        const origins = list.elements.map((element) =>
          element && element.type !== AST_NODE_TYPES.SpreadElement ? originOf(element, depth + 1) : 'unknown',
        );
        if (origins.includes('request')) return 'request';
        if (origins.includes('unknown')) return 'unknown';
        return origins.includes('module') ? 'module' : 'timeout';
      }
      // `controller.signal` of a controller made at module level outlives every request.
      if (
        node.type === AST_NODE_TYPES.MemberExpression &&
        !node.computed &&
        node.property.type === AST_NODE_TYPES.Identifier &&
        node.property.name === 'signal' &&
        node.object.type === AST_NODE_TYPES.Identifier
      ) {
        const declarator = isModuleLevel(node.object);
        if (
          declarator?.init?.type === AST_NODE_TYPES.NewExpression &&
          declarator.init.callee.type === AST_NODE_TYPES.Identifier &&
          declarator.init.callee.name === 'AbortController'
        )
          return 'module';
        return 'unknown';
      }
      if (node.type === AST_NODE_TYPES.Identifier) {
        const found = ASTUtils.findVariable(sourceCode.getScope(node), node);
        const definition = found?.defs[0];
        if (!found || found.defs.length !== 1 || definition?.node.type !== AST_NODE_TYPES.VariableDeclarator) return 'unknown';
        const declarator = definition.node;
        // `const { signal } = c.var.deadline` or `const signal = ...`; a `let` may be reassigned.
        if (declarator.parent.kind !== 'const' || !declarator.init) return 'unknown';
        if (declarator.id.type === AST_NODE_TYPES.ObjectPattern)
          return fromRequest.test(`${sourceCode.getText(declarator.init)}.signal`) || fromRequest.test(sourceCode.getText(declarator.init))
            ? 'request'
            : 'unknown';
        const origin = originOf(declarator.init, depth + 1);
        return origin === 'timeout' && found.scope.type === 'module' ? 'module' : origin;
      }
      return 'unknown';
    };

    const checked = new Map<FunctionNode, 'var' | 'env' | undefined>();
    const check = (call: TSESTree.CallExpression, handler: FunctionNode): void => {
      if (!checked.has(handler)) checked.set(handler, deadlineHolder(handler));
      const holder = checked.get(handler);
      if (!holder) return;
      const first = handler.params[0];
      // The suggestion names the context only when this function has it: a first parameter `c` (or `ctx`,
      // `context`), or one it reads `.var` or `.get(...)` of. A helper's first parameter is something else.
      const contextName =
        first?.type === AST_NODE_TYPES.Identifier &&
        (/^(c|ctx|context)$/.test(first.name) || new RegExp(`\\b${first.name}\\.(var|env|get)\\b`).test(sourceCode.getText(handler)))
          ? first.name
          : undefined;
      const deadline = `${contextName ?? 'c'}.${holder}.${variable}.signal`;
      for (const argument of call.arguments) {
        let value: TSESTree.Node | undefined;
        if (argument.type === AST_NODE_TYPES.ObjectExpression) {
          // Spread options may carry the request's signal (or override this one): opaque.
          if (argument.properties.some((property) => property.type === AST_NODE_TYPES.SpreadElement)) continue;
          const property = argument.properties.find(
            (candidate): candidate is TSESTree.Property =>
              candidate.type === AST_NODE_TYPES.Property &&
              !candidate.computed &&
              candidate.key.type === AST_NODE_TYPES.Identifier &&
              candidate.key.name === 'signal',
          );
          value = property?.value;
        } else if (argument.type === AST_NODE_TYPES.CallExpression && isMember(argument.callee, 'AbortSignal', 'timeout')) {
          value = argument; // a signal passed as an argument of its own: `db.query(sql, [], AbortSignal.timeout(500))`
        }
        if (!value) continue;
        const origin = originOf(value);
        if (origin !== 'timeout' && origin !== 'module') continue;
        const source = snippet(sourceCode.getText(value), 50);
        const fixable = contextName !== undefined;
        const isShorthand = value.parent?.type === AST_NODE_TYPES.Property && value.parent.shorthand;
        context.report({
          node: value,
          messageId: 'unrelatedSignal',
          data: { source, what: origin === 'timeout' ? 'a timeout of its own' : 'a module-level signal', deadline },
          suggest: fixable
            ? [
                {
                  messageId: 'combineSignals',
                  data: { deadline },
                  fix: (fixer: TSESLint.RuleFixer) =>
                    isShorthand
                      ? fixer.replaceText(value.parent!, `signal: AbortSignal.any([${deadline}, ${sourceCode.getText(value)}])`)
                      : fixer.replaceText(value, `AbortSignal.any([${deadline}, ${sourceCode.getText(value)}])`),
                },
              ]
            : [],
        });
      }
    };

    return {
      'Program:exit'(program) {
        const handlers = findRequestFunctions(program, sourceCode);
        if (handlers.size === 0) return;
        const visit = (node: TSESTree.Node, handler: FunctionNode | undefined): void => {
          const current = isFunctionNode(node) && handlers.has(node) ? node : handler;
          if (node.type === AST_NODE_TYPES.CallExpression && current) check(node, current);
          for (const key of sourceCode.visitorKeys[node.type] ?? []) {
            const child = (node as unknown as Record<string, unknown>)[key];
            for (const item of Array.isArray(child) ? child : [child]) {
              if (item && typeof item === 'object' && 'type' in item) visit(item as TSESTree.Node, current);
            }
          }
        };
        visit(program, undefined);
      },
    };
  },
});
