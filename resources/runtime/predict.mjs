#!/usr/bin/env node
// Runs the exported student on JSONL (one {"text": ...} object or JSON string per line) in Node 18 or later.
//   node predict.mjs < input.jsonl > output.jsonl
//   node predict.mjs --input input.jsonl --output output.jsonl --batch 256 --on-error stop
// Or from a program: import { loadFromFolder } from './predict.mjs'; (await loadFromFolder()).predict(['text'])
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { loadStudentRuntime, outputRecord, parseInputLine } from './distillery-student.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));

/** Loads the model of an exported folder after checking every file against deployment.json. */
export function loadFromFolder(dir = HERE) {
  const folder = resolve(dir);
  const deploymentFile = join(folder, 'deployment.json');
  if (!existsSync(deploymentFile)) {
    throw new Error(`${folder} is not an exported Distillery model (deployment.json is missing).`);
  }
  let deployment;
  try {
    deployment = JSON.parse(readFileSync(deploymentFile, 'utf8'));
  } catch {
    throw new Error(`deployment.json in ${folder} is damaged. Export the model again from Distillery.`);
  }
  for (const [file, sha256] of Object.entries(deployment.files ?? {})) {
    const path = join(folder, file);
    if (!existsSync(path)) throw new Error(`The exported folder is incomplete: ${file} is missing. Export the model again.`);
    const actual = createHash('sha256').update(readFileSync(path)).digest('hex');
    if (actual !== sha256) throw new Error(`The exported folder is damaged: ${file} was changed. Export the model again.`);
  }
  return loadStudentRuntime(
    readFileSync(join(folder, deployment.model.json), 'utf8'),
    readFileSync(join(folder, deployment.model.weights)),
    deployment,
  );
}

function parseArgs(argv) {
  const opts = { model: HERE, input: null, output: null, batch: 256, onError: 'continue' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value.`);
      return argv[++i];
    };
    if (a === '--model') opts.model = next();
    else if (a === '--input') opts.input = next();
    else if (a === '--output') opts.output = next();
    else if (a === '--batch') opts.batch = Math.max(1, Number.parseInt(next(), 10) || 256);
    else if (a === '--on-error') {
      opts.onError = next();
      if (opts.onError !== 'continue' && opts.onError !== 'stop') throw new Error('--on-error is "continue" or "stop".');
    } else if (a === '--help' || a === '-h') {
      process.stdout.write(
        'Usage: node predict.mjs [--model DIR] [--input FILE] [--output FILE] [--batch N] [--on-error continue|stop]\n',
      );
      process.exit(0);
    } else throw new Error(`Unknown option ${a}. Run with --help.`);
  }
  return opts;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const model = loadFromFolder(opts.model);
  const input = opts.input ? createReadStream(opts.input) : process.stdin;
  const output = opts.output ? createWriteStream(opts.output) : process.stdout;
  const write = async (text) => {
    if (!output.write(text)) await new Promise((res) => output.once('drain', res));
  };
  let batch = [];
  let predicted = 0;
  let malformed = 0;
  const flush = async () => {
    if (!batch.length) return;
    const preds = model.predict(batch.map((b) => b.text));
    await write(preds.map((p, i) => JSON.stringify(outputRecord(model.labels, p, batch[i])) + '\n').join(''));
    predicted += batch.length;
    batch = [];
  };
  let lineNo = 0;
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    lineNo++;
    if (!line.trim()) continue;
    const parsed = parseInputLine(line);
    if (!parsed.ok) {
      malformed++;
      process.stderr.write(`line ${lineNo}: ${parsed.error}\n`);
      if (opts.onError === 'stop') {
        await flush();
        process.stderr.write(`Stopped at line ${lineNo} (--on-error stop). ${predicted} lines predicted.\n`);
        process.exitCode = 1;
        break;
      }
      continue;
    }
    batch.push({ line: lineNo, text: parsed.text, record: parsed.record });
    if (batch.length >= opts.batch) await flush();
  }
  await flush();
  if (opts.output) await new Promise((res) => output.end(res));
  process.stderr.write(`${predicted} predicted, ${malformed} malformed line(s).\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e) => {
    process.stderr.write(`Error: ${e.message}\n`);
    process.exitCode = 1;
  });
}
