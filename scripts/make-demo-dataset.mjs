// Rebuilds resources/demo/unfair_tos_demo.tsv from ../shared/datasets/unfair_tos (CC BY 4.0, see ATTRIBUTION.md).
// A deterministic, balanced sample: every 4th unfair sentence and every 20th fair one, so the demo stays small.
import { readFileSync, writeFileSync } from 'node:fs';

const src = new URL('../../shared/datasets/unfair_tos/claudette50_sentences.tsv', import.meta.url);
const lines = readFileSync(src, 'utf8').trim().split('\n').slice(1);
const out = ['text\tlabel\tdocument\tsplit_guess'];
let unfair = 0;
let fair = 0;
for (const line of lines) {
  const [doc, , split, labels, text] = line.split('\t');
  if (!text || text.length < 25) continue;
  const isUnfair = labels.trim() !== '';
  if (isUnfair ? unfair++ % 4 !== 0 : fair++ % 20 !== 0) continue;
  out.push([text, isUnfair ? 'unfair' : 'fair', doc, split].join('\t'));
}
writeFileSync(new URL('../resources/demo/unfair_tos_demo.tsv', import.meta.url), out.join('\n') + '\n');
console.log(`wrote ${out.length - 1} rows`);
