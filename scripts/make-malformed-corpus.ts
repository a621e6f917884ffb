/**
 * Writes the malformed-input corpus (data files and GGUF models) into a folder, for a person to try by hand:
 *   node --import tsx scripts/make-malformed-corpus.ts [DIR]
 * tests/corpus/*.test.ts write and import the same corpus through the real core in `npm test`.
 */
import { join, resolve } from 'node:path';
import { writeDataCorpus } from '../tests/fixtures/malformed/corpus';
import { writeMalformedCorpus } from '../tests/fixtures/gguf/generate';

const dir = resolve(process.argv[2] ?? 'malformed-corpus');
const data = await writeDataCorpus(join(dir, 'data'));
const models = writeMalformedCorpus(join(dir, 'gguf'));
console.log(`${data.length} data files and ${models.size} GGUF models in ${dir}`);
