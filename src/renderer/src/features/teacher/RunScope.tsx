import { Alert, Button, Group, NumberInput, SegmentedControl, Select, Stack, Text } from '@mantine/core';
import { IconClock } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import type { TeacherRunPlan } from '../../../../shared/teacher';

export const SCOPE_KINDS = ['all', 'unlabelled', 'split', 'sample'] as const;
export type ScopeKind = (typeof SCOPE_KINDS)[number];
export type SplitName = 'train' | 'validation' | 'test' | 'none';

export interface RunScopeValue {
  readonly kind: ScopeKind;
  readonly split: SplitName;
  readonly sample: number;
}

export const DEFAULT_SCOPE: RunScopeValue = { kind: 'all', split: 'train', sample: 100 };

/** The request fields of `teacher.plan`, `teacher.time` and `teacher.run` for a scope. */
export function scopeRequest(s: RunScopeValue): {
  splits?: SplitName[];
  unlabelledOnly: boolean;
  sample?: number;
} {
  switch (s.kind) {
    case 'all':
      return { unlabelledOnly: false };
    case 'unlabelled':
      return { unlabelledOnly: true };
    case 'split':
      return { unlabelledOnly: false, splits: [s.split] };
    case 'sample':
      return { unlabelledOnly: false, sample: Math.max(1, s.sample) };
  }
}

/**
 * Which documents a run labels, and what it will cost on this computer (documents, prompt tokens, minutes from
 * timing a few documents), shown before the start button.
 */
export function RunScope({
  value,
  onChange,
  plan,
  onTime,
  timing,
  canTime,
}: {
  value: RunScopeValue;
  onChange: (v: RunScopeValue) => void;
  plan: TeacherRunPlan | undefined;
  onTime: () => void;
  timing: boolean;
  canTime: boolean;
}): React.JSX.Element {
  const { t } = useTranslation('teacher');
  const minutes = plan?.minutes ?? null;
  return (
    <Stack gap="xs" mt="sm" data-testid="teacher-scope">
      <Text size="sm" fw={500}>
        {t('scope.title')}
      </Text>
      <Group align="flex-end" gap="sm">
        <SegmentedControl
          value={value.kind}
          onChange={(k) => onChange({ ...value, kind: k as ScopeKind })}
          data={SCOPE_KINDS.map((k) => ({ value: k, label: t(`scope.kind.${k}`) }))}
          data-testid="teacher-scope-kind"
        />
        {value.kind === 'split' && (
          <Select
            w={170}
            value={value.split}
            allowDeselect={false}
            onChange={(v) => v && onChange({ ...value, split: v as SplitName })}
            data={(['train', 'validation', 'test', 'none'] as const).map((s) => ({
              value: s,
              label: t(`scope.split.${s}`),
            }))}
            data-testid="teacher-scope-split"
          />
        )}
        {value.kind === 'sample' && (
          <NumberInput
            w={150}
            min={1}
            value={value.sample}
            onChange={(v) => onChange({ ...value, sample: Math.max(1, Math.floor(Number(v) || 1)) })}
            suffix={` ${t('scope.documents')}`}
            data-testid="teacher-scope-sample"
          />
        )}
      </Group>
      {plan && (
        <Stack gap={2} data-testid="teacher-cost">
          <Text size="sm" data-testid="teacher-plan">
            {t('planLine', { count: plan.targets, toLabel: plan.toLabel, carried: plan.carriedOver })}
          </Text>
          <Group gap="xs">
            <Text size="sm" data-testid="teacher-cost-line" data-minutes={minutes ?? ''}>
              {minutes === null
                ? t('scope.costUntimed', { tokens: plan.tokens.toLocaleString() })
                : t('scope.cost', {
                    tokens: plan.tokens.toLocaleString(),
                    minutes: minutes < 1 ? '<1' : Math.round(minutes).toLocaleString(),
                    n: plan.timing?.documents ?? 0,
                    ms: Math.round(plan.timing?.msPerDocument ?? 0).toLocaleString(),
                  })}
            </Text>
            <Button
              size="compact-xs"
              variant="light"
              leftSection={<IconClock size={14} />}
              loading={timing}
              disabled={!canTime || plan.toLabel === 0}
              onClick={onTime}
              data-testid="teacher-time"
            >
              {minutes === null ? t('scope.time') : t('scope.timeAgain')}
            </Button>
          </Group>
        </Stack>
      )}
      {plan && plan.tooLong > 0 && (
        <Alert color="yellow" data-testid="teacher-too-long">
          {t('planTooLong', { count: plan.tooLong, tokens: plan.contextSize })}
        </Alert>
      )}
    </Stack>
  );
}
