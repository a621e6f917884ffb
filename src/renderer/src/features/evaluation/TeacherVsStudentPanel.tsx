import { Alert, Group, Stack, Table, Text } from '@mantine/core';
import { runNameText } from '../../../../shared/runText';
import { useTranslation } from 'react-i18next';
import type { ModelRef } from '../../../../shared/evaluation';
import { useQuery } from '../../api';
import { bytes, ms, withCi } from './format';

/** The student beside the teacher it learned from: agreement, scores, size and speed. */
export function TeacherVsStudentPanel({
  projectId,
  model,
}: {
  projectId: number;
  model: ModelRef;
}): React.JSX.Element {
  const { t, i18n } = useTranslation('evaluation');
  const q = useQuery(
    'evaluation.teacherVsStudent',
    model.kind === 'student' ? { projectId, studentRunId: model.runId } : null,
  );
  if (model.kind !== 'student') return <Text c="dimmed">{t('needStudent')}</Text>;
  if (q.error) return <Alert color="red">{q.error.message}</Alert>;
  const d = q.data;
  if (!d) return <Text c="dimmed">{t('evaluating')}</Text>;
  // A ratio below 1 is said the other way round: "3.2 times larger", never "×0.0 smaller".
  const factor = (v: number): string => (v >= 10 ? v.toFixed(0) : v.toFixed(1));
  const sizeText = (v: number | null): string =>
    v === null ? '—' : v >= 1 ? t('timesSmaller', { x: factor(v) }) : t('timesLarger', { x: factor(1 / v) });
  const speedText = (v: number | null): string =>
    v === null ? '—' : v >= 1 ? t('timesFaster', { x: factor(v) }) : t('timesSlower', { x: factor(1 / v) });
  return (
    <Stack data-testid="teacher-vs-student">
      <Group>
        <Text>
          {t('agreement')}: <b>{d.agreement === null ? '—' : `${(d.agreement * 100).toFixed(1)}%`}</b> (n ={' '}
          {d.shared})
        </Text>
        <Text>
          {t('f1Ratio')}: <b>{d.f1Ratio === null ? '—' : `${(d.f1Ratio * 100).toFixed(1)}%`}</b>
        </Text>
        <Text>
          {t('sizeRatio')}: <b data-testid="tvs-size">{sizeText(d.sizeRatio)}</b>
        </Text>
        <Text>
          {t('speedRatio')}: <b data-testid="tvs-speed">{speedText(d.speedRatio)}</b>
        </Text>
      </Group>
      <Table withTableBorder w="auto">
        <Table.Thead>
          <Table.Tr>
            <Table.Th />
            <Table.Th>{t('teacher')}</Table.Th>
            <Table.Th>{t('student')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          <Table.Tr>
            <Table.Th>{t('model')}</Table.Th>
            <Table.Td>{runNameText(d.teacher.modelName, i18n.language)}</Table.Td>
            <Table.Td>{runNameText(d.student.modelName, i18n.language)}</Table.Td>
          </Table.Tr>
          <Table.Tr>
            <Table.Th>{t('accuracy')}</Table.Th>
            <Table.Td>{withCi(d.teacher.accuracy)}</Table.Td>
            <Table.Td>{withCi(d.student.accuracy)}</Table.Td>
          </Table.Tr>
          <Table.Tr>
            <Table.Th>{t('macroF1')}</Table.Th>
            <Table.Td>{withCi(d.teacher.macroF1)}</Table.Td>
            <Table.Td>{withCi(d.student.macroF1)}</Table.Td>
          </Table.Tr>
          <Table.Tr>
            <Table.Th>{t('size')}</Table.Th>
            <Table.Td>{bytes(d.teacher.modelBytes)}</Table.Td>
            <Table.Td>{bytes(d.student.modelBytes)}</Table.Td>
          </Table.Tr>
          <Table.Tr>
            <Table.Th>{t('latency')}</Table.Th>
            <Table.Td>{ms(d.teacher.latencyMsPerDoc)}</Table.Td>
            <Table.Td>{ms(d.student.latencyMsPerDoc)}</Table.Td>
          </Table.Tr>
        </Table.Tbody>
      </Table>
    </Stack>
  );
}
