import {
  Alert,
  Badge,
  Button,
  Checkbox,
  Group,
  Modal,
  NumberInput,
  Stack,
  Switch,
  Table,
  Text,
} from '@mantine/core';
import { IconLock, IconLockOpen } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { SplitRequest, type DatasetStats } from '../../../../shared/dataset';
import { call, errorText } from '../../api';
import { DialogActions } from '../../components/DialogActions';

interface Props {
  readonly projectId: number;
  readonly stats: DatasetStats;
  readonly onChanged: () => void;
}

/** The form starts from the request schema's defaults, as `distillery data split` does. */
const DEFAULTS = SplitRequest.omit({ projectId: true }).parse({});

/** Train / validation / test: shares, seed, stratification, counts per label, and the test lock. */
export function SplitPanel({ projectId, stats, onChanged }: Props): React.JSX.Element {
  const { t } = useTranslation('dataset');
  const [train, setTrain] = useState(Math.round(DEFAULTS.train * 100));
  const [validation, setValidation] = useState(Math.round(DEFAULTS.validation * 100));
  const [test, setTest] = useState(Math.round(DEFAULTS.test * 100));
  const [seed, setSeed] = useState(DEFAULTS.seed);
  const [stratify, setStratify] = useState(DEFAULTS.stratify);
  const [error, setError] = useState<string | null>(null);
  const [confirmUnlock, setConfirmUnlock] = useState(false);

  const run = async (fn: () => Promise<unknown>): Promise<void> => {
    setError(null);
    try {
      await fn();
      onChanged();
    } catch (e) {
      setError(errorText(e));
    }
  };
  const pct = (v: number | string): number => (typeof v === 'number' ? v : 0);

  return (
    <Stack data-testid="split-panel">
      <Text size="sm" c="dimmed">
        {t('split.intro')}
      </Text>
      <Group align="flex-end">
        <NumberInput
          label={`${t('split.train')} %`}
          value={train}
          onChange={(v) => setTrain(pct(v))}
          min={0}
          max={100}
          w={120}
        />
        <NumberInput
          label={`${t('split.validation')} %`}
          value={validation}
          onChange={(v) => setValidation(pct(v))}
          min={0}
          max={100}
          w={120}
        />
        <NumberInput
          label={`${t('split.test')} %`}
          value={test}
          onChange={(v) => setTest(pct(v))}
          min={0}
          max={100}
          w={120}
          disabled={stats.testLocked}
        />
        <NumberInput label={t('split.seed')} value={seed} onChange={(v) => setSeed(pct(v))} w={100} />
        <Checkbox
          label={t('split.stratify')}
          checked={stratify}
          onChange={(e) => setStratify(e.currentTarget.checked)}
        />
        <Button
          onClick={() =>
            void run(() =>
              call('dataset.split', {
                projectId,
                train: train / 100,
                validation: validation / 100,
                test: test / 100,
                seed,
                stratify,
              }),
            )
          }
          data-testid="split-apply"
        >
          {t('split.apply')}
        </Button>
      </Group>
      {stats.testLocked && <Alert color="orange">{t('split.lockedNote')}</Alert>}
      <Group>
        <Switch
          checked={stats.testLocked}
          label={t('split.lock')}
          description={t('split.lockHelp')}
          onChange={(e) => {
            if (e.currentTarget.checked)
              void run(() => call('dataset.lockTest', { projectId, locked: true }));
            else setConfirmUnlock(true);
          }}
          data-testid="lock-test"
        />
        <Badge
          color={stats.testLocked ? 'orange' : 'gray'}
          leftSection={stats.testLocked ? <IconLock size={12} /> : <IconLockOpen size={12} />}
          data-testid="split-lock-state"
          data-locked={stats.testLocked}
        >
          {stats.testLocked ? t('testLocked') : t('testUnlocked')}
        </Badge>
      </Group>
      {error && (
        <Alert color="red" data-testid="split-error">
          {error}
        </Alert>
      )}
      <Table withTableBorder data-testid="split-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('split.label')}</Table.Th>
            <Table.Th>{t('split.train')}</Table.Th>
            <Table.Th>{t('split.validation')}</Table.Th>
            <Table.Th>{t('split.test')}</Table.Th>
            <Table.Th>{t('split.none')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {stats.perLabel.map((l) => (
            <Table.Tr key={l.labelId ?? 'none'}>
              <Table.Td>{l.name ?? t('split.unlabelled')}</Table.Td>
              <Table.Td>{l.counts.train}</Table.Td>
              <Table.Td>{l.counts.validation}</Table.Td>
              <Table.Td>{l.counts.test}</Table.Td>
              <Table.Td>{l.counts.none}</Table.Td>
            </Table.Tr>
          ))}
          <Table.Tr fw={600}>
            <Table.Td>{t('split.total')}</Table.Td>
            <Table.Td data-testid="split-count-train">{stats.splits.train}</Table.Td>
            <Table.Td data-testid="split-count-validation">{stats.splits.validation}</Table.Td>
            <Table.Td data-testid="split-count-test">{stats.splits.test}</Table.Td>
            <Table.Td>{stats.splits.none}</Table.Td>
          </Table.Tr>
        </Table.Tbody>
      </Table>
      <Modal opened={confirmUnlock} onClose={() => setConfirmUnlock(false)} title={t('split.unlockTitle')}>
        <Text size="sm">{t('split.unlockText')}</Text>
        <DialogActions onCancel={() => setConfirmUnlock(false)} mt="md">
          <Button
            color="orange"
            onClick={() => {
              setConfirmUnlock(false);
              void run(() => call('dataset.lockTest', { projectId, locked: false, confirm: true }));
            }}
            data-testid="unlock-confirm"
          >
            {t('split.unlock')}
          </Button>
        </DialogActions>
      </Modal>
    </Stack>
  );
}
