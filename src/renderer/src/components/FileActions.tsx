import { Anchor, Button, Group, type ButtonProps } from '@mantine/core';
import { IconDownload } from '@tabler/icons-react';
import { useRef, type ReactNode } from 'react';
import { api } from '../api';

/**
 * A button that opens the file chooser (a hidden file input) and hands over the chosen file; the input is reset,
 * so choosing the same file again picks it again.
 */
export function FilePickButton({
  onPick,
  accept,
  inputTestId,
  testId,
  children,
  ...button
}: ButtonProps & {
  onPick: (file: File) => void;
  accept?: string;
  /** data-testid of the hidden input (tests set files on it). */
  inputTestId: string;
  testId?: string;
  children: ReactNode;
}): React.JSX.Element {
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <input
        ref={input}
        type="file"
        hidden
        accept={accept}
        data-testid={inputTestId}
        onChange={(e) => {
          const f = e.currentTarget.files?.[0];
          e.currentTarget.value = '';
          if (f) onPick(f);
        }}
      />
      <Button {...button} onClick={() => input.current?.click()} data-testid={testId}>
        {children}
      </Button>
    </>
  );
}

/**
 * A button that opens the folder chooser (`<input webkitdirectory>`, Chromium and Electron) and hands over every file
 * of the chosen folder, each with its `webkitRelativePath`.
 */
export function FolderPickButton({
  onPick,
  inputTestId,
  testId,
  children,
  ...button
}: ButtonProps & {
  onPick: (files: File[]) => void;
  inputTestId: string;
  testId?: string;
  children: ReactNode;
}): React.JSX.Element {
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <input
        ref={(el) => {
          input.current = el;
          // Not in React's attribute types; the standard name once browsers agree on one.
          el?.setAttribute('webkitdirectory', '');
        }}
        type="file"
        multiple
        hidden
        data-testid={inputTestId}
        onChange={(e) => {
          const files = [...(e.currentTarget.files ?? [])];
          e.currentTarget.value = '';
          if (files.length) onPick(files);
        }}
      />
      <Button {...button} onClick={() => input.current?.click()} data-testid={testId}>
        {children}
      </Button>
    </>
  );
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
