import {
  ActionIcon,
  Alert,
  Badge,
  Button,
  Card,
  Group,
  Menu,
  Modal,
  SegmentedControl,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Textarea,
  Title,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconDots, IconPencil, IconPlus, IconTrash } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Project, ProjectKind } from '../../../../shared/projects';
import { call, errorText, useEvent, useQuery } from '../../api';
import { DialogActions } from '../../components/DialogActions';

interface Props {
  readonly onOpen: (projectId: number) => void;
}

function CreateModal({
  opened,
  onClose,
  onCreated,
}: {
  opened: boolean;
  onClose: () => void;
  onCreated: (p: Project) => void;
}): React.JSX.Element {
  const { t } = useTranslation();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [kind, setKind] = useState<ProjectKind>('single');
  const [error, setError] = useState<string | null>(null);
  const submit = async (): Promise<void> => {
    try {
      const p = await call('projects.create', { name, description, kind });
      setName('');
      setDescription('');
      setKind('single');
      setError(null);
      onCreated(p);
    } catch (e) {
      setError(errorText(e));
    }
  };
  return (
    <Modal opened={opened} onClose={onClose} title={t('newProject')}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <Stack>
          <TextInput
            label={t('name')}
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            data-autofocus
            data-testid="project-name-input"
            error={error}
          />
          <Textarea
            label={t('description')}
            value={description}
            onChange={(e) => setDescription(e.currentTarget.value)}
            autosize
            minRows={2}
          />
          <Stack gap={4}>
            <Text size="sm" fw={500}>
              {t('projectKind')}
            </Text>
            <SegmentedControl
              value={kind}
              onChange={(v) => setKind(v === 'multi' ? 'multi' : 'single')}
              data={[
                { value: 'single', label: t('projectKindSingle') },
                { value: 'multi', label: t('projectKindMulti') },
              ]}
              data-testid="project-kind"
            />
            <Text size="xs" c="dimmed">
              {t('projectKindHelp')}
            </Text>
          </Stack>
          <DialogActions onCancel={onClose}>
            <Button type="submit" data-testid="project-create-submit">
              {t('create')}
            </Button>
          </DialogActions>
        </Stack>
      </form>
    </Modal>
  );
}

/** A dialog about one project (rename, delete): open while `project` is set. */
interface ProjectDialogProps {
  readonly project: Project | null;
  readonly onClose: () => void;
  readonly onDone: () => void;
}

function RenameModal({ project, onClose, onDone }: ProjectDialogProps): React.JSX.Element {
  const { t } = useTranslation();
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  return (
    <Modal opened={project !== null} onClose={onClose} title={t('rename')}>
      {project && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            call('projects.rename', { projectId: project.id, name: name || project.name })
              .then(() => {
                setError(null);
                onDone();
              })
              .catch((x: unknown) => setError(errorText(x)));
          }}
        >
          <Stack>
            <TextInput
              label={t('name')}
              defaultValue={project.name}
              onChange={(e) => setName(e.currentTarget.value)}
              data-autofocus
              data-testid="rename-input"
              error={error}
            />
            <DialogActions onCancel={onClose}>
              <Button type="submit" data-testid="rename-submit">
                {t('save')}
              </Button>
            </DialogActions>
          </Stack>
        </form>
      )}
    </Modal>
  );
}

function DeleteModal({ project, onClose, onDone }: ProjectDialogProps): React.JSX.Element {
  const { t } = useTranslation();
  const [typed, setTyped] = useState('');
  const [error, setError] = useState<string | null>(null);
  return (
    <Modal
      opened={project !== null}
      onClose={onClose}
      title={project ? t('deleteTitle', { name: project.name }) : ''}
    >
      {project && (
        <Stack>
          <Alert color="red">{t('deleteWarning')}</Alert>
          <TextInput
            label={t('deleteConfirmLabel')}
            placeholder={project.name}
            value={typed}
            onChange={(e) => setTyped(e.currentTarget.value)}
            data-testid="delete-confirm-input"
            error={error}
          />
          <DialogActions onCancel={onClose}>
            <Button
              color="red"
              disabled={typed.trim() !== project.name}
              data-testid="delete-submit"
              onClick={() => {
                call('projects.delete', { projectId: project.id, confirmName: typed })
                  .then(() => {
                    setTyped('');
                    onDone();
                  })
                  .catch((x: unknown) => setError(errorText(x)));
              }}
            >
              {t('delete')}
            </Button>
          </DialogActions>
        </Stack>
      )}
    </Modal>
  );
}

/** The first screen: every project, with create, rename, delete (confirmed by name) and open. */
export function ProjectList({ onOpen }: Props): React.JSX.Element {
  const { t } = useTranslation();
  const projects = useQuery('projects.list', {});
  // A project created, renamed or deleted elsewhere (the CLI, another tab), or one whose data changed, shows at once.
  // (Not on every saved review label: the cards do not show them and another tab may be labelling at speed.)
  useEvent('project.changed', (e) => {
    if (e.what !== 'annotations') projects.reload();
  });
  const [creating, { open, close }] = useDisclosure(false);
  const [renaming, setRenaming] = useState<Project | null>(null);
  const [deleting, setDeleting] = useState<Project | null>(null);
  return (
    <Stack data-testid="project-list">
      <Group justify="space-between">
        <div>
          <Title order={2}>{t('projects')}</Title>
          <Text c="dimmed">{t('tagline')}</Text>
        </div>
        <Button leftSection={<IconPlus size={16} />} onClick={open} data-testid="new-project">
          {t('newProject')}
        </Button>
      </Group>
      {projects.error && <Alert color="red">{projects.error.message}</Alert>}
      {projects.data?.length === 0 && <Text c="dimmed">{t('noProjects')}</Text>}
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }}>
        {projects.data?.map((p) => (
          <Card
            key={p.id}
            withBorder
            shadow="xs"
            padding="lg"
            data-testid="project-card"
            data-project-name={p.name}
          >
            <Group justify="space-between" wrap="nowrap" align="flex-start">
              <Text fw={600} size="lg" lineClamp={2}>
                {p.name}
              </Text>
              <Menu position="bottom-end">
                <Menu.Target>
                  <ActionIcon variant="subtle" aria-label={t('rename')} data-testid="project-menu">
                    <IconDots size={18} />
                  </ActionIcon>
                </Menu.Target>
                <Menu.Dropdown>
                  <Menu.Item
                    leftSection={<IconPencil size={14} />}
                    onClick={() => setRenaming(p)}
                    data-testid="project-rename"
                  >
                    {t('rename')}
                  </Menu.Item>
                  <Menu.Item
                    color="red"
                    leftSection={<IconTrash size={14} />}
                    onClick={() => setDeleting(p)}
                    data-testid="project-delete"
                  >
                    {t('delete')}
                  </Menu.Item>
                </Menu.Dropdown>
              </Menu>
            </Group>
            {p.description && (
              <Text size="sm" c="dimmed" lineClamp={3} mt={4}>
                {p.description}
              </Text>
            )}
            <Group gap="xs" mt="sm">
              {p.isDemo && <Badge color="grape">{t('demo')}</Badge>}
              {p.kind === 'multi' && (
                <Badge color="teal" data-testid="project-multilabel">
                  {t('multiLabel')}
                </Badge>
              )}
              <Badge variant="light">{t('examples', { count: p.exampleCount })}</Badge>
              <Badge variant="light" color="gray">
                {t('labels', { count: p.labelCount })}
              </Badge>
            </Group>
            <Button mt="md" fullWidth variant="light" onClick={() => onOpen(p.id)} data-testid="project-open">
              {t('open')}
            </Button>
          </Card>
        ))}
      </SimpleGrid>
      <CreateModal
        opened={creating}
        onClose={close}
        onCreated={(p) => {
          close();
          projects.reload();
          onOpen(p.id);
        }}
      />
      <RenameModal
        project={renaming}
        onClose={() => setRenaming(null)}
        onDone={() => {
          setRenaming(null);
          projects.reload();
        }}
      />
      <DeleteModal
        project={deleting}
        onClose={() => setDeleting(null)}
        onDone={() => {
          setDeleting(null);
          projects.reload();
        }}
      />
    </Stack>
  );
}
