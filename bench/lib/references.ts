import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PYTHON = '/usr/bin/python3';
const REFERENCES = join(import.meta.dirname, 'references.py');

/** Runs one mode of bench/lib/references.py (scikit-learn) on `data` and returns the JSON object it prints. */
export function runReferences(
  mode: 'refs' | 'score' | 'teacher' | 'multilabel' | 'multiscore',
  data: unknown,
): unknown {
  const dir = mkdtempSync(join(tmpdir(), 'bench-sklearn-'));
  try {
    writeFileSync(join(dir, 'data.json'), JSON.stringify(data));
    const r = spawnSync(PYTHON, [REFERENCES, mode, join(dir, 'data.json')], {
      encoding: 'utf8',
      maxBuffer: 256 << 20,
    });
    if (r.status !== 0) throw new Error(`scikit-learn (${mode}) failed: ${r.stderr}`);
    return JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
