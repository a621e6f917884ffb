import { Fragment, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { MaskRule, MaskSpan } from '../../../../shared/masking';
import { useQuery } from '../../api';

/** A replacement token (e.g. [PHONE]) and the rules that write it. */
export type MaskTokens = ReadonlyMap<string, readonly string[]>;

/** The tokens of a project's rules, for finding masked spans in text that was already masked. */
export function maskTokens(rules: readonly MaskRule[]): MaskTokens {
  const out = new Map<string, string[]>();
  for (const r of rules) out.set(r.replacement, [...(out.get(r.replacement) ?? []), r.name]);
  return out;
}

/** A project's replacement tokens (all its rules, enabled or not: text masked earlier keeps its tokens). */
export function useMaskTokens(projectId: number | null): MaskTokens {
  const rules = useQuery('dataset.maskRules', projectId === null ? null : { projectId });
  return useMemo(() => maskTokens(rules.data ?? []), [rules.data]);
}

/** A rule's name as people read it: a built-in's translated name, a user's rule by the name it was given. */
export function useMaskRuleName(): (rule: string) => string {
  const { t } = useTranslation('dataset');
  return (rule) => t(`maskRuleName.${rule}`, { defaultValue: rule });
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Spans of the tokens in a masked text. */
export function tokenSpans(text: string, tokens: MaskTokens): MaskSpan[] {
  if (tokens.size === 0) return [];
  const re = new RegExp(
    [...tokens.keys()]
      .sort((a, b) => b.length - a.length)
      .map(escapeRegExp)
      .join('|'),
    'g',
  );
  const out: MaskSpan[] = [];
  for (const m of text.matchAll(re)) {
    out.push({ start: m.index, end: m.index + m[0].length, rule: (tokens.get(m[0]) ?? []).join(' / ') });
  }
  return out;
}

interface Props {
  readonly text: string;
  /** Spans to mark (a preview of what would be masked); without them, the tokens already in the text are marked. */
  readonly spans?: readonly MaskSpan[];
  readonly tokens?: MaskTokens;
  /** How the text between marks is shown (e.g. with search words marked). */
  readonly renderPlain?: (text: string) => React.ReactNode;
}

/**
 * Text with its masked spans marked, the rule's name on hover. Every part is a React text node: nothing in a
 * document is ever interpreted as markup. Exported for every view of a document (Browse, Review, the reader).
 */
export function MaskHighlight({ text, spans, tokens, renderPlain }: Props): React.JSX.Element {
  const { t } = useTranslation('dataset');
  const ruleName = useMaskRuleName();
  const marks = useMemo(
    () => [...(spans ?? (tokens ? tokenSpans(text, tokens) : []))].sort((a, b) => a.start - b.start),
    [text, spans, tokens],
  );
  const plain = (s: string): React.ReactNode => (renderPlain ? renderPlain(s) : s);
  if (marks.length === 0) return <>{plain(text)}</>;
  const parts: React.ReactNode[] = [];
  let at = 0;
  for (const [i, s] of marks.entries()) {
    if (s.start < at) continue;
    if (s.start > at) parts.push(<Fragment key={`p${i}`}>{plain(text.slice(at, s.start))}</Fragment>);
    const names = s.rule
      .split(' / ')
      .map((r) => ruleName(r))
      .join(' / ');
    parts.push(
      <mark
        key={`m${i}`}
        data-testid="mask-span"
        data-rule={s.rule}
        title={t('maskedBy', { rule: names })}
        style={{
          background: 'var(--mantine-color-violet-light)',
          color: 'inherit',
          borderRadius: 3,
          padding: '0 2px',
          outline: '1px dashed var(--mantine-color-violet-filled)',
        }}
      >
        {text.slice(s.start, s.end)}
      </mark>,
    );
    at = s.end;
  }
  if (at < text.length) parts.push(<Fragment key="end">{plain(text.slice(at))}</Fragment>);
  return <>{parts}</>;
}
