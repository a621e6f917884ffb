import { locales } from 'zod';
import type { Api } from '../../../shared/api';
import { errorMessage } from '../../../shared/errorMessages';
import type { AppErrorInfo } from '../../../shared/result';
import { i18n } from '../i18n';

const zhIssues = locales.zhCN();

interface Issue {
  readonly code?: unknown;
  readonly path?: ReadonlyArray<string | number>;
}

/**
 * An error from the core in the UI's language: a catalogue message (key + parameters) translated; a request that
 * failed validation worded by zod's Chinese locale; anything else as its code's sentence with the English detail.
 */
export function localiseError(info: AppErrorInfo, language: string = i18n.language): AppErrorInfo {
  if (!language.startsWith('zh')) return info;
  const issue = Array.isArray(info.details) ? (info.details[0] as Issue | undefined) : undefined;
  if (info.code === 'INVALID_INPUT' && !info.key && issue && typeof issue.code === 'string') {
    // zod's wording, without the received value it does not have here.
    const text = zhIssues.localeError(issue as never);
    const message = (typeof text === 'string' ? text : (text?.message ?? '')).replace(/，实际接收.*$/, '');
    const where = issue.path?.length ? `（${issue.path.join('.')}）` : '';
    return { ...info, message: `${message}${where}` };
  }
  return { ...info, message: errorMessage(info, language) };
}

/** The API with every error result's message in the UI's language (read at the time the error arrives). */
export function withLocalisedErrors(api: Api): Api {
  return {
    mode: api.mode,
    on: (event, listener) => api.on(event, listener),
    saveFile: async (path, name) => {
      const r = await api.saveFile(path, name);
      return r.ok ? r : { ok: false, error: localiseError(r.error) };
    },
    provideFile: async (file) => {
      const r = await api.provideFile(file);
      return r.ok ? r : { ok: false, error: localiseError(r.error) };
    },
    provideFolder: async (folder, onProgress) => {
      const r = await api.provideFolder(folder, onProgress);
      return r.ok ? r : { ok: false, error: localiseError(r.error) };
    },
    invoke: async (channel, request) => {
      const r = await api.invoke(channel, request);
      return r.ok ? r : { ok: false, error: localiseError(r.error) };
    },
  };
}
