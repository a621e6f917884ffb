/** Strings of the teacher step, English and Simplified Chinese: every key in both. */
export const teacherI18n = {
  en: {},
  'zh-CN': {},
};
