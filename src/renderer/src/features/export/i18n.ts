/** Strings of the export step, English and Simplified Chinese: every key in both. */
export const exportI18n = {
  en: {},
  'zh-CN': {},
};
