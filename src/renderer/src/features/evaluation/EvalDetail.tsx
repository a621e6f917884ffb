import { Stack, Tabs, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { runNameText } from '../../../../shared/runText';

/** One tab of an evaluation: its name (`eval-tab-<value>`) and what it shows. */
export interface EvalTab {
  readonly value: string;
  readonly label: string;
  readonly panel: ReactNode;
}

/**
 * The evaluation of the run shown (single- or multi-label): its name, a notice (missing predictions, stale
 * thresholds), the tabs (only the open one is mounted) and what follows them (the documents drawer).
 */
export function EvalDetail({
  modelKey,
  name,
  notice,
  tabs,
  children,
}: {
  modelKey: string;
  name: string;
  notice: ReactNode;
  tabs: readonly EvalTab[];
  children?: ReactNode;
}): React.JSX.Element {
  const { i18n } = useTranslation('evaluation');
  return (
    <Stack data-testid="eval-detail" data-model={modelKey}>
      <Title order={4}>{runNameText(name, i18n.language)}</Title>
      {notice}
      <Tabs defaultValue={tabs[0]?.value} keepMounted={false}>
        <Tabs.List>
          {tabs.map((tab) => (
            <Tabs.Tab key={tab.value} value={tab.value} data-testid={`eval-tab-${tab.value}`}>
              {tab.label}
            </Tabs.Tab>
          ))}
        </Tabs.List>
        {tabs.map((tab) => (
          <Tabs.Panel key={tab.value} value={tab.value} pt="md">
            {tab.panel}
          </Tabs.Panel>
        ))}
      </Tabs>
      {children}
    </Stack>
  );
}
