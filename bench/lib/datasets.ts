/**
 * The shared datasets (../shared/datasets, see its README) with their canonical splits, as the benchmarks read them:
 * kuake_qic (train file / dev file), unfair_tos (framing A: the alphabetically first label, or "none"; the file's
 * own split), financial_phrasebank (latin-1 CSV; data row i with i % 5 == 4 is test).
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const DATASETS = resolve(import.meta.dirname, '..', '..', '..', 'shared', 'datasets');

export interface Row {
  readonly text: string;
  readonly label: string;
}
export interface Dataset {
  readonly name: string;
  readonly language: 'zh' | 'en';
  readonly train: Row[];
  readonly test: Row[];
}

export function loadKuake(): Dataset {
  const dir = join(DATASETS, 'kuake_qic');
  const read = (f: string): Row[] =>
    (JSON.parse(readFileSync(join(dir, f), 'utf8')) as Array<{ query: string; label: string }>).map((r) => ({
      text: r.query,
      label: r.label,
    }));
  return {
    name: 'kuake_qic',
    language: 'zh',
    train: read('KUAKE-QIC_train.json'),
    test: read('KUAKE-QIC_dev.json'),
  };
}

/** Framing A: the alphabetically first label, or "none". */
export function loadUnfairTos(): Dataset {
  const lines = readFileSync(join(DATASETS, 'unfair_tos', 'claudette50_sentences.tsv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1);
  const train: Row[] = [];
  const test: Row[] = [];
  for (const line of lines) {
    const [, , split, labels, text] = line.split('\t');
    const first = labels ? labels.split('|').sort()[0] : 'none';
    (split === 'train' ? train : test).push({ text, label: first });
  }
  return { name: 'unfair_tos', language: 'en', train, test };
}

/** latin-1 CSV `label,content`; data row i with i % 5 == 4 is test. */
export function loadPhrasebank(): Dataset {
  const raw = readFileSync(join(DATASETS, 'financial_phrasebank', 'all-data.csv')).toString('latin1');
  const rows: Row[] = [];
  for (const line of raw.split(/\r?\n/)) {
    const m = /^([a-z]+),"?(.*?)"?$/.exec(line.trim());
    if (!m || m[1] === 'label') continue;
    rows.push({ label: m[1], text: m[2].replace(/""/g, '"') });
  }
  return {
    name: 'financial_phrasebank',
    language: 'en',
    train: rows.filter((_, i) => i % 5 !== 4),
    test: rows.filter((_, i) => i % 5 === 4),
  };
}

export const DATASET_LOADERS: Readonly<Record<string, () => Dataset>> = {
  kuake_qic: loadKuake,
  unfair_tos: loadUnfairTos,
  financial_phrasebank: loadPhrasebank,
};

/** The loader of a dataset by name; refuses an unknown name, listing the known ones. */
export function datasetLoader(name: string): () => Dataset {
  const load = DATASET_LOADERS[name];
  if (!load)
    throw new Error(`Unknown dataset ${name}; choose from ${Object.keys(DATASET_LOADERS).join(', ')}.`);
  return load;
}
