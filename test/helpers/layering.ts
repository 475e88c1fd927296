/**
 * The layering rules of ARCHITECTURE.md, checked on the import statements of the source tree:
 * - infrastructure (`db/`, `crypto/`, `jobs/`, `web/`, `client/`) imports no feature and not the feature list;
 * - a feature uses another feature only through that feature's `index.ts`;
 * - no two features depend on each other, directly or round a longer cycle;
 * - only the composition files (`app.ts`, `main.ts`, `cli.ts`) import the feature list (`features/index.ts`);
 * - nothing outside `db/` asks which database engine is in use to behave differently.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Source files by path relative to `src/`, with forward slashes. */
export type SourceTree = ReadonlyMap<string, string>;

export interface Violation {
  file: string;
  rule: 'infrastructure-imports-feature' | 'feature-internals' | 'feature-cycle' | 'feature-list' | 'dialect-branch';
  detail: string;
}

const INFRASTRUCTURE = ['db/', 'crypto/', 'jobs/', 'web/', 'client/'];
const COMPOSITION = new Set(['app.ts', 'main.ts', 'cli.ts', 'feature.ts']);
const FEATURE_LIST = 'features/index.ts';
const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
// Comparing the engine's name, or reaching for the embedded connection (`database.sqlite`, `{ db, sqlite } = …`).
const DIALECT_BRANCH =
  /\bdialect\s*[!=]==|[!=]==\s*['"](?:postgres|sqlite)['"]|\bisPostgres\s*\(|instanceof\s+PostgresAdapter|\.sqlite\b|\{[^}]*\bsqlite\b[^}]*\}\s*=/;

export function readSourceTree(srcDir: string): SourceTree {
  const files = new Map<string, string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name))
        files.set(path.relative(srcDir, full).split(path.sep).join('/'), readFileSync(full, 'utf8'));
    }
  };
  walk(srcDir);
  return files;
}

/** The files `file` imports, as paths relative to `src/` (package imports left out). */
export function importsOf(file: string, source: string): string[] {
  const targets: string[] = [];
  for (const match of source.matchAll(IMPORT)) {
    const specifier = match[1] ?? match[2]!;
    if (specifier.startsWith('.')) targets.push(path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier)));
  }
  return targets;
}

/** `features/<name>/…` → name; anything else → undefined. */
function featureOf(file: string): string | undefined {
  const match = /^features\/([^/]+)\//.exec(file);
  return match ? match[1] : undefined;
}

export function findLayeringViolations(tree: SourceTree): Violation[] {
  const violations: Violation[] = [];
  const dependsOn = new Map<string, Set<string>>();
  for (const [file, source] of tree) {
    const own = featureOf(file);
    for (const target of importsOf(file, source)) {
      const other = featureOf(target);
      if (target === FEATURE_LIST && !COMPOSITION.has(file)) {
        violations.push({ file, rule: 'feature-list', detail: `imports ${target}: only app.ts, main.ts and cli.ts iterate over the features` });
      }
      if (INFRASTRUCTURE.some((dir) => file.startsWith(dir)) && (other !== undefined || target === 'feature.ts')) {
        violations.push({ file, rule: 'infrastructure-imports-feature', detail: `imports ${target}` });
      }
      if (own !== undefined && other !== undefined && other !== own) {
        if (target !== `features/${other}/index.ts`)
          violations.push({ file, rule: 'feature-internals', detail: `imports ${target}: use features/${other}/index.ts` });
        if (!dependsOn.has(own)) dependsOn.set(own, new Set());
        dependsOn.get(own)!.add(other);
      }
    }
    if (!file.startsWith('db/') && DIALECT_BRANCH.test(source)) {
      violations.push({
        file,
        rule: 'dialect-branch',
        detail: 'behaves differently per database engine: ask a capability of the DatabaseHandle (db/database.ts)',
      });
    }
  }
  for (const cycle of findCycles(dependsOn)) {
    violations.push({ file: `features/${cycle[0]}/`, rule: 'feature-cycle', detail: `features depend on each other: ${cycle.join(' → ')}` });
  }
  return violations;
}

/** Each cycle of the feature graph once, as the path round it (first feature repeated at the end). */
function findCycles(graph: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  const cycles: string[][] = [];
  const seen = new Set<string>();
  const visit = (node: string, stack: string[]) => {
    const at = stack.indexOf(node);
    if (at >= 0) {
      const cycle = stack.slice(at);
      const key = [...cycle].sort().join(',');
      if (!seen.has(key)) {
        seen.add(key);
        cycles.push([...cycle, node]);
      }
      return;
    }
    for (const next of graph.get(node) ?? []) visit(next, [...stack, node]);
  };
  for (const node of graph.keys()) visit(node, []);
  return cycles;
}
