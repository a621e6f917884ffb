import { migration001 } from './001_initial';
import { migration002 } from './002_data';
import { migration003 } from './003_teacher';
import { migration004 } from './004_review';
import { migration005 } from './005_student';
import { migration006 } from './006_evaluation';
import { migration007 } from './007_export';
import { migration008ImportSplit } from './008_import_split';
import { migration009TeacherDrafts } from './009_teacher_drafts';
import { migration010Ids } from './010_ids';
import { migration011LabelViews } from './011_label_views';
import { migration012Multilabel } from './012_multilabel';
import { migration013Team } from './013_team';
import { migration014Masking } from './014_masking';
import { migration015AnnotatorLabelSets } from './015_annotator_label_sets';
import { migration016PromptVersions } from './016_prompt_versions';
import { migration017TeamAdjudicationSets } from './017_team_adjudication_sets';
import { migration018ReviewRandomOrder } from './018_review_random_order';
import { migration019LabelRules } from './019_label_rules';
import { migration020DeferredIndexes } from './020_deferred_indexes';
import { migration021ReviewCounts } from './021_review_counts';
import { migration022ExampleCounts } from './022_example_counts';
import { migration023LabelCounts } from './023_label_counts';
import type { Migration } from './types';

/**
 * Numbered migrations: MIGRATIONS[i] takes the schema from version i to i + 1 (PRAGMA user_version).
 * Each feature owns one slot so that features can grow in parallel; an empty slot is a no-op. A migration is SQL,
 * or a function for a change that depends on the schema it finds (rebuilding a table from its current definition).
 */
export const MIGRATIONS: readonly Migration[] = [
  migration001,
  migration002,
  migration003,
  migration004,
  migration005,
  migration006,
  migration007,
  migration008ImportSplit,
  migration009TeacherDrafts,
  migration010Ids,
  migration011LabelViews,
  migration012Multilabel,
  migration013Team,
  migration014Masking,
  migration015AnnotatorLabelSets,
  migration016PromptVersions,
  migration017TeamAdjudicationSets,
  migration018ReviewRandomOrder,
  migration019LabelRules,
  migration020DeferredIndexes,
  migration021ReviewCounts,
  migration022ExampleCounts,
  migration023LabelCounts,
];

export const SCHEMA_VERSION = MIGRATIONS.length;
