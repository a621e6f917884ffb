/** Strings of the evaluation step, English and Simplified Chinese: every key in both. */
export const evaluationI18n = {
  en: {},
  'zh-CN': {},
};
