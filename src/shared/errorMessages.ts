import type { ErrorCode } from './result';
import { serverErrorsEn, serverErrorsZh } from './serverErrorMessages';

/**
 * Error messages with a stable key and parameters, in English and Simplified Chinese. The core builds an error's
 * English `message` from the English template (the CLI and logs show it); the UI shows the template of its own
 * language with the same parameters. An error without a key is shown with its code's sentence in the UI language and
 * the core's English message as the detail. Templates use i18next's {{name}} placeholders.
 */
const en = {
  code: {
    INVALID_INPUT: 'The request was not valid.',
    NOT_FOUND: 'It does not exist (it may have been deleted).',
    CONFLICT: 'This clashes with something that already exists or is running.',
    UNAUTHORIZED: 'Log in again.',
    FORBIDDEN: 'Your role does not allow this.',
    UNKNOWN_CHANNEL: 'This version of Distillery does not know that request.',
    DB_NOT_SQLITE: 'The database file is not a SQLite database.',
    DB_NEWER_VERSION: 'The database was written by a newer Distillery: update this one.',
    DB_LOCKED: 'The database stayed busy for too long; try again.',
    NATIVE_MODULE: 'A native module was built for another platform: reinstall Distillery.',
    BAD_FILE: 'The file could not be read.',
    TOO_LARGE: 'This is too large.',
    DISK_FULL: 'The disk is full. Free some space and try again; nothing was lost.',
    CANCELLED: 'Cancelled.',
    JOB_STATE: 'The job is not in a state that allows this.',
    MODEL_ERROR: 'The model failed.',
    TRAINING_ERROR: 'Training failed.',
    UNSUPPORTED: 'This is not supported.',
    INTERNAL: 'Something unexpected went wrong.',
  } satisfies Record<ErrorCode, string>,
  /** The things notFound() names. */
  thing: {
    Project: 'Project',
    Document: 'Document',
    Job: 'Job',
    Label: 'Label',
    'Teacher model': 'Teacher model',
    'Teacher run': 'Teacher run',
    'Training run': 'Training run',
    Upload: 'Upload',
  },
  detail: '{{message}} (details: {{detail}})',
  notFound: '{{what}} {{id}} does not exist (it may have been deleted).',
  unknownChannel: 'There is no request named "{{channel}}".',
  forbiddenRole:
    "Your role ({{role}}) does not allow this; it needs a {{needed}}. Ask your team's lead or administrator.",
  forbiddenProject: 'You are not assigned to this project. Ask your lead to assign you documents.',
  uploadsOnly:
    'In browser mode a request can only use a file chosen with the file picker (uploaded to Distillery), not a path on the server. Choose the file again.',
  diskFull: 'The disk is full. Free some space and try again; nothing was lost.',
  diskFullDb: 'The disk holding the data folder is full. Free some space and try again; nothing was lost.',
  dbLocked:
    'The database stayed busy (another program held it) for too long. Close that program and try again; an interrupted job can be resumed.',
  internal: 'Unexpected error: {{detail}}',
  maskRegexSyntax: '"{{pattern}}" is not a valid regular expression: {{detail}}.',
  maskRegexEmpty:
    '"{{pattern}}" matches the empty text, so it would mask nothing and everything at once. Make it need at least one character (for example + instead of *).',
  maskRegexTimeout:
    'The masking rule "{{rule}}" ran longer than {{ms}} ms on one text: its expression backtracks catastrophically (nested repetition such as (a+)+ or (\\w|\\d)*). Simplify it, or switch the rule off.',
  maskRuleExists:
    'A masking rule named "{{rule}}" already exists: choose another name, or remove that rule first.',
  maskRuleMissing: 'There is no masking rule "{{rule}}" in this project.',
  maskBuiltinRemove: '"{{rule}}" is a built-in rule: switch it off instead of removing it.',
  projectNameTaken: 'A project named "{{name}}" already exists. Choose another name.',
  fileNoPath: 'This file has no path on disk; save it first.',
  folderNoPath: 'This folder has no path on disk; choose it again.',
  uploadNeedsLength: 'An upload must say its size (Content-Length). Use the file picker of the page.',
  uploadTooLarge:
    'The file is larger than {{gb}} GB, the most one upload may be. Run Distillery as the desktop app or the command line to use it from its folder.',
  uploadNoSpace:
    'The upload needs {{needMb}} MB and the disk holding the data folder has {{freeMb}} MB free. Free some space and try again.',
  uploadCutShort:
    'The upload of "{{name}}" was cut short. Check the connection to the server and choose it again.',
  folderUploadAnnounce:
    'Announce a folder upload as {"name": ..., "files": ..., "bytes": ...} (whole numbers).',
  downloadTicketBody: 'Ask for a download as {"path": ..., "name": ...} (text) in JSON.',
  folderUploadEmpty:
    'The folder "{{name}}" holds no .txt or .md documents. Put one document per file in it (sub-folders may name labels).',
  folderUploadTooMany:
    'The folder holds {{count}} documents; one upload takes at most {{max}}. Import it one sub-folder at a time, or use the desktop app or "distillery data import".',
  badAnswer:
    'The server answered "{{channel}}" with data this page cannot read ({{problem}}). Reload the page; if it happens again, the server and this page are from different versions of Distillery.',
  folderUploadGone:
    'This folder upload has ended (a file failed, it lay unfinished, or the server restarted). Choose the folder again.',
  folderUploadBadPath:
    '"{{path}}" cannot be part of an uploaded folder: hidden names, ".." and empty names are left out. Rename it and choose the folder again.',
  folderUploadType:
    '"{{path}}" is not a document a folder import reads (only .txt, .md and .markdown files).',
  folderUploadMore:
    'The page sent more than the folder it announced ({{files}} files, {{bytes}} bytes). Nothing was kept: choose the folder again.',
  folderUploadDuplicate:
    'Two files of the folder end up with the same name "{{path}}" once made safe for the disk. Rename one and choose the folder again.',
  ...serverErrorsEn,
};

export type ErrorKey = Exclude<keyof typeof en, 'code' | 'thing'>;
type Catalogue = typeof en;

const zh: Catalogue = {
  code: {
    INVALID_INPUT: '请求无效。',
    NOT_FOUND: '对象不存在（可能已被删除）。',
    CONFLICT: '与已有或正在运行的内容冲突。',
    UNAUTHORIZED: '请重新登录。',
    FORBIDDEN: '您的角色无权执行此操作。',
    UNKNOWN_CHANNEL: '此版本的 Distillery 不认识该请求。',
    DB_NOT_SQLITE: '数据库文件不是 SQLite 数据库。',
    DB_NEWER_VERSION: '数据库由更新版本的 Distillery 写入：请升级本程序。',
    DB_LOCKED: '数据库长时间处于繁忙状态，请重试。',
    NATIVE_MODULE: '本机模块是为其他平台编译的：请重新安装 Distillery。',
    BAD_FILE: '无法读取该文件。',
    TOO_LARGE: '内容过大。',
    DISK_FULL: '磁盘已满。请释放空间后重试；没有丢失任何数据。',
    CANCELLED: '已取消。',
    JOB_STATE: '该任务当前的状态不允许此操作。',
    MODEL_ERROR: '模型出错。',
    TRAINING_ERROR: '训练失败。',
    UNSUPPORTED: '不支持此操作。',
    INTERNAL: '发生了意外错误。',
  },
  thing: {
    Project: '项目',
    Document: '文档',
    Job: '任务',
    Label: '标签',
    'Teacher model': '教师模型',
    'Teacher run': '教师运行',
    'Training run': '训练运行',
    Upload: '上传文件',
  },
  detail: '{{message}}（详情：{{detail}}）',
  notFound: '{{what}} {{id}} 不存在（可能已被删除）。',
  unknownChannel: '不存在名为“{{channel}}”的请求。',
  forbiddenRole: '您的角色（{{role}}）无权执行此操作，需要 {{needed}} 角色。请联系团队负责人或管理员。',
  forbiddenProject: '您未被分配到此项目。请让负责人为您分配文档。',
  uploadsOnly:
    '在浏览器模式下，请求只能使用通过文件选择器选择（上传到 Distillery）的文件，不能使用服务器上的路径。请重新选择文件。',
  diskFull: '磁盘已满。请释放空间后重试；没有丢失任何数据。',
  diskFullDb: '存放数据文件夹的磁盘已满。请释放空间后重试；没有丢失任何数据。',
  dbLocked: '数据库长时间被其他程序占用。请关闭该程序后重试；中断的任务可以继续。',
  internal: '意外错误：{{detail}}',
  maskRegexSyntax: '“{{pattern}}”不是有效的正则表达式：{{detail}}。',
  maskRegexEmpty:
    '“{{pattern}}”能匹配空文本，会导致什么都遮蔽不了或处处遮蔽。请让它至少匹配一个字符（例如用 + 代替 *）。',
  maskRegexTimeout:
    '遮蔽规则“{{rule}}”在一篇文本上运行超过 {{ms}} 毫秒：其表达式存在灾难性回溯（例如 (a+)+ 或 (\\w|\\d)* 这类嵌套重复）。请简化表达式，或关闭该规则。',
  maskRuleExists: '已存在名为“{{rule}}”的遮蔽规则：请换一个名称，或先删除该规则。',
  maskRuleMissing: '本项目中没有名为“{{rule}}”的遮蔽规则。',
  maskBuiltinRemove: '“{{rule}}”是内置规则：请关闭它，而不是删除。',
  projectNameTaken: '已存在名为“{{name}}”的项目。请换一个名称。',
  fileNoPath: '该文件在磁盘上没有路径；请先保存它。',
  folderNoPath: '该文件夹在磁盘上没有路径；请重新选择。',
  uploadNeedsLength: '上传必须说明文件大小（Content-Length）。请使用页面上的文件选择器。',
  uploadTooLarge:
    '文件超过 {{gb}} GB，这是单次上传的上限。请使用桌面版或命令行，直接从文件所在的文件夹使用它。',
  uploadNoSpace: '上传需要 {{needMb}} MB，而存放数据文件夹的磁盘只剩 {{freeMb}} MB。请释放空间后重试。',
  uploadCutShort: '“{{name}}”的上传中断了。请检查与服务器的连接，然后重新选择。',
  folderUploadAnnounce: '请以 {"name": ..., "files": ..., "bytes": ...}（整数）的形式声明文件夹上传。',
  downloadTicketBody: '请以 JSON {"path": ..., "name": ...}（文本）的形式请求下载。',
  folderUploadEmpty:
    '文件夹“{{name}}”中没有 .txt 或 .md 文档。请每个文件放一篇文档（子文件夹名可作为标签）。',
  folderUploadTooMany:
    '该文件夹有 {{count}} 篇文档；单次上传最多 {{max}} 篇。请逐个子文件夹导入，或使用桌面版或“distillery data import”。',
  badAnswer:
    '服务器对“{{channel}}”的回答无法被此页面读取（{{problem}}）。请重新加载页面；如果再次出现，说明服务器与此页面来自不同版本的 Distillery。',
  folderUploadGone: '此文件夹上传已结束（有文件失败、长时间未完成，或服务器已重启）。请重新选择文件夹。',
  folderUploadBadPath:
    '“{{path}}”不能作为上传文件夹的一部分：隐藏名称、“..”和空名称会被排除。请重命名后重新选择文件夹。',
  folderUploadType: '“{{path}}”不是文件夹导入会读取的文档（只读取 .txt、.md 和 .markdown 文件）。',
  folderUploadMore:
    '页面发送的内容超过了它声明的文件夹（{{files}} 个文件，{{bytes}} 字节）。未保留任何内容：请重新选择文件夹。',
  folderUploadDuplicate:
    '文件夹中有两个文件在转换为磁盘安全名称后同名“{{path}}”。请重命名其中一个，然后重新选择文件夹。',
  ...serverErrorsZh,
};

export const ERROR_MESSAGES = { en, 'zh-CN': zh } as const;
export type ErrorLanguage = keyof typeof ERROR_MESSAGES;
export type ErrorParams = Readonly<Record<string, string | number>>;

/** Fills a template's {{name}} placeholders (a missing parameter stays visible as its placeholder). */
export function fillTemplate(template: string, params: ErrorParams = {}): string {
  return template.replace(/\{\{(\w+)\}\}/g, (whole, name: string) =>
    params[name] === undefined ? whole : String(params[name]),
  );
}

/** An error's message in a language: from its key when it has one, else its code's sentence with the English detail. */
export function errorMessage(
  info: {
    readonly code: ErrorCode;
    readonly message: string;
    readonly key?: string;
    readonly params?: ErrorParams;
  },
  language: string,
): string {
  const lang: ErrorLanguage = language.startsWith('zh') ? 'zh-CN' : 'en';
  if (lang === 'en') return info.message;
  const c = ERROR_MESSAGES[lang];
  const template = info.key ? (c as unknown as Record<string, unknown>)[info.key] : undefined;
  if (typeof template === 'string') {
    const params = { ...info.params };
    if (typeof params.what === 'string')
      params.what = c.thing[params.what as keyof Catalogue['thing']] ?? params.what;
    return fillTemplate(template, params);
  }
  return fillTemplate(c.detail, { message: c.code[info.code], detail: info.message });
}
