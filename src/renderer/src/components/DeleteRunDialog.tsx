import { Alert, Button, Group, List, Modal, Stack, Text } from '@mantine/core';
import { IconTrash } from '@tabler/icons-react';
import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatBytes, type DeletedRun } from '../../../shared/disk';
import { errorText, useAction } from '../api';

/**
 * The confirmation before a run (student or teacher) is deleted: what goes, what stays, how much space it frees,
 * or why it cannot be deleted now. Every string comes translated from the step that opens it.
 */
export function DeleteRunDialog(props: {
  opened: boolean;
  title: string;
  /** "Frees 12.3 MB", or null while the figures load. */
  size: string | null;
  /** What deleting does, one consequence a line. */
  lines: readonly string[];
  /** Why it cannot be deleted now (a job still needs it), or null. */
  blocked: string | null;
  error: string | null;
  pending: boolean;
  confirmLabel: string;
  cancelLabel: string;
  onConfirm: () => void;
  onClose: () => void;
}): React.JSX.Element {
  return (
    <Modal opened={props.opened} onClose={props.onClose} title={props.title} data-testid="delete-run-dialog">
      <Stack>
        {props.size !== null && (
          <Text fw={600} data-testid="delete-run-size">
            {props.size}
          </Text>
        )}
        {props.lines.length > 0 && (
          <List size="sm" spacing={4} data-testid="delete-run-lines">
            {props.lines.map((l) => (
              <List.Item key={l}>{l}</List.Item>
            ))}
          </List>
        )}
        {props.blocked && (
          <Alert color="yellow" data-testid="delete-run-blocked">
            {props.blocked}
          </Alert>
        )}
        {props.error && (
          <Alert color="red" data-testid="delete-run-error">
            {props.error}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={props.onClose}>
            {props.cancelLabel}
          </Button>
          <Button
            color="red"
            leftSection={<IconTrash size={14} />}
            disabled={props.blocked !== null || props.size === null}
            loading={props.pending}
            onClick={props.onConfirm}
            data-testid="delete-run-confirm"
          >
            {props.confirmLabel}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

/** What a step's delete-run dialog is given. */
export interface DeleteRunProps {
  readonly projectId: number;
  /** The run to delete (the dialog is open), or null. */
  readonly runId: number | null;
  readonly onClose: () => void;
  readonly onDeleted: (runId: number, result: DeletedRun) => void;
}

/**
 * Deleting a run from its step, whole: `load` says what depends on the run, the dialog shows how much it frees,
 * `consequences` (what goes and what stays, one line each, null for none) or why it cannot go now, and confirming
 * deletes it with `remove`. Strings are the step's (`namespace`): `runDelete.title`, `.size`, `.loading`, `.active`,
 * `.confirm`, `.cancel`.
 */
export function RunDeletion<U extends { readonly bytes: number; readonly active: boolean }>(
  props: Omit<DeleteRunProps, 'projectId'> & {
    namespace: 'student' | 'teacher';
    load: (runId: number) => Promise<U>;
    /** Deletes with force: the dialog has shown what depends on the run, so confirming is the person's go-ahead. */
    remove: (runId: number) => Promise<DeletedRun>;
    consequences: (use: U) => ReadonlyArray<string | null>;
  },
): React.JSX.Element {
  const { t } = useTranslation(props.namespace);
  const { runId } = props;
  const { use, error, pending, confirm } = useRunDeletion(runId, props.load, props.remove, props.onDeleted);
  const lines = use
    ? props.consequences(use).filter((l): l is string => l !== null)
    : [t('runDelete.loading')];
  return (
    <DeleteRunDialog
      opened={runId !== null}
      title={runId === null ? '' : t('runDelete.title', { id: runId })}
      size={use ? t('runDelete.size', { size: formatBytes(use.bytes) }) : null}
      lines={lines}
      blocked={use?.active ? t('runDelete.active') : null}
      error={error}
      pending={pending}
      confirmLabel={t('runDelete.confirm')}
      cancelLabel={t('runDelete.cancel')}
      onConfirm={confirm}
      onClose={props.onClose}
    />
  );
}

/**
 * The dialog's state for one run: what `load` says about it (null while loading), the last error, and `confirm`,
 * which deletes it once however often it is clicked.
 */
export function useRunDeletion<U>(
  runId: number | null,
  load: (runId: number) => Promise<U>,
  remove: (runId: number) => Promise<DeletedRun>,
  onDeleted: (runId: number, result: DeletedRun) => void,
): { use: U | null; error: string | null; pending: boolean; confirm: () => void } {
  const [use, setUse] = useState<U | null>(null);
  const [error, setError] = useState<string | null>(null);
  const loadRef = useRef(load);
  useLayoutEffect(() => {
    loadRef.current = load;
  });
  useEffect(() => {
    setUse(null);
    setError(null);
    if (runId === null) return;
    let live = true;
    loadRef.current(runId).then(
      (u) => live && setUse(u),
      (e: unknown) => live && setError(errorText(e)),
    );
    return () => {
      live = false;
    };
  }, [runId]);
  const action = useAction(async () => {
    if (runId === null) return;
    setError(null);
    try {
      onDeleted(runId, await remove(runId));
    } catch (e) {
      setError(errorText(e));
    }
  });
  return { use, error, pending: action.pending, confirm: action.run };
}
