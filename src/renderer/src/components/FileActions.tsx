import { Anchor, Button, Group, type ButtonProps } from '@mantine/core';
import { IconDownload } from '@tabler/icons-react';
import { useRef, type ReactNode } from 'react';
import { api } from '../api';

interface PickProps extends ButtonProps {
  /** data-testid of the hidden input (tests set files on it). */
  inputTestId: string;
  testId?: string;
  children: ReactNode;
}

/**
 * A button that opens the browser's chooser (a hidden file input) and hands over what was chosen; the input is reset,
 * so choosing the same file or folder again picks it again. `folder` chooses a whole folder
 * (`<input webkitdirectory>`, Chromium and Electron).
 */
function PickButton({
  onFiles,
  accept,
  folder,
  inputTestId,
  testId,
  children,
  ...button
}: PickProps & {
  onFiles: (files: File[]) => void;
  accept?: string;
  folder: boolean;
}): React.JSX.Element {
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <input
        ref={(el) => {
          input.current = el;
          // Not in React's attribute types; the standard name once browsers agree on one.
          if (folder) el?.setAttribute('webkitdirectory', '');
        }}
        type="file"
        multiple={folder}
        hidden
        accept={accept}
        data-testid={inputTestId}
        onChange={(e) => {
          const files = [...(e.currentTarget.files ?? [])];
          e.currentTarget.value = '';
          if (files.length) onFiles(files);
        }}
      />
      <Button {...button} onClick={() => input.current?.click()} data-testid={testId}>
        {children}
      </Button>
    </>
  );
}

/** A button that opens the file chooser and hands over the chosen file. */
export function FilePickButton({
  onPick,
  ...props
}: PickProps & { onPick: (file: File) => void; accept?: string }): React.JSX.Element {
  return <PickButton {...props} folder={false} onFiles={(files) => onPick(files[0])} />;
}

/** A button that opens the folder chooser and hands over every file of the chosen folder, each with its `webkitRelativePath`. */
export function FolderPickButton({
  onPick,
  ...props
}: PickProps & { onPick: (files: File[]) => void }): React.JSX.Element {
  return <PickButton {...props} folder onFiles={onPick} />;
}

/** A link that saves a file the app wrote (a save dialog in Electron, a download in browser mode). */
export function SaveFileLink({
  path,
  fileName,
  testId,
  children,
}: {
  path: string;
  fileName: string;
  testId: string;
  children: ReactNode;
}): React.JSX.Element {
  return (
    <Anchor component="button" onClick={() => void api.saveFile(path, fileName)} data-testid={testId}>
      <Group gap={4}>
        <IconDownload size={14} />
        {children}
      </Group>
    </Anchor>
  );
}
