import { Code, Group, Stack, Text, Title } from '@mantine/core';
import { IconEye } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { PromptText } from '../../../../shared/teacher';
import { ActionButton } from '../../components/ActionButton';
import { call } from '../../api';
import { CURRENT, IdsInput, parseIds, PromptSelect, useLabAction, versionId } from './promptLabParts';
import type { LabPartProps } from './promptLabParts';

/** The exact text the model reads for one document, with the current prompt or a saved version. */
export function PromptTextView({ request, list, ready, onError }: LabPartProps): React.JSX.Element {
  const { t } = useTranslation('teacher');
  const [textDoc, setTextDoc] = useState('');
  const [textVersion, setTextVersion] = useState(CURRENT);
  const [shown, setShown] = useState<PromptText | null>(null);
  const showText = useLabAction(onError, async () => {
    const ids = parseIds(textDoc);
    if (!ids || ids.length !== 1) {
      onError(t('lab.oneDocument'));
      return;
    }
    setShown(
      await call('teacher.promptText', { ...request, exampleId: ids[0], versionId: versionId(textVersion) }),
    );
  });
  return (
    <>
      <Title order={5} mt="md">
        {t('lab.exactText')}
      </Title>
      <Group align="flex-end">
        <IdsInput
          label={t('lab.documentId')}
          placeholder="12"
          w={160}
          value={textDoc}
          onChange={setTextDoc}
          testId="prompt-text-doc"
        />
        <PromptSelect
          list={list}
          value={textVersion}
          onChange={setTextVersion}
          testId="prompt-text-version"
        />
        <ActionButton
          variant="light"
          leftSection={<IconEye size={16} />}
          disabled={!ready || !textDoc.trim()}
          action={showText}
          testId="prompt-text-show"
        >
          {t('lab.showText')}
        </ActionButton>
      </Group>
      {shown && (
        <Stack gap={4} mt="xs">
          <Text size="xs" c="dimmed">
            {shown.modelText === null
              ? t('lab.remoteTemplate')
              : t('lab.tokens', { count: shown.tokens ?? 0 })}
          </Text>
          <Code
            block
            data-testid="prompt-text"
            style={{ whiteSpace: 'pre-wrap', maxHeight: 360, overflow: 'auto' }}
          >
            {shown.modelText ?? shown.userTurn}
          </Code>
        </Stack>
      )}
    </>
  );
}
