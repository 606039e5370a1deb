import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../src', import.meta.url));

/**
 * The modules a file loads when it runs: static imports and re-exports that
 * are not type-only (TypeScript drops those), resolved to files for relative
 * specifiers and kept as package names otherwise. Dynamic import() is left
 * out: it loads only when its branch runs.
 */
function runtimeImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
  const specifiers: string[] = [];
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement)) {
      const clause = statement.importClause;
      const typeOnly = clause?.phaseModifier === ts.SyntaxKind.TypeKeyword || (clause !== undefined && !clause.name && clause.namedBindings !== undefined && ts.isNamedImports(clause.namedBindings) && clause.namedBindings.elements.every((e) => e.isTypeOnly));
      if (!typeOnly) specifiers.push((statement.moduleSpecifier as ts.StringLiteral).text);
    } else if (ts.isExportDeclaration(statement) && statement.moduleSpecifier && !statement.isTypeOnly) {
      specifiers.push((statement.moduleSpecifier as ts.StringLiteral).text);
    }
  }
  return specifiers.map((s) => (s.startsWith('.') ? resolve(dirname(file), s.replace(/\.js$/, '.ts')) : s));
}

function loadedBy(entry: string): Set<string> {
  const seen = new Set<string>();
  const queue = [entry];
  for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    if (file.endsWith('.ts')) queue.push(...runtimeImports(file));
  }
  return seen;
}

describe('what the controller loads at run time', () => {
  it('talks to the API server and Prometheus through the clients the design names: @kubernetes/client-node and prometheus-query', () => {
    const loaded = loadedBy(join(SRC, 'main.ts'));
    expect(loaded.size).toBeGreaterThan(50);
    expect(loaded).toContain('@kubernetes/client-node');
    expect(loaded).toContain('prometheus-query');
  });

  it('the kubectl plugin uses the same cluster connection', () => {
    const loaded = loadedBy(join(SRC, 'cli', 'main.ts'));
    expect(loaded).toContain('@kubernetes/client-node');
    expect(loaded).toContain(join(SRC, 'kube', 'client.ts'));
  });
});
