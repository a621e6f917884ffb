import { Table } from '@mantine/core';
import type { ReactNode } from 'react';

/** A table's header row: one cell a column (an empty string for a column of buttons). */
export function TableHeader({ columns }: { columns: readonly ReactNode[] }): React.JSX.Element {
  return (
    <Table.Thead>
      <Table.Tr>
        {columns.map((c, k) => (
          <Table.Th key={k}>{c}</Table.Th>
        ))}
      </Table.Tr>
    </Table.Thead>
  );
}
