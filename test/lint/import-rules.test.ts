// The import rules `npm run lint` enforces (.dependency-cruiser.cjs) catch what they promise:
// a cycle (through type imports too) and a channel reaching up into the workers. Checked on a
// small tree written to a temporary folder, with the project's own rule set.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cruise } from 'dependency-cruiser';
import { afterAll, describe, expect, it } from 'vitest';

const { forbidden } = createRequire(import.meta.url)('../../.dependency-cruiser.cjs') as { forbidden: unknown[] };
const dir = mkdtempSync(join(tmpdir(), 'crier-depcruise-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(path: string, text: string): void {
  mkdirSync(join(dir, path, '..'), { recursive: true });
  writeFileSync(join(dir, path), text);
}

async function violations(entries: string[]): Promise<string[]> {
  const prev = process.cwd();
  process.chdir(dir);
  try {
    const r = await cruise(entries, { ruleSet: { forbidden } as never, tsPreCompilationDeps: true, validate: true });
    const out = r.output as { summary: { violations: { rule: { name: string }; from: string; to: string }[] } };
    return out.summary.violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`).sort();
  } finally {
    process.chdir(prev);
  }
}

describe('import rules', () => {
  it('finds a cycle made of type imports, and a channel importing a worker', async () => {
    write('src/a.ts', "import type { B } from './b.js';\nexport interface A { b?: B }\n");
    write('src/b.ts', "import type { A } from './a.js';\nexport interface B { a?: A }\n");
    write('workers/w.ts', 'export const w = 1;\n');
    write('channels/c.ts', "import { w } from '../workers/w.js';\nexport const c = w;\n");
    expect(await violations(['src', 'workers', 'channels'])).toEqual([
      'channels-stay-below: channels/c.ts -> workers/w.ts',
      'no-circular: src/a.ts -> src/b.ts',
    ]);
  });

  it('keeps the core out of the channels and each channel out of the others', async () => {
    write('channels/index.ts', "export { a } from './a/index.js';\n");
    write('channels/a/index.ts', "import { b } from '../b/index.js';\nexport const a = b;\n");
    write('channels/b/index.ts', 'export const b = 1;\n');
    write('src/config/schema.ts', "import { a } from '../../channels/index.js';\nexport const s = a;\n");
    write('src/desk/counter.ts', "import { b } from '../../channels/b/index.js';\nexport const d = b;\n");
    write('src/channel-module.ts', "import { a } from '../channels/a/index.js';\nexport const m = a;\n");
    expect(await violations(['src/config', 'src/desk', 'src/channel-module.ts', 'channels/index.ts', 'channels/a', 'channels/b'])).toEqual([
      'channel-types-import-no-channel: src/channel-module.ts -> channels/a/index.ts',
      'channels-stay-apart: channels/a/index.ts -> channels/b/index.ts',
      'core-imports-no-channel: src/channel-module.ts -> channels/a/index.ts',
      'core-imports-no-channel: src/desk/counter.ts -> channels/b/index.ts',
    ]);
  });
});
