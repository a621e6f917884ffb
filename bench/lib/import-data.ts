import { createWriteStream, existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const WORK = join(import.meta.dirname, '..', '.work');

const WORDS = (
  'patient admitted with acute chest pain radiating left arm given aspirin discharge stable follow clinic ' +
  'contract clause liability termination arbitration jurisdiction consent service agreement party notice ' +
  'headache fever cough dose daily twice review imaging normal findings history hypertension diabetes'
).split(' ');
const ZH = ['头痛', '发烧', '咳嗽', '高血压', '出院', '复查', '合同', '条款', '责任', '仲裁'];
const LABELS = ['urgent', 'routine', 'admin', 'legal'];

/** A deterministic 1,000,000-row CSV (~200 MB): id, text (quoted, with commas), label. Reused when present. */
export async function benchCsv(rows = 1_000_000): Promise<string> {
  const file = join(WORK, `import-${rows}.csv`);
  if (existsSync(file)) return file;
  mkdirSync(WORK, { recursive: true });
  let seed = 12345;
  const rand = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  const tmp = `${file}.part`;
  const out = createWriteStream(tmp);
  out.write('id,text,label\n');
  let chunk: string[] = [];
  for (let i = 0; i < rows; i++) {
    const n = 22 + rand(16);
    const words: string[] = [];
    for (let w = 0; w < n; w++) words.push(rand(12) === 0 ? ZH[rand(ZH.length)] : WORDS[rand(WORDS.length)]);
    words[5] += ',';
    chunk.push(`${i + 1},"${words.join(' ')}",${LABELS[rand(LABELS.length)]}`);
    if (chunk.length === 10_000) {
      if (!out.write(chunk.join('\n') + '\n')) await new Promise<void>((r) => out.once('drain', () => r()));
      chunk = [];
    }
  }
  if (chunk.length) out.write(chunk.join('\n') + '\n');
  await new Promise<void>((res, rej) => out.end((e?: Error | null) => (e ? rej(e) : res())));
  renameSync(tmp, file);
  console.error(`generated ${file} (${(statSync(file).size / 1e6).toFixed(0)} MB)`);
  return file;
}
