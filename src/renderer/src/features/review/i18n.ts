/** Strings of the review step, English and Simplified Chinese: every key in both. */
export const reviewI18n = {
  en: {},
  'zh-CN': {},
};
