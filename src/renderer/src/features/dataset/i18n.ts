/** Strings of the dataset step, English and Simplified Chinese: every key in both. */
export const datasetI18n = {
  en: {},
  'zh-CN': {},
};
