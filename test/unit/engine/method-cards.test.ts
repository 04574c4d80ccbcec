/**
 * Method cards stay light: the registry and every card reach, through their runtime imports, only
 * zod, src-shared and other card-level modules, never tfjs or a method's model code (which cards
 * load lazily with `import()`). Services, the CLI and Electron main import the registry.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '..', '..', '..');
const REGISTRY = join(root, 'src-main/engine/methods/registry.ts');

/** Every module specifier a file names: static imports and re-exports (types too) and import() calls. */
function allImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const out: string[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) out.push((node.moduleSpecifier as ts.StringLiteral).text);
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && ts.isStringLiteral(node.arguments[0]!)) out.push(node.arguments[0].text);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const path = join(dir, f);
    return statSync(path).isDirectory() ? filesUnder(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** Static runtime imports of a module (type-only imports and dynamic import() are left out). */
function runtimeImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const out: string[] = [];
  for (const node of source.statements) {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      if (clause?.isTypeOnly) continue;
      const named = clause?.namedBindings;
      const onlyTypes = clause && !clause.name && named && ts.isNamedImports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly);
      if (!onlyTypes) out.push((node.moduleSpecifier as ts.StringLiteral).text);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && !node.isTypeOnly) {
      out.push((node.moduleSpecifier as ts.StringLiteral).text);
    }
  }
  return out;
}

function resolveLocal(from: string, spec: string): string {
  const base = resolve(dirname(from), spec);
  for (const f of [`${base}.ts`, join(base, 'index.ts')]) if (existsSync(f)) return f;
  throw new Error(`cannot resolve ${spec} from ${relative(root, from)}`);
}

/** Every module reached from `entry`, with the chain that reaches it; what breaks the rule, named. */
function violations(entry: string, allowedPackages: string[]): string[] {
  const seen = new Map<string, string[]>([[entry, [relative(root, entry)]]]);
  const queue = [entry];
  const bad: string[] = [];
  while (queue.length > 0) {
    const file = queue.shift()!;
    const chain = seen.get(file)!;
    for (const spec of runtimeImports(file)) {
      if (!spec.startsWith('.')) {
        if (!allowedPackages.includes(spec)) bad.push(`${[...chain, spec].join(' → ')}`);
        continue;
      }
      const target = resolveLocal(file, spec);
      const rel = relative(root, target);
      if (!rel.startsWith('src-shared/') && !rel.startsWith('src-main/engine/methods/')) bad.push(`${[...chain, rel].join(' → ')}`);
      if (!seen.has(target)) {
        seen.set(target, [...chain, rel]);
        queue.push(target);
      }
    }
  }
  return bad;
}

describe('method cards', () => {
  it('the registry and every card import, at runtime, only zod, src-shared and card-level modules', () => {
    expect(violations(REGISTRY, ['zod'])).toEqual([]);
  });

  it("no method's folder imports from another method's folder: shared code lives in engine/nn, engine/data and methods/*.ts", () => {
    const methodsDir = join(root, 'src-main/engine/methods');
    const folders = readdirSync(methodsDir).filter((f) => statSync(join(methodsDir, f)).isDirectory());
    const crossing = folders.flatMap((folder) =>
      filesUnder(join(methodsDir, folder)).flatMap((file) =>
        allImports(file)
          .filter((spec) => spec.startsWith('.'))
          .map((spec) => relative(methodsDir, resolve(dirname(file), spec)).split(/[\\/]/))
          .filter((parts) => parts.length > 1 && folders.includes(parts[0]!) && parts[0] !== folder)
          .map((parts) => `${relative(root, file)} imports methods/${parts.join('/')}`),
      ),
    );
    expect(crossing).toEqual([]);
  });

  it('the check names the chain that reaches a forbidden module', () => {
    // The HRLF model file is what its cards load lazily; imported statically it would break the rule.
    const model = join(root, 'src-main/engine/methods/hrlf/method.ts');
    const found = violations(model, ['zod']);
    expect(found.some((v) => v.includes('@tensorflow/tfjs-core'))).toBe(true);
    expect(found[0]).toMatch(/^src-main\/engine\/methods\/hrlf\/method\.ts → /);
  });
});
