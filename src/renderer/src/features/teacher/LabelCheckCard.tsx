import { Stack, Table, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { LabelCalibrationReport } from '../../../../shared/teacher';
import { useQuery } from '../../api';
import {
  CheckFrame,
  IntervalText,
  num,
  PerLabelCheckBody,
  useReloadOn,
  VerdictLine,
  type CheckCardProps,
} from './TeacherCheckCard';

/**
 * The teacher check of a multi-label run: per label, precision, recall and F1 against the label sets people chose on
 * the validation split; micro- and macro-F1 beside saying every label applies; the verdict in words.
 */
export function LabelCheckCard({ runId, version = 0 }: CheckCardProps): React.JSX.Element {
  const { t } = useTranslation('teacher');
  const q = useQuery('teacher.labelCheck', { runId });
  useReloadOn(q.reload, version);
  const c = q.data;
  return (
    <CheckFrame testId="teacher-label-check" title={t('multi.check.title')} error={q.error}>
      {c && (
        <>
          <VerdictLine
            verdict={c.verdict}
            why={t(`multi.check.why.${c.verdict}`, {
              n: c.examples,
              min: c.minimum,
              micro: num(c.microF1.value),
              macro: num(c.macroF1),
              always: num(c.alwaysMicroF1),
            })}
          />
          {c.verdict !== 'too-few' && (
            <>
              <Text size="sm">
                {t('multi.check.micro')}: <IntervalText m={c.microF1} f={num} />
                {' · '}
                {t('multi.check.macro')}: <b>{num(c.macroF1)}</b>
                {' · '}
                {t('multi.check.always')}: {num(c.alwaysMicroF1)}
              </Text>
              <Text size="xs" c="dimmed">
                {t('multi.check.rule')}
              </Text>
              <Table withTableBorder fz="sm" data-testid="teacher-label-check-table">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('check.label')}</Table.Th>
                    <Table.Th>{t('multi.check.people')}</Table.Th>
                    <Table.Th>{t('multi.check.teacher')}</Table.Th>
                    <Table.Th>{t('multi.check.precision')}</Table.Th>
                    <Table.Th>{t('multi.check.recall')}</Table.Th>
                    <Table.Th>{t('multi.check.f1')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <PerLabelCheckBody rows={c.perLabel} rowTestId="teacher-label-check-row" />
              </Table>
            </>
          )}
        </>
      )}
    </CheckFrame>
  );
}

/** A multi-label run's calibration, label by label: fitted, or why not (too few positives or negatives). */
export function LabelCalibrationText({
  report,
}: {
  report: LabelCalibrationReport | null;
}): React.JSX.Element {
  const { t } = useTranslation('teacher');
  if (!report) {
    return (
      <Text size="sm" data-testid="teacher-calibration">
        {t('multi.notYet')}
      </Text>
    );
  }
  return (
    <Stack gap={2} data-testid="teacher-calibration">
      <Text size="sm">{t('multi.calibrationTitle', { n: report.examples })}</Text>
      {report.labels.map((l) => (
        <Text
          key={l.label}
          size="xs"
          c={l.calibrated ? undefined : 'dimmed'}
          data-testid="teacher-label-calibration"
          data-calibrated={l.calibrated}
        >
          {l.calibrated
            ? t('multi.calibrated', {
                label: l.label,
                before: l.before.logLoss.toFixed(3),
                after: l.after.logLoss.toFixed(3),
              })
            : t('multi.notCalibrated', {
                label: l.label,
                pos: l.positives,
                neg: l.negatives,
                min: report.minimumPerClass,
              })}
        </Text>
      ))}
    </Stack>
  );
}
