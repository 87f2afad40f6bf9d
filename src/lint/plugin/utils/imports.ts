import type { TSESTree } from '@typescript-eslint/utils';
import { AST_NODE_TYPES } from '@typescript-eslint/utils';

/** What a local name is bound to: `imported` is an export name, `default`, or `*` for a namespace. */
export interface ImportBinding {
  module: string;
  imported: string;
}

/** `node:fs` and `fs` are the same module. */
export const moduleName = (source: string): string => source.replace(/^node:/, '');

/**
 * Local names bound by `import` and by top-level `require()` declarations, with where they come
 * from: rules match `new Pool` only when `Pool` really is undici's or pg's.
 */
export function collectImports(program: TSESTree.Program): Map<string, ImportBinding> {
  const bindings = new Map<string, ImportBinding>();
  for (const statement of program.body) {
    if (statement.type === AST_NODE_TYPES.ImportDeclaration) {
      const module = moduleName(statement.source.value);
      for (const specifier of statement.specifiers) {
        if (specifier.type === AST_NODE_TYPES.ImportDefaultSpecifier) {
          bindings.set(specifier.local.name, { module, imported: 'default' });
        } else if (specifier.type === AST_NODE_TYPES.ImportNamespaceSpecifier) {
          bindings.set(specifier.local.name, { module, imported: '*' });
        } else {
          const imported = specifier.imported.type === AST_NODE_TYPES.Identifier ? specifier.imported.name : specifier.imported.value;
          bindings.set(specifier.local.name, { module, imported });
        }
      }
    } else if (statement.type === AST_NODE_TYPES.VariableDeclaration) {
      for (const declarator of statement.declarations) addRequire(declarator, bindings);
    }
  }
  return bindings;
}

function addRequire(declarator: TSESTree.VariableDeclarator, bindings: Map<string, ImportBinding>): void {
  const module = requiredModule(declarator.init);
  if (module === undefined) return;
  if (declarator.id.type === AST_NODE_TYPES.Identifier) {
    bindings.set(declarator.id.name, { module, imported: '*' });
  } else if (declarator.id.type === AST_NODE_TYPES.ObjectPattern) {
    for (const property of declarator.id.properties) {
      if (property.type !== AST_NODE_TYPES.Property || property.key.type !== AST_NODE_TYPES.Identifier) continue;
      if (property.value.type === AST_NODE_TYPES.Identifier) bindings.set(property.value.name, { module, imported: property.key.name });
    }
  }
}

function requiredModule(init: TSESTree.Expression | null): string | undefined {
  if (
    init?.type === AST_NODE_TYPES.CallExpression &&
    init.callee.type === AST_NODE_TYPES.Identifier &&
    init.callee.name === 'require' &&
    init.arguments[0]?.type === AST_NODE_TYPES.Literal &&
    typeof init.arguments[0].value === 'string'
  ) {
    return moduleName(init.arguments[0].value);
  }
  return undefined;
}

/**
 * The module and export a callee refers to: `Pool` (named import), `pg.Pool` (default or
 * namespace import), or undefined when the name is not imported in this file.
 */
export function resolveImported(callee: TSESTree.Node, imports: Map<string, ImportBinding>): ImportBinding | undefined {
  if (callee.type === AST_NODE_TYPES.Identifier) return imports.get(callee.name);
  if (
    callee.type === AST_NODE_TYPES.MemberExpression &&
    !callee.computed &&
    callee.object.type === AST_NODE_TYPES.Identifier &&
    callee.property.type === AST_NODE_TYPES.Identifier
  ) {
    const object = imports.get(callee.object.name);
    if (object && (object.imported === '*' || object.imported === 'default')) {
      return { module: object.module, imported: callee.property.name };
    }
  }
  return undefined;
}

/** The last name of a callee: `fetch`, `request` of `pool.request`, `query` of `a.b.query`. */
export function calleeName(callee: TSESTree.Node): string | undefined {
  if (callee.type === AST_NODE_TYPES.Identifier) return callee.name;
  if (callee.type === AST_NODE_TYPES.MemberExpression && !callee.computed && callee.property.type === AST_NODE_TYPES.Identifier) {
    return callee.property.name;
  }
  return undefined;
}
