import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { expect, it } from 'vitest';
import { ROOT } from '../helpers';

/**
 * A user-visible English literal in a component is a string the Chinese UI cannot translate. This scans every
 * renderer component's syntax tree (TypeScript's parser) for text between JSX tags, string values of the props a
 * person reads (label, title, placeholder, ...) and string literals rendered as {'...'}; each must come from t().
 * The allowed literals are names that are the same in every language.
 */
const ALLOWED = new Set([
  'Enter', // a key's name on a <Kbd>
  'lr=', // the learning rate's symbol in the runs table
  'SHA-256',
  'English', // the language picker shows each language in itself
  'CSV',
  'JSONL',
  'https://…/model.gguf',
  'http://gpu-server:8000',
]);
const VISIBLE_PROPS = new Set([
  'title',
  'label',
  'placeholder',
  'aria-label',
  'description',
  'alt',
  'message',
  'error',
  'tooltip',
]);
const ENGLISH = /[A-Za-z]{2,}/;

function components(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? components(join(dir, d.name)) : d.name.endsWith('.tsx') ? [join(dir, d.name)] : [],
  );
}

function literals(file: string, text = readFileSync(file, 'utf8')): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  const found: string[] = [];
  const report = (node: ts.Node, text: string): void => {
    // A prompt template's placeholder ({{label}}) is the same in every language.
    if (ENGLISH.test(text) && !ALLOWED.has(text) && !/^\{\{\w+\}\}$/.test(text)) {
      const line = source.getLineAndCharacterOfPosition(node.getStart()).line + 1;
      found.push(`${relative(ROOT, file)}:${line} ${JSON.stringify(text)}`);
    }
  };
  const visit = (node: ts.Node): void => {
    if (ts.isJsxText(node)) report(node, node.getText().trim());
    else if (ts.isJsxAttribute(node) && VISIBLE_PROPS.has(node.name.getText()) && node.initializer) {
      const v = node.initializer;
      if (ts.isStringLiteral(v)) report(node, v.text);
      else if (ts.isJsxExpression(v) && v.expression && ts.isStringLiteralLike(v.expression))
        report(node, v.expression.text);
    } else if (ts.isJsxExpression(node) && node.expression && ts.isStringLiteralLike(node.expression)) {
      if (!ts.isJsxAttribute(node.parent)) report(node, node.expression.text);
    } else if (
      ts.isPropertyAssignment(node) &&
      VISIBLE_PROPS.has(node.name.getText()) &&
      ts.isStringLiteralLike(node.initializer)
    ) {
      // notifications.show({ title: '...' }), option lists' { label: '...' }.
      report(node, node.initializer.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

it('no renderer component shows a hard-coded English string: every one comes from the en/zh-CN catalogues', () => {
  const files = components(join(ROOT, 'src', 'renderer', 'src'));
  expect(files.length).toBeGreaterThan(40);
  expect(files.flatMap((f) => literals(f))).toEqual([]);
});

// A component with the mistakes the scan must find, and the translated and allowed strings it must let through.
const PROBE = `
export function Probe(props) {
  props.notify({ title: 'Saved', color: 'teal' });
  return (
    <div data-testid="probe-panel">
      <button>Save changes</button>
      <input placeholder="Search documents" />
      <span>{'Delete'}</span>
      <span>{props.t('ok')}</span>
      <kbd>Enter</kbd>
    </div>
  );
}`;

it('the scan finds what it looks for (so that an empty result means something)', () => {
  expect(literals(join(ROOT, 'Probe.tsx'), PROBE).map((l) => l.replace(/^.*:\d+ /, ''))).toEqual([
    '"Saved"',
    '"Save changes"',
    '"Search documents"',
    '"Delete"',
  ]);
});
