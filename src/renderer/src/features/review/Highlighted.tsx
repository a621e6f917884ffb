import { Mark } from '@mantine/core';

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The document as plain text with the search words marked. Everything is a React text node: a document containing
 * HTML or script shows its characters and is never interpreted.
 */
export function Highlighted({ text, search }: { text: string; search: string }): React.JSX.Element {
  const words = search
    .split(/\s+/)
    .filter((w) => w.length > 0)
    .slice(0, 10);
  if (words.length === 0) return <>{text}</>;
  const pattern = new RegExp(`(${words.map(escapeRegExp).join('|')})`, 'gi');
  const parts = text.split(pattern);
  return (
    <>
      {parts.map((part, i) =>
        i % 2 === 1 ? (
          <Mark key={i} data-testid="search-hit">
            {part}
          </Mark>
        ) : (
          part
        ),
      )}
    </>
  );
}
