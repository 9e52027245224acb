// Lists the functions in src/ longer than a limit (default 80 lines), longest
// first, with the TypeScript compiler's own parse (so arrow functions, methods
// and nested closures count, and a brace in a string does not).
// Usage: node test/tools/long-functions.ts [max-lines] [dir]
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

export interface LongFunction {
  file: string;
  name: string;
  line: number;
  lines: number;
}

export function longFunctions(root: string, maxLines: number): LongFunction[] {
  const found: LongFunction[] = [];
  for (const file of tsFiles(root)) {
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node): void => {
      if (ts.isFunctionLike(node) && 'body' in node && node.body) {
        const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
        const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
        const lines = end - start + 1;
        if (lines > maxLines) found.push({ file: relative(process.cwd(), file), name: nameOf(node), line: start + 1, lines });
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return found.sort((a, b) => b.lines - a.lines);
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((entry) => {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) return tsFiles(path);
      return path.endsWith('.ts') && !path.endsWith('.d.ts') ? [path] : [];
    });
}

/** The declared name, or the name it is assigned to (`const f = () => ...`, `x: () => ...`). */
function nameOf(node: ts.SignatureDeclaration): string {
  if (node.name) return node.name.getText();
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  const parent = node.parent;
  if ((ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) && parent.name) {
    return parent.name.getText();
  }
  return '(anonymous)';
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const max = Number(process.argv[2] ?? 80);
  const list = longFunctions(process.argv[3] ?? 'src', max);
  for (const f of list) console.log(`${String(f.lines).padStart(4)}  ${f.file}:${f.line}  ${f.name}`);
  if (list.length === 0) console.log(`No function is longer than ${max} lines.`);
}
