import { z } from 'zod';
import { channel } from './channel';
import { JobAnswer } from './jobAnswer';

/**
 * Review queues: which documents a person goes through, in which order.
 * - unreviewed: no human label yet, in document order.
 * - uncertain: no human label yet, the teacher's most uncertain first (entropy high or margin low).
 * - disagree: the teacher's label differs from the current human label.
 * - random: no human label yet, in a fixed pseudo-random order (an unbiased sample, e.g. for the test set).
 * - label: documents whose current label (human, else the teacher's) is `labelId`.
 * - conflicts: two annotators gave different labels (to adjudicate).
 * - requested: documents sent from the Evaluate step for a person to check, until someone labels them.
 * - all: every document, in document order.
 */
export const QUEUE_KINDS = [
  'unreviewed',
  'uncertain',
  'disagree',
  'random',
  'label',
  'conflicts',
  'requested',
  'all',
] as const;
export type QueueKind = (typeof QUEUE_KINDS)[number];
export const SPLITS = ['train', 'validation', 'test'] as const;
export type Split = (typeof SPLITS)[number];

/** Fewer gold labels than this in a class and its test scores are too noisy to trust. */
export const MIN_GOLD_PER_CLASS = 30;

/** The most documents `review.upcoming` fetches ahead in one request. */
export const UPCOMING_MAX = 20;

export const QueueSpecSchema = z.object({
  kind: z.enum(QUEUE_KINDS),
  /** For `uncertain`: entropy (high first) or margin between the two top labels (low first). */
  uncertainBy: z.enum(['entropy', 'margin']).optional(),
  /** For `label`. */
  labelId: z.number().int().positive().optional(),
  split: z.enum(SPLITS).nullable().optional(),
  /** Words to find in the text (all must occur, case-insensitive). */
  search: z.string().max(200).optional(),
});
export type QueueSpec = z.infer<typeof QueueSpecSchema>;

/** A multi-label teacher says a label applies when its probability is at least this (its own question's "yes"). */
export const MULTI_LABEL_THRESHOLD = 0.5;

/** A label set as stored and sent: label ids, sorted, no repeats; [] is "none of these". */
export const LabelSetSchema = z.array(z.number().int().positive()).max(1000);

export const TeacherView = z
  .object({
    runId: z.number(),
    /**
     * Single-label: a distribution over the labels (sums to 1). Multi-label: each label's own probability that it
     * applies (independent; they need not sum to 1).
     */
    probs: z.array(z.object({ labelId: z.number(), name: z.string(), prob: z.number() })).readonly(),
    /** Single-label: the teacher's label. Multi-label: null (see predictedSet). */
    predictedLabelId: z.number().nullable(),
    /** Multi-label: the labels at or above MULTI_LABEL_THRESHOLD, sorted by id; null in a single-label project. */
    predictedSet: z.array(z.number()).readonly().nullable(),
    /**
     * Single-label: the probability of the predicted label. Multi-label: how sure the teacher is of its least sure
     * label, min_k max(p_k, 1 - p_k) = (1 + margin) / 2.
     */
    confidence: z.number(),
    /** Single-label: entropy in nats. Multi-label: the mean binary entropy over the labels. */
    entropy: z.number(),
    /** Single-label: the top two probabilities' difference. Multi-label: min_k |2 p_k - 1|. */
    margin: z.number(),
    reasoning: z.string().nullable(),
  })
  .readonly();
export type TeacherView = z.output<typeof TeacherView>;

export const AnnotationView = z
  .object({
    id: z.number(),
    labelId: z.number().nullable(),
    labelName: z.string().nullable(),
    /** Multi-label: the set given ([] is "none of these"); null on a single-label annotation. */
    labelSet: z.array(z.number()).readonly().nullable(),
    annotator: z.string(),
    source: z.enum(['import', 'human', 'teacher_accept', 'bulk', 'merge']),
    acceptedTeacher: z.boolean().nullable(),
    timeSpentMs: z.number().nullable(),
    createdAt: z.string(),
    retractedAt: z.string().nullable(),
  })
  .readonly();
export type AnnotationView = z.output<typeof AnnotationView>;

/** One document as the review screen shows it. */
export const ReviewItem = z
  .object({
    exampleId: z.number(),
    text: z.string(),
    split: z.enum(SPLITS).nullable(),
    /** The current human label (the same definition as training and evaluation use). */
    humanLabelId: z.number().nullable(),
    /** This annotator's own current label of it. */
    myLabelId: z.number().nullable(),
    /** Multi-label: the current human label set (null: nobody answered yet; [] is "none of these"). */
    humanLabelSet: z.array(z.number()).readonly().nullable(),
    /** Multi-label: this annotator's own current set. */
    myLabelSet: z.array(z.number()).readonly().nullable(),
    teacher: TeacherView.nullable(),
    history: z.array(AnnotationView).readonly(),
  })
  .readonly();
export type ReviewItem = z.output<typeof ReviewItem>;

export const QueueCounts = z
  .object({
    counts: z.record(z.enum(QUEUE_KINDS), z.number()).readonly(),
    byLabel: z.array(z.object({ labelId: z.number(), count: z.number() })).readonly(),
    total: z.number(),
    hasTeacher: z.boolean(),
  })
  .readonly();
export type QueueCounts = z.output<typeof QueueCounts>;

export const ReviewPosition = z
  .object({ queue: QueueSpecSchema, exampleId: z.number().nullable() })
  .readonly();
export type ReviewPosition = z.output<typeof ReviewPosition>;

export const ReviewState = z
  .object({
    annotator: z.string(),
    /** 'multi': a document takes a set of labels (keys toggle, Enter saves the set). */
    kind: z.enum(['single', 'multi']),
    labels: z
      .array(
        z.object({
          id: z.number(),
          name: z.string(),
          color: z.string().nullable(),
          hotkey: z.string().nullable(),
          description: z.string(),
        }),
      )
      .readonly(),
    annotators: z.array(z.string()).readonly(),
    /** Where this annotator was; null on a first visit. */
    position: ReviewPosition.nullable(),
    item: ReviewItem.nullable(),
  })
  .readonly();
export type ReviewState = z.output<typeof ReviewState>;

export const AnnotateResult = z
  .object({
    annotationId: z.number(),
    /** The next document of the queue (null at its end). */
    next: ReviewItem.nullable(),
  })
  .readonly();
export type AnnotateResult = z.output<typeof AnnotateResult>;

export const UndoResult = z
  .object({
    /** How many annotations were retracted (a bulk action counts all of its rows). */
    retracted: z.number(),
    /** The document the undone label was on, to show it again. */
    item: ReviewItem.nullable(),
  })
  .readonly();
export type UndoResult = z.output<typeof UndoResult>;

/** The result of a `review.bulkAccept` job. */
export const BulkAcceptResult = z.object({ accepted: z.number() }).readonly();
export type BulkAcceptResult = z.output<typeof BulkAcceptResult>;

export const BulkPreview = z
  .object({
    /** Documents without a human label in the filtered set whose teacher confidence is at least the threshold. */
    count: z.number(),
    /** Single-label: documents per accepted label. Multi-label: documents whose accepted set holds the label. */
    byLabel: z.array(z.object({ labelId: z.number(), name: z.string(), count: z.number() })).readonly(),
    /** Multi-label: of `count`, the documents whose accepted set is empty ("none of these"). */
    emptySets: z.number(),
    /** How many documents each threshold would accept (the chart). */
    curve: z.array(z.object({ threshold: z.number(), count: z.number() })).readonly(),
    hasTeacher: z.boolean(),
  })
  .readonly();
export type BulkPreview = z.output<typeof BulkPreview>;

export const GoldClass = z
  .object({ labelId: z.number(), name: z.string(), count: z.number(), enough: z.boolean() })
  .readonly();
export type GoldClass = z.output<typeof GoldClass>;

export const GoldSummary = z
  .object({
    testTotal: z.number(),
    labelled: z.number(),
    classes: z.array(GoldClass).readonly(),
    minPerClass: z.number(),
    /** Labels with fewer gold documents than minPerClass. */
    warnings: z.array(z.string()).readonly(),
  })
  .readonly();
export type GoldSummary = z.output<typeof GoldSummary>;

/** Cohen's kappa and friends: null when undefined (e.g. both always gave the same single label). */
const Kappa = z.number().nullable();

export const PairAgreement = z
  .object({
    a: z.string(),
    b: z.string(),
    overlap: z.number(),
    agreed: z.number(),
    /** null when undefined (e.g. both always gave the same single label). */
    kappa: Kappa,
    /** confusion[i][j]: documents a labelled labels[i] and b labelled labels[j]. */
    confusion: z.array(z.array(z.number())),
  })
  .readonly();
export type PairAgreement = z.output<typeof PairAgreement>;

/** One label's agreement in a multi-label project: each annotator's yes/no for the label on each document. */
export const LabelAgreement = z
  .object({
    labelId: z.number(),
    name: z.string(),
    /** Cohen's kappa per pair of annotators over the documents both labelled (null: undefined). */
    pairs: z.array(z.object({ a: z.string(), b: z.string(), overlap: z.number(), kappa: Kappa })).readonly(),
    /** Fleiss' kappa over the documents every listed annotator labelled (null: fewer than two annotators). */
    fleiss: Kappa,
  })
  .readonly();
export type LabelAgreement = z.output<typeof LabelAgreement>;

/** Multi-label agreement: per label, and over whole sets. */
export const SetAgreement = z
  .object({
    perLabel: z.array(LabelAgreement).readonly(),
    /**
     * Krippendorff's alpha over label sets with the MASI distance (Passonneau 2006): every document labelled by at
     * least two annotators counts. null when undefined (fewer than two such values, or no disagreement possible).
     */
    alpha: z.number().nullable(),
    distance: z.literal('masi'),
    /** Documents labelled by two or more annotators (the units alpha is computed over). */
    units: z.number(),
  })
  .readonly();
export type SetAgreement = z.output<typeof SetAgreement>;

export const AgreementReport = z
  .object({
    annotators: z.array(z.string()).readonly(),
    /** Present in a multi-label project (pairs and fleiss are then empty / null: see sets). */
    sets: SetAgreement.nullable(),
    labels: z.array(z.object({ id: z.number(), name: z.string() })).readonly(),
    pairs: z.array(PairAgreement).readonly(),
    /** Over documents labelled by every listed annotator (needs at least two). */
    fleiss: z.object({ kappa: Kappa, documents: z.number(), raters: z.number() }).readonly().nullable(),
    disagreements: z.number(),
  })
  .readonly();
export type AgreementReport = z.output<typeof AgreementReport>;

/** One line of the project's audit trail: a label given or retracted, or a logged action (bulk, import...). */
export const HistoryEntry = z
  .object({
    at: z.string(),
    actor: z.string(),
    /** 'label' and 'retract' come from the annotations; anything else from the audit log. */
    action: z.string(),
    exampleId: z.number().nullable(),
    labelName: z.string().nullable(),
    source: z.string().nullable(),
    acceptedTeacher: z.boolean().nullable(),
    timeSpentMs: z.number().nullable(),
    /** The audit log's details (JSON text). */
    details: z.string().nullable(),
  })
  .readonly();
export type HistoryEntry = z.output<typeof HistoryEntry>;

export const ImportProblem = z.object({ line: z.number(), message: z.string() }).readonly();
export type ImportProblem = z.output<typeof ImportProblem>;

export const ImportConflict = z
  .object({
    line: z.number(),
    exampleId: z.number(),
    currentLabel: z.string(),
    currentAnnotator: z.string(),
    importedLabel: z.string(),
    importedAnnotator: z.string(),
    /** Multi-label projects: the two sets as label names ([] is "none of these"); currentLabel/importedLabel join them. */
    currentLabels: z.array(z.string()).readonly().optional(),
    importedLabels: z.array(z.string()).readonly().optional(),
  })
  .readonly();
export type ImportConflict = z.output<typeof ImportConflict>;

export const ImportReport = z
  .object({
    lines: z.number(),
    imported: z.number(),
    duplicates: z.number(),
    unknownExamples: z.array(ImportProblem).readonly(),
    unknownLabels: z.array(ImportProblem).readonly(),
    invalid: z.array(ImportProblem).readonly(),
    conflicts: z.array(ImportConflict).readonly(),
    /** True when nothing was written (a preview, or refused because of problems). */
    dryRun: z.boolean(),
  })
  .readonly();
export type ImportReport = z.output<typeof ImportReport>;

/** `review.export`: the annotations as JSONL text, and how many lines it holds. */
export const AnnotationsExport = z.object({ jsonl: z.string(), count: z.number() }).readonly();
export type AnnotationsExport = z.output<typeof AnnotationsExport>;

const ProjectId = z.object({ projectId: z.number().int().positive() });
const annotator = z.string().trim().min(1).max(100).optional();

export const reviewContract = {
  /** Labels, annotators, and where this annotator was (the document to show). */
  'review.state': channel(ReviewState)(ProjectId.extend({ annotator })),
  'review.counts': channel(QueueCounts)(ProjectId.extend({ queue: QueueSpecSchema })),
  /** The document after (or before) `exampleId` in the queue; the first one when `exampleId` is null. */
  'review.next': channel(ReviewItem.nullable())(
    ProjectId.extend({
      queue: QueueSpecSchema,
      exampleId: z.number().int().positive().nullable(),
      direction: z.enum(['next', 'prev']).default('next'),
      annotator,
      /** Only look (fetching ahead): the person's remembered position stays where it is. */
      peek: z.boolean().optional(),
    }),
  ),
  /**
   * The next `count` documents of the queue after `exampleId` (from its start when null), nearest first: the review
   * screen fetches them ahead so that a key press shows the next one at once. Only looks, like `peek`.
   */
  'review.upcoming': channel(z.array(ReviewItem).readonly())(
    ProjectId.extend({
      queue: QueueSpecSchema,
      exampleId: z.number().int().positive().nullable(),
      count: z.number().int().min(1).max(UPCOMING_MAX),
      annotator,
    }),
  ),
  'review.item': channel(ReviewItem)(ProjectId.extend({ exampleId: z.number().int().positive(), annotator })),
  /** Labels one document (saved at once) and returns the next one of the queue. */
  'review.annotate': channel(AnnotateResult)(
    ProjectId.extend({
      exampleId: z.number().int().positive(),
      /** A single-label project's label. */
      labelId: z.number().int().positive().optional(),
      /** A multi-label project's whole set ([] is "none of these"). */
      labelSet: LabelSetSchema.optional(),
      /** True when the person pressed "accept the teacher's label" (its set, in a multi-label project). */
      acceptTeacher: z.boolean().optional(),
      timeSpentMs: z.number().int().min(0).max(86_400_000).optional(),
      queue: QueueSpecSchema,
      annotator,
    }),
  ),
  /** Retracts this annotator's last label change in the project. */
  'review.undo': channel(UndoResult)(ProjectId.extend({ annotator })),
  'review.bulkPreview': channel(BulkPreview)(
    ProjectId.extend({ queue: QueueSpecSchema, minConfidence: z.number().min(0).max(1) }),
  ),
  /** Starts a job (pause, cancel, resume after a crash); its result is `{ accepted }`. */
  'review.bulkAccept': channel(JobAnswer)(
    ProjectId.extend({ queue: QueueSpecSchema, minConfidence: z.number().min(0).max(1), annotator }),
  ),
  'review.gold': channel(GoldSummary)(ProjectId),
  'review.agreement': channel(AgreementReport)(
    ProjectId.extend({ annotators: z.array(z.string().min(1).max(100)).max(50).optional() }),
  ),
  'review.history': channel(z.array(HistoryEntry).readonly())(
    ProjectId.extend({
      exampleId: z.number().int().positive().optional(),
      limit: z.number().int().min(1).max(1000).default(200),
    }),
  ),
  'review.export': channel(AnnotationsExport)(
    ProjectId.extend({ annotator: z.string().min(1).max(100).optional() }),
  ),
  'review.import': channel(ImportReport)(
    ProjectId.extend({
      /** The JSONL text itself (small files), or */
      jsonl: z.string().max(9_000_000).optional(),
      /** the JSONL file to read (the CLI's path, the browser's upload): any size up to MAX_ANNOTATION_FILE_BYTES. */
      path: z.string().min(1).optional(),
      /** Only report what would happen. */
      dryRun: z.boolean().default(false),
      /** Import the rows that are fine even when others refer to unknown documents or labels. */
      allowPartial: z.boolean().default(false),
      /** On a document whose current label differs: keep ours (skip their row) or take theirs. */
      onConflict: z.enum(['skip', 'theirs']).default('skip'),
    }),
  ),
} as const;
