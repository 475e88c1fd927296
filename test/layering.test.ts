/**
 * The layering of ARCHITECTURE.md holds in the source tree, and the checker itself catches each kind of breach
 * (shown on small trees that break one rule each, among them the imports this code base once had).
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findLayeringViolations, readSourceTree } from './helpers/layering.ts';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));

const tree = (files: Record<string, string>) => new Map(Object.entries(files));
const rulesBroken = (files: Record<string, string>) => findLayeringViolations(tree(files)).map((v) => `${v.rule}: ${v.file}`);

describe('layering', () => {
  it('holds in src/', () => {
    expect(findLayeringViolations(readSourceTree(SRC))).toEqual([]);
  });

  it('refuses infrastructure that imports a feature or the feature type', () => {
    expect(rulesBroken({ 'jobs/worker.ts': "import { foldCountEvents } from '../features/petitions/counting/counters.ts';" })).toContain(
      'infrastructure-imports-feature: jobs/worker.ts',
    );
    expect(rulesBroken({ 'web/layout.tsx': "import type { Feature } from '../feature.ts';" })).toContain('infrastructure-imports-feature: web/layout.tsx');
    expect(rulesBroken({ 'db/x.ts': "export { petitions } from '../features/petitions/index.ts';" })).toContain('infrastructure-imports-feature: db/x.ts');
  });

  it("refuses a feature that reaches into another feature's internals", () => {
    expect(rulesBroken({ 'features/campaigns/routes.tsx': "import { renderPetitionSections } from '../petitions/page.tsx';" })).toContain(
      'feature-internals: features/campaigns/routes.tsx',
    );
    expect(rulesBroken({ 'features/campaigns/routes.tsx': "import { petitions } from '../petitions/index.ts';" })).toEqual([]);
  });

  it('refuses two features that import each other, directly or round a cycle', () => {
    expect(
      rulesBroken({
        'features/petitions/page.tsx': "import type { Campaign } from '../campaigns/index.ts';",
        'features/campaigns/routes.tsx': "import { petitionsOfCampaign } from '../petitions/index.ts';",
      }),
    ).toContain('feature-cycle: features/petitions/');
    expect(
      rulesBroken({
        'features/a/index.ts': "import { b } from '../b/index.ts';",
        'features/b/index.ts': "import { c } from '../c/index.ts';",
        'features/c/index.ts': "import { a } from '../a/index.ts';",
      }),
    ).toEqual(['feature-cycle: features/a/']);
  });

  it('refuses the feature list anywhere but app.ts, main.ts and cli.ts', () => {
    expect(rulesBroken({ 'features/demo/index.ts': "const { FEATURES } = await import('../index.ts');" })).toContain('feature-list: features/demo/index.ts');
    expect(rulesBroken({ 'main.ts': "import { FEATURES } from './features/index.ts';" })).toEqual([]);
  });

  it('refuses a branch on the database engine outside db/', () => {
    expect(rulesBroken({ 'jobs/queue.ts': "if (dialect === 'postgres') due = due.forUpdate().skipLocked();" })).toContain('dialect-branch: jobs/queue.ts');
    expect(rulesBroken({ 'features/petitions/counting/counters.ts': "const lock = database.dialect === 'postgres';" })).toContain(
      'dialect-branch: features/petitions/counting/counters.ts',
    );
    expect(rulesBroken({ 'features/petitions/signing/signature-store.ts': 'const { db, sqlite } = database;' })).toContain(
      'dialect-branch: features/petitions/signing/signature-store.ts',
    );
    expect(rulesBroken({ 'db/dialects/postgres.ts': "if (dialect === 'postgres') {}" })).toEqual([]);
  });
});
