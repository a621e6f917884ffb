import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import { commonI18n } from './common.i18n';
import { datasetI18n } from './features/dataset/i18n';
import { evaluationI18n } from './features/evaluation/i18n';
import { exportI18n } from './features/export/i18n';
import { guideI18n } from './features/guide/i18n';
import { reviewI18n } from './features/review/i18n';
import { studentI18n } from './features/student/i18n';
import { teacherI18n } from './features/teacher/i18n';
import { teamI18n } from './features/team/i18n';

/** One namespace per feature (useTranslation('dataset')), plus `common` for the frame. */
const namespaces = {
  common: commonI18n,
  dataset: datasetI18n,
  teacher: teacherI18n,
  review: reviewI18n,
  student: studentI18n,
  evaluation: evaluationI18n,
  export: exportI18n,
  guide: guideI18n,
  team: teamI18n,
};

const resources: Record<string, Record<string, object>> = { en: {}, 'zh-CN': {} };
for (const [ns, bundle] of Object.entries(namespaces)) {
  resources.en[ns] = bundle.en;
  resources['zh-CN'][ns] = bundle['zh-CN'];
}

void i18n.use(initReactI18next).init({
  resources,
  lng: 'en',
  fallbackLng: 'en',
  defaultNS: 'common',
  ns: Object.keys(namespaces),
  interpolation: { escapeValue: false },
});

export { i18n };
