/** Strings of the student step, English and Simplified Chinese: every key in both. */
export const studentI18n = {
  en: {},
  'zh-CN': {},
};
