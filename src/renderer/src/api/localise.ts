import { locales } from 'zod';
import type { Api } from '../../../shared/api';
import type { Job } from '../../../shared/jobs';
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

/** A failed job's message in the UI's language, from its key when the failure had one. */
export function localiseJob<T extends Job>(job: T, language: string = i18n.language): T {
  if (job.state !== 'failed' || job.error === null || !job.errorKey || !language.startsWith('zh')) return job;
  const message = errorMessage(
    {
      code: job.errorCode ?? 'INTERNAL',
      message: job.error,
      key: job.errorKey,
      params: job.errorParams ?? {},
    },
    language,
  );
  return { ...job, error: message };
}

function isJob(v: unknown): v is Job {
  return (
    typeof v === 'object' && v !== null && 'errorKey' in v && 'state' in v && 'kind' in v && 'progress' in v
  );
}

/** Jobs in a result (a job, a list of jobs, or a `job` field), worded in the UI's language. */
function localiseJobs(value: unknown): unknown {
  if (isJob(value)) return localiseJob(value);
  if (Array.isArray(value))
    return value.some(isJob) ? value.map((v) => (isJob(v) ? localiseJob(v) : v)) : value;
  if (typeof value === 'object' && value !== null && 'job' in value && isJob(value.job))
    return { ...value, job: localiseJob(value.job) };
  return value;
}

/**
 * The API with every error result's message in the UI's language (read at the time the error arrives), and the
 * message of every failed job it hands over (results and `job.updated` events) likewise.
 */
export function withLocalisedErrors(api: Api): Api {
  return {
    mode: api.mode,
    on: (event, listener) =>
      api.on(event, (payload) =>
        listener(event === 'job.updated' ? (localiseJobs(payload) as typeof payload) : payload),
      ),
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
      return r.ok
        ? { ok: true, value: localiseJobs(r.value) as typeof r.value }
        : { ok: false, error: localiseError(r.error) };
    },
  };
}
