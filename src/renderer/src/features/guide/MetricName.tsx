import { Text, Tooltip } from '@mantine/core';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { MetricKey } from './i18n';

/**
 * A metric's name with its one-sentence explanation on hover or focus, in the interface language. `children`
 * replaces the name where a step words it its own way.
 */
export function MetricName({
  metric,
  size = 'sm',
  c,
  children,
}: {
  metric: MetricKey;
  size?: string;
  c?: string;
  children?: ReactNode;
}): React.JSX.Element {
  const { t } = useTranslation('guide');
  return (
    <Tooltip label={t(`explain.${metric}`)} multiline w={300} withArrow>
      <Text
        span
        size={size}
        c={c}
        tabIndex={0}
        aria-description={t(`explain.${metric}`)}
        style={{ textDecoration: 'underline dotted', cursor: 'help' }}
        data-testid={`metric-name-${metric}`}
      >
        {children ?? t(`metric.${metric}`)}
      </Text>
    </Tooltip>
  );
}
