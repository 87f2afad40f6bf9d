import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { TSESLint, TSESTree } from '@typescript-eslint/utils';
import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import { SourceCode } from 'eslint';
import { isFunctionNode, type FunctionNode } from './handlers.js';

/** Another file of the project, parsed without types: its AST and a SourceCode for scope lookups. */
export interface ParsedModule {
  path: string;
  sourceCode: TSESLint.SourceCode;
}

type Parser = { parseForESLint: (code: string, options?: unknown) => unknown };
interface ParseResult {
  ast: TSESTree.Program;
  scopeManager: unknown;
  visitorKeys: unknown;
  services?: unknown;
}

/** Parsed modules by path, kept while their mtime does not change (one lint run asks for the same helpers often). */
const parsedModules = new Map<string, { mtimeMs: number; parsed: ParsedModule | undefined }>();

const SOURCE_SUFFIXES = ['', '.ts', '.tsx', '.mts', '.cts', '.js', '.mjs', '.cjs', '/index.ts', '/index.js'];

/** The file a relative specifier names: `./hash.js` may be `hash.ts` on disk (TypeScript's NodeNext style). */
export function resolveRelativeModule(fromFile: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const base = resolve(dirname(fromFile), specifier);
  const stems = [base, base.replace(/\.(m|c)?js$/, '')];
  for (const stem of stems) {
    for (const suffix of SOURCE_SUFFIXES) {
      const candidate = `${stem}${suffix}`;
      if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
    }
  }
  return undefined;
}

/** Parses `path` with the run's parser (without type information); undefined when it does not parse. */
export function parseModule(path: string, parser: Parser | undefined): ParsedModule | undefined {
  if (!parser) return undefined;
  const mtimeMs = statSync(path).mtimeMs;
  const cached = parsedModules.get(path);
  if (cached?.mtimeMs === mtimeMs) return cached.parsed;
  let parsed: ParsedModule | undefined;
  try {
    const text = readFileSync(path, 'utf8');
    const result = parser.parseForESLint(text, {
      ecmaVersion: 'latest',
      sourceType: 'module',
      range: true,
      loc: true,
      tokens: true,
      comment: true,
      filePath: path,
    }) as ParseResult;
    setParents(result.ast, result.visitorKeys as Record<string, readonly string[]>);
    const sourceCode = new SourceCode({
      text,
      ast: result.ast,
      scopeManager: result.scopeManager,
      visitorKeys: result.visitorKeys,
      parserServices: result.services,
    } as never);
    parsed = { path, sourceCode: sourceCode as unknown as TSESLint.SourceCode };
  } catch {
    parsed = undefined;
  }
  parsedModules.set(path, { mtimeMs, parsed });
  return parsed;
}

/** ESLint links each node to its parent while it lints; a module parsed on the side needs that done here. */
function setParents(node: TSESTree.Node, keys: Record<string, readonly string[]>): void {
  for (const key of keys[node.type] ?? []) {
    const child = (node as unknown as Record<string, unknown>)[key];
    for (const item of Array.isArray(child) ? child : [child]) {
      if (item && typeof item === 'object' && 'type' in item) {
        (item as { parent: TSESTree.Node }).parent = node;
        setParents(item as TSESTree.Node, keys);
      }
    }
  }
}

const functionIn = (node: TSESTree.Node | null | undefined): FunctionNode | undefined => (node && isFunctionNode(node) ? node : undefined);

/**
 * The function a module exports as `name` (`default` for a default export): `export function f`,
 * `export const f = () => ...`, `export { f }`, `exports.f = function`, `module.exports = { f }`.
 */
export function exportedFunction(module: ParsedModule, name: string): FunctionNode | undefined {
  const program = module.sourceCode.ast;
  const locals = new Map<string, FunctionNode>();
  for (const statement of program.body) {
    const declaration = statement.type === AST_NODE_TYPES.ExportNamedDeclaration ? statement.declaration : statement;
    if (declaration?.type === AST_NODE_TYPES.FunctionDeclaration && declaration.id) locals.set(declaration.id.name, declaration);
    if (declaration?.type === AST_NODE_TYPES.VariableDeclaration) {
      for (const declarator of declaration.declarations) {
        const fn = functionIn(declarator.init);
        if (fn && declarator.id.type === AST_NODE_TYPES.Identifier) locals.set(declarator.id.name, fn);
      }
    }
  }
  for (const statement of program.body) {
    if (statement.type === AST_NODE_TYPES.ExportDefaultDeclaration && name === 'default') {
      const value = statement.declaration;
      return functionIn(value) ?? (value.type === AST_NODE_TYPES.Identifier ? locals.get(value.name) : undefined);
    }
    if (statement.type === AST_NODE_TYPES.ExportNamedDeclaration) {
      const declaration = statement.declaration;
      if (declaration?.type === AST_NODE_TYPES.FunctionDeclaration && declaration.id?.name === name) return declaration;
      if (
        declaration?.type === AST_NODE_TYPES.VariableDeclaration &&
        locals.has(name) &&
        declaration.declarations.some((declarator) => declarator.id.type === AST_NODE_TYPES.Identifier && declarator.id.name === name)
      )
        return locals.get(name);
      for (const specifier of statement.specifiers) {
        const exported = specifier.exported.type === AST_NODE_TYPES.Identifier ? specifier.exported.name : specifier.exported.value;
        if (exported === name && specifier.local.type === AST_NODE_TYPES.Identifier) return locals.get(specifier.local.name);
      }
    }
    if (statement.type === AST_NODE_TYPES.ExpressionStatement && statement.expression.type === AST_NODE_TYPES.AssignmentExpression) {
      const found = commonJsExport(statement.expression, name, locals);
      if (found) return found;
    }
  }
  return undefined;
}

/** `exports.f = fn`, `module.exports.f = fn`, `module.exports = { f, g: fn }`. */
function commonJsExport(
  assignment: TSESTree.AssignmentExpression,
  name: string,
  locals: Map<string, FunctionNode>,
): FunctionNode | undefined {
  const { left, right } = assignment;
  if (left.type !== AST_NODE_TYPES.MemberExpression || left.computed || left.property.type !== AST_NODE_TYPES.Identifier) return undefined;
  const isModuleExports =
    left.object.type === AST_NODE_TYPES.Identifier && left.object.name === 'module' && left.property.name === 'exports';
  if (isModuleExports && right.type === AST_NODE_TYPES.ObjectExpression) {
    for (const property of right.properties) {
      if (
        property.type !== AST_NODE_TYPES.Property ||
        property.computed ||
        property.key.type !== AST_NODE_TYPES.Identifier ||
        property.key.name !== name
      )
        continue;
      return (
        functionIn(property.value) ?? (property.value.type === AST_NODE_TYPES.Identifier ? locals.get(property.value.name) : undefined)
      );
    }
    return undefined;
  }
  const onExports =
    (left.object.type === AST_NODE_TYPES.Identifier && left.object.name === 'exports') ||
    (left.object.type === AST_NODE_TYPES.MemberExpression &&
      !left.object.computed &&
      left.object.object.type === AST_NODE_TYPES.Identifier &&
      left.object.object.name === 'module' &&
      left.object.property.type === AST_NODE_TYPES.Identifier &&
      left.object.property.name === 'exports');
  if (!onExports || left.property.name !== name) return undefined;
  return functionIn(right) ?? (right.type === AST_NODE_TYPES.Identifier ? locals.get(right.name) : undefined);
}
