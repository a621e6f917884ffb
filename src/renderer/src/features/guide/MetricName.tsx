import { Text, Tooltip } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { MetricKey } from './i18n';

/** A metric's name with its one-sentence explanation on hover or focus, in the interface language. */
export function MetricName({ metric, size = 'sm' }: { metric: MetricKey; size?: string }): React.JSX.Element {
  const { t } = useTranslation('guide');
  return (
    <Tooltip label={t(`explain.${metric}`)} multiline w={300} withArrow>
      <Text
        span
        size={size}
        tabIndex={0}
        aria-description={t(`explain.${metric}`)}
        style={{ textDecoration: 'underline dotted', cursor: 'help' }}
        data-testid={`metric-${metric}`}
      >
        {t(`metric.${metric}`)}
      </Text>
    </Tooltip>
  );
}
