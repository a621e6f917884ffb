/**
 * The messages of errors the core throws (AppError.keyed), by feature, in English and Simplified Chinese. Keys are
 * "<feature>.<words of the message>"; a parameter is a {{name}} the throw site fills. Part of the catalogue in
 * errorMessages.ts; tests/foundation/error-catalogue.test.ts fails when a throw site has no key here or a key no Chinese.
 */
export const serverErrorsEn = {
  'backup.appearedDataFolderDuring': '{{rel}} appeared in the data folder during the restore. Try again.',
  'backup.backupNamesFileOutside':
    'The backup names a file outside the data folder ({{path}}). Nothing was changed.',
  'backup.fileCheckPathTry': 'There is no file at {{file}}. Check the path and try again.',
  'backup.giveBackupFileRestore': 'Give the backup file to restore.',
  'backup.madeNewerDistillerySchema':
    '{{file}} was made by a newer Distillery ({{appVersion}}, schema {{schemaVersion}}; this version knows up to schema {{SCHEMA_VERSION}}). Update Distillery to restore it. Nothing was changed.',
  'backup.projectNamedAlreadyExists':
    'A project named "{{name}}" already exists here. Restore the backup under another name, e.g. "{{p1}}".',
  'backup.restoringNeedsFreeDisk':
    'Restoring needs {{needed}} of free disk space and {{free}} is free. Free some space and try again. Nothing was changed.',
  'backup.usableDistilleryBackupNothing':
    '{{file}} is not a usable Distillery backup: {{why}} Nothing was changed. Use another copy of the backup, or make a new one from the original data folder.',
  'cli.cannotWriteFolderDoes': 'Cannot write {{path}}: its folder does not exist.',
  'cli.cannotWritePermissionDenied': 'Cannot write {{path}}: permission denied. Choose another place.',
  'cli.fileAlreadyExistsChoose':
    'The file {{path}} already exists. Choose another name, or add --force to replace it.',
  'cli.folderGiveFileName': '{{path}} is a folder: give a file name.',
  'cli.giveIdPositiveWhole': 'Give the {{what}} id as a positive whole number{{hint}}.',
  'cli.jobCancelled': 'The job was cancelled.',
  'cli.jobEndedWithoutResult': 'Job {{id}} ended ({{state}}) without its result.',
  'cli.listenTakesAddressPort': '--listen takes ADDRESS:PORT, e.g. 0.0.0.0:8443 (got "{{value}}").',
  'cli.mustGot': '--{{flag}} must be {{what}}{{p1}}; got "{{raw}}".',
  'cli.plainHttpWouldSend':
    'Plain HTTP on {{host}} would send passwords over the network unencrypted. Leave out --http, or add --force-http when a proxy in front of Distillery encrypts.',
  'cli.usage': '{{eMessage}}\nUsage: {{usage}}',
  'core.cannotLockDataFolder': 'Cannot lock the data folder {{dataDir}}: {{p1}}',
  'core.cannotOpenDatabase': 'Cannot open the database {{file}}: {{p1}}',
  'core.dataWrittenNewerVersion':
    'This data was written by a newer version of Distillery (schema {{current}}; this version knows up to {{SCHEMA_VERSION}}). Update Distillery to open it. Nothing was changed.',
  'core.databaseLockedAnotherProgram':
    'The database {{file}} is locked by another program. Close the other Distillery window or command and try again.',
  'core.distilleryAlreadyRunningData':
    'Distillery is already running{{who}} with this data folder ({{dataDir}}). Use that window or command, or close it first and try again.',
  'core.distilleryCannotStartPart':
    'Distillery cannot start part of itself, and your data is untouched. {{p1}} {{cause}}. {{p2}} (Node said: {{p3}})',
  'core.distillerySBuiltProgram':
    'Distillery\'s built program is incomplete (out/main/{{rel}} is missing). In a copy of the source code, run "npm run build"; otherwise reinstall Distillery.',
  'core.fileDistilleryDatabaseSqlite':
    'The file {{file}} is not a Distillery database (it is not SQLite). Choose another data folder, or move that file away; Distillery did not change it.',
  'core.fileDistilleryDatabaseSqlite2': 'The file {{file}} is not a Distillery database (it is not SQLite).',
  'core.jobAlready': 'This job is already {{state}}.',
  'core.jobCheckpointUnreadable':
    'The saved resume point of job {{job}} ({{kind}}) cannot be read ({{detail}}): the database row is damaged. Cancel this job and start the work again.',
  'core.jobParamsUnreadable':
    'The settings of job {{job}} ({{kind}}) cannot be read ({{detail}}): the database row is damaged. Cancel this job and start the work again.',
  'core.jobOnlyPausedInterrupted':
    'This job is {{state}}; only a paused, interrupted or failed job can be resumed.',
  'core.onlyRunningJobCan': 'Only a running job can be paused; this one is {{state}}.',
  'core.runnerJobsKind': 'No runner for jobs of kind {{kind}}.',
  'core.storedValueDamaged':
    'A value stored in the project database is damaged ({{what}}: {{problem}}). Restore the project from a backup, or redo the step that wrote it.',
  'dataset.cannotReadPermissionCheck': '{{path}} cannot be read (no permission). Check who may read it.',
  'dataset.changedSinceImportStarted':
    '{{name}} changed since this import started ({{change}}), so it cannot be resumed: the project would get rows from two versions of the file. Nothing was added to the project; import the file again as a new import.',
  'dataset.chooseColumnHoldsLabels':
    'Choose the column that holds the labels, or the 0/1 columns (one per label) with the "columns" layout.',
  'dataset.chooseColumnsOnePer': 'Choose the 0/1 columns, one per label, that hold the labels.',
  'dataset.columnDoesExistColumns':
    'The {{what}} column "{{col}}" does not exist in {{name}}. Its columns are: {{columns}}.',
  'dataset.couldReadInputOutput': '{{path}} could not be read (an input/output error: a failing disk?).',
  'dataset.diskHoldingDataFolder':
    'The disk holding the data folder is full. Nothing was added to the project; free some space and import again.',
  'dataset.doesExistCannotRead': '{{path}} does not exist or cannot be read. Choose the file again.',
  'dataset.emptyChooseFileContains': '{{name}} is empty. Choose a file that contains your texts.',
  'dataset.everyTextEmptyOnly':
    'Every text in {{name}} is empty (or only blank space): no documents to import. Nothing was changed. Check that "{{textColumn}}" is the column that holds the texts.',
  'dataset.excelFileCannotRead':
    'This Excel file cannot be read{{p1}}. Open it in Excel or LibreOffice and save it again as .xlsx (or export CSV).',
  'dataset.folderFile': '{{path}} is a folder, not a file.',
  'dataset.folderHoldsTxtMd':
    'The folder {{name}} holds no .txt or .md files. Put one document per file in it.',
  'dataset.giveHeaderHeaderBoth': 'Give --header or --no-header, not both.',
  'dataset.giveLabelNameUnlabelled': 'Give --label NAME or --unlabelled, not both.',
  'dataset.giveLeastOneSplit': 'Give at least one split a share above zero.',
  'dataset.giveNewRuleName': 'Give the new rule a --name.',
  'dataset.giveRegexNamesList': 'Give --regex or a names list (--names, --names-file), not both.',
  'dataset.giveRuleSName': "Give the rule's name: data mask {{action}} PROJECT_ID NAME.",
  'dataset.hasColumnsFirstRow':
    '{{name}} has {{lengthLength}} columns in its first row; at most {{MAX_COLUMNS}} can be imported. Is the delimiter right, and is this a table of texts?',
  'dataset.hasDifferentFieldsFirst':
    '{{name}} has {{lengthLength}} different fields in its first records; at most {{MAX_COLUMNS}} can be imported.',
  'dataset.hasRowsCouldImported': '{{name}} has no rows that could be imported{{p1}}. Nothing was changed.',
  'dataset.importTargetGone':
    'Project {{projectId}} or the dataset being imported was deleted while the import ran, so the import stopped. Nothing else was changed; import the file again into a project that exists.',
  'dataset.importReaderStopped':
    "The part of Distillery that reads the file stopped unexpectedly ({{detail}}), so the import stopped. Nothing of this import was kept and nothing else was changed. Import the file again; if it stops again, restart Distillery, and if that does not help, send the file's first lines and this message to your IT officer.",
  'dataset.holdsJsonRecordsObjects':
    '{{name}} holds no JSON records (objects with fields such as "text"){{p1}}',
  'dataset.holdsOnlyBlankSpace':
    '{{name}} holds only blank space: no documents to import. Choose the file that contains your texts.',
  'dataset.holdsRowsCanRead': '{{name}} holds no rows that can be read{{p1}}',
  'dataset.jsonFileArrayRecords':
    'This JSON file is not an array of records ([{...}, {...}]). Save it as a JSON array or as JSON Lines.',
  'dataset.jsonFileHoldsArray': 'This JSON file holds no array of records.',
  'dataset.jsonRecordStartingLine':
    'The JSON record starting at line {{elemLine}} is longer than {{MAX_RECORD_CHARS}} characters; the file cannot be read as records. Check that it is an array of small objects.',
  'dataset.keyGivenTwoLabels': 'The key "{{hotkey}}" is given to two labels. Give each label its own key.',
  'dataset.labelColumnDoesExist':
    'The label column "{{labelColumn}}" does not exist in the file. Its columns are: {{fileColumns}}.',
  'dataset.labelColumnsDoExist':
    'The label columns {{p1}} do not exist in the file. Its columns are: {{fileColumns}}.',
  'dataset.labelListedTwiceGive': 'The label "{{n}}" is listed twice. Give each label its own name.',
  'dataset.labelNamedAlreadyExists':
    'A label named "{{name}}" already exists. Choose another name, or edit that label.',
  'dataset.labelProjectLabels': 'The label "{{name}}" is not in this project. Its labels: {{p1}}.',
  'dataset.labelUsedAnnotationsSo':
    'The label "{{name}}" is used by {{used}} annotations, so deleting it would lose them. Relabel those examples first, or keep the label.',
  'dataset.lineNothingImportedFix':
    'Line {{line}} of {{file}}: {{badMessage}}. Nothing was imported. Fix that row, or import again choosing to skip bad rows.',
  'dataset.longerChooseFileAgain': '{{path}} is no longer there. Choose the file again.',
  'dataset.longerSoImportCannot':
    '{{path}} is no longer there, so this import cannot be resumed. Nothing was added to the project; import the file again.',
  'dataset.looksLikeBinaryFile':
    '{{name}} looks like a binary file, not text. Export it as CSV, JSON, JSONL or Excel (.xlsx) and import that.',
  'dataset.namesListEmptyGive': 'The names list is empty: give --names or --names-file.',
  'dataset.nearDuplicateSearchHandles':
    'Near-duplicate search handles up to {{NEAR_DUPLICATE_LIMIT}} examples; this project has {{lengthLength}}. Turn near-duplicates off (exact duplicates still work) or split the data into smaller projects.',
  'dataset.oldExcelXlsFile':
    'This is an old Excel (.xls) file. Open it in Excel or LibreOffice and save it as .xlsx, then import that.',
  'dataset.projectAlreadyHasExamples':
    'This project already has {{n}} examples with ids from earlier imports. Say what to do with rows of {{name}} whose id is already there: skip them, update them, or add them as new examples.',
  'dataset.regularFilePipeSocket':
    '{{name}} is not a regular file (it is a pipe, socket or device). Save the data to a file and import that.',
  'dataset.reservedKey': '{{reason}}',
  'dataset.sayWhatDoData': 'Say what to do: data mask {{ACTIONS}} PROJECT_ID ...',
  'dataset.sayWhichColumnHolds': 'Say which column holds the text with --text. Columns: {{columns}}.',
  'dataset.singleLabelProjectEach':
    '"{{name}}" is a single-label project: each document takes one label. Import its labels from one column, or create a multi-label project for documents that carry several labels.',
  'dataset.singleLabelProjectNone':
    'This is a single-label project: "none of these" and "without labels" filter label sets of multi-label projects. Filter by one label instead.',
  'dataset.splitColumnPutsRows':
    'The split column puts {{test}} rows in the test split, which is locked (it is the gold set). Nothing was imported. Unlock the test split first, or import without the split column.',
  'dataset.testSplitEmptySplit': 'The test split is empty. Split the data first, then lock the test split.',
  'dataset.textColumnLongerCheck':
    'The text column "{{textColumn}}" is no longer in {{name}}. Check the file.',
  'dataset.theseExamplesBelongLocked':
    '{{n}} of these examples belong to the locked test split, which cannot be {{what}} while it is locked. Unlock the test split first (Data step, Split), or leave those examples out of the selection.',
  'dataset.unknownAction': 'Unknown action "{{action}}".',
  'dataset.unlockingLetsTestSplit':
    'Unlocking lets the test split change, and past evaluations will no longer be comparable. Confirm to unlock.',
  'disk.giveUploadIdDistillery': 'Give the upload id ("distillery disk" lists them).',
  'disk.jobCanStillRun':
    'A job that can still run or resume needs this upload. Let it finish or cancel it, then delete the upload.',
  'disk.teacherRunStillRunning':
    'Teacher run {{runId}} is still running or can be resumed. Cancel its job first (status bar), then delete it.',
  'disk.teacherRunUseConfirm': 'Teacher run {{runId}} is in use: {{reasons}}. Confirm to delete it anyway.',
  'disk.trainingRunStillRunning':
    'Training run {{runId}} is still running or can be resumed, or a batch prediction uses its model. Cancel that job first (status bar), then delete it.',
  'disk.trainingRunUseConfirm': 'Training run {{runId}} is in use: {{reasons}}. Confirm to delete it anyway.',
  'evaluation.calibrationBinDoesExist': 'That calibration bin does not exist: refresh the page.',
  'evaluation.chooseTwoDifferentRuns': 'Choose two different runs to compare.',
  'evaluation.classNumberChooseOne':
    "There is no class number {{classIndex}}: choose one of the model's labels.",
  'evaluation.classOutsideLabelSet': 'That class is outside the label set: refresh the page.',
  'evaluation.confusionCellOutsideLabel': 'That confusion cell is outside the label set: refresh the page.',
  'evaluation.documentProjectMayHave':
    'Document {{p1}} is not in this project (it may have been deleted). Refresh and select again.',
  'evaluation.evaluateRunFirstDistillery': 'Evaluate this run first with "distillery eval run".',
  'evaluation.evaluatedDocumentsLabelSome':
    'There are no evaluated documents: label some test documents and evaluate first.',
  'evaluation.giveEitherStudentTeacher': 'Give either --student or --teacher, not both.',
  'evaluation.giveExactlyOneRecall':
    'Give exactly one of --recall, --precision or --threshold (a number from 0 to 1).',
  'evaluation.giveLabelNameF':
    'Give --label NAME with --f1, --recall R or --precision P, or --set, or --reset.',
  'evaluation.giveOneThresholdPer':
    'Give one threshold per label: {{labelsLength}} ({{labels}}), not {{thresholdsLength}}.',
  'evaluation.giveReachBetween': 'Give the {{by}} to reach (between 0 and 1).',
  'evaluation.giveRunStudentRun': 'Give run {{p1}} as --{{side}}-student RUN or --{{side}}-teacher RUN.',
  'evaluation.giveThresholdsLabelTune': 'Give the thresholds, a label to tune with its target, or reset.',
  'evaluation.hasBeenEvaluatedYet':
    'The {{what}} {{runId}} has not been evaluated yet. Evaluate it first (the Evaluate button, or "distillery eval run").',
  'evaluation.hasPredictionsGoldTest':
    '{{name}} has no predictions for the {{examplesLength}} gold test documents. Run it on the test split first.',
  'evaluation.hasTrainedModelYet':
    '{{name}} has no trained model yet. Finish its training in the Train step first.',
  'evaluation.labelRunLabels': 'No label "{{label}}" in this run. Its labels: {{labels}}.',
  'evaluation.modelCannotReadTrain':
    'The model of {{name}} cannot be read ({{p1}}). Train it again in the Train step.',
  'evaluation.modelHasLabelsOther':
    'The model of {{name}} has labels ({{labels}}) other than its run recorded. Train it again.',
  'evaluation.modelTrainingRunHas':
    'The model of training run {{id}} has labels ({{labels}}) other than its run recorded. Train it again.',
  'evaluation.modelTrainingRunSingle':
    'The model of training run {{id}} is single-label (a softmax); train the multi-label project again.',
  'evaluation.multiLabelProjectEvaluate':
    'In a multi-label project, evaluate a student run (--student RUN): the teacher is checked in the Teacher step.',
  'evaluation.multiLabelReportStudentOnly':
    'In a multi-label project the report is of a student run: the teacher is checked label by label in the Teacher step.',
  'evaluation.mustBetween': '--{{what}} must be between 0 and 1.',
  'evaluation.projectHasTeacherRun':
    'This project has no teacher run to compare with. Run the teacher first.',
  'evaluation.projectHasTrainedStudent':
    'This project has no trained student and no teacher run yet: there is nothing to evaluate.',
  'evaluation.projectTakesOneLabel':
    'This project takes one label per document: evaluate it with the single-label evaluation ("distillery eval run").',
  'evaluation.projectTakesOneLabel2':
    'This project takes one label per document: its Evaluate step is the single-label one.',
  'evaluation.sayWhichLabelLabel': 'Say which label with --label (one of: {{labels}}).',
  'evaluation.sayWhichProjectProject':
    'Say which project with --project ID ("distillery projects list" shows them).',
  'evaluation.sayWhichStudentRun': 'Say which student run with --student RUN.',
  'evaluation.setWriteLabelThreshold':
    '--set "{{part}}": write LABEL=THRESHOLD with a label of the run ({{labels}}).',
  'evaluation.targetNamesWhichLabel': '--target names "{{label}}", which is not a label ({{labels}}).',
  'evaluation.targetTargetMultiLabel':
    '--target "{{text}}" is not a target of a multi-label project: write e.g. "recall:LABEL>=0.95", "microF1>=0.8", "samplesF1>=0.8" or "subsetAccuracy>=0.6" (a value from 0 to 1).',
  'evaluation.targetTargetWriteE':
    '--target "{{text}}" is not a target: write e.g. "recall:LABEL>=0.95" or "accuracy>=0.9" (a value from 0 to 1).',
  'evaluation.testSplitHasDocument':
    'The test split has no document with a label set a person chose. Label some test documents in the Review step, then evaluate.',
  'evaluation.testSplitHasHuman':
    'The test split has no human-labelled documents yet. Label some test documents in the Review step, then evaluate.',
  'evaluation.thresholdSavedStudentModel':
    'A threshold is saved with a student model: give --student RUN (or --dry-run to only see it).',
  'evaluation.trainingRunHasBeen':
    'The training run {{runId}} has not been evaluated yet. Evaluate it first (the Evaluate button, or "distillery eval run").',
  'evaluation.trainingRunHasTrained':
    'Training run {{runId}} has no trained model yet. Finish its training in the Train step first.',
  'evaluation.validationSplitHasDocument':
    'The validation split has no document with a label set: thresholds are tuned there. Label some validation documents first.',
  'export.alreadyExistsEmptyChoose':
    '{{target}} already exists and is not empty. Choose a new folder; nothing was overwritten.',
  'export.deploymentJsonDamagedExport':
    'deployment.json in {{dir}} is damaged ({{problem}}). Export the model again.',
  'export.exportedFolderDamagedChanged':
    'The exported folder is damaged: {{file}} was changed. Export the model again.',
  'export.exportedFolderIncompleteMissing':
    'The exported folder is incomplete: {{file}} is missing. Export the model again.',
  'export.exportedModelTooLarge':
    'The exported model is too large for a .zip download; copy the folder instead.',
  'export.exportedModelVersionDistillery':
    '{{dir}} is not an exported model this version of Distillery can read.',
  'export.giveExportedModelFolder': 'Give the exported model folder with --model DIR.',
  'export.hasColumnColumns': '{{name}} has no column "{{textColumn}}". Its columns: {{columns}}.',
  'export.lineMalformedStoppedAsked':
    'Line {{lineNo}} is malformed ({{error}}); stopped there as asked (--on-error stop). {{predicted}} lines before it were predicted. Fix the line, or use --on-error continue to skip such lines.',
  'export.modelFilesTrainingRun':
    'The model files of training run {{id}} are missing from {{model_path}}. Train the model again, or restore the project from a backup.',
  'export.modelTrainingRunCannot': 'The model of training run {{id}} cannot be read: {{why}}',
  'export.neitherExportedModelFolder':
    '{{dir}} is neither an exported model folder nor a student model folder.',
  'export.noTrainedStudent': 'This project has no trained student yet. Train one in the Train step first.',
  'export.rowLineCannotRead':
    'Row at line {{line}} of {{name}} cannot be read ({{evMessage}}). Fix it or choose "skip bad rows".',
  'export.runHasNoModel':
    'Training run {{runId}} of this project has no model. Choose another run, or train again.',
  'projects.deleteTypeProjectS': 'To delete it, type the project\'s name exactly: "{{name}}".',
  'projects.jobProjectStillWorking':
    'Job {{active}} of this project is still working. Cancel it (or wait for it to end), then delete the project.',
  'review.cannotReadCheckPath': 'Cannot read {{path}}. Check the path.',
  'review.chooseLabelReviewDocuments': 'Choose a label to review the documents that have it.',
  'review.documentRemovedProjectCleaning':
    'This document was removed from the project by cleaning; restore it in the Data step to label it.',
  'review.documentTestSplitWhose':
    "This document is in the test split, whose labels are the gold standard the student is scored against: choose its label yourself. The teacher's label cannot be accepted on the test split.",
  'review.giveEitherAnnotationsFile': 'Give either the annotations file or its text, not both.',
  'review.giveJsonlFileImport': 'Give the JSONL file to import.',
  'review.giveLabelLabelName': 'Give the label with --label NAME, or --none, or --accept-teacher.',
  'review.labelProjectAnyMore': 'That label is not in this project any more. Reload the page.',
  'review.labelProjectLabels': '"{{n}}" is not a label of this project. Its labels: {{p1}}.',
  'review.linesReferUnknownDocuments':
    '{{problems}} lines refer to unknown documents or labels or are malformed, so nothing was imported. Fix the file, or pass --allow-partial to import the other lines.',
  'review.mbAnnotationFilesUp':
    '{{path}} is {{p1}} MB; annotation files up to {{p2}} MB can be imported at once. Split it into parts and import each.',
  'review.multiLabelProjectSend':
    'This is a multi-label project: send the whole set of labels that apply (labelSet; [] for none of these).',
  'review.regularFileChooseJsonl': '{{path}} is not a regular file. Choose a .jsonl file.',
  'review.singleLabelProjectGive': 'This is a single-label project: give exactly one --label NAME.',
  'review.singleLabelProjectSend': 'This is a single-label project: send one label (labelId).',
  'review.teacherHasLabelDocument':
    'The teacher has no label for this document to accept; give one with --label NAME.',
  'review.teacherHasLabelDocument2':
    'The teacher has no label for this document to accept; choose one yourself.',
  'server.accessTokenMustLeast':
    'The access token must be at least 22 characters of letters, digits, "-" and "_" (128 bits or more).',
  'server.cannotReadCertificateKey': 'Cannot read the certificate or key: {{p1}}',
  'server.giveBothCertFile': 'Give both --cert FILE and --key FILE, or neither (a self-signed one).',
  'server.keyDoesBelong': 'The key {{keyFile}} does not belong to {{certFile}}.',
  'server.pemCertificate': '{{certFile}} is not a PEM certificate.',
  'server.pemPrivateKeyEncrypted':
    '{{keyFile}} is not a PEM private key (an encrypted key is not supported).',
  'server.plainHttpWouldSend':
    'Plain HTTP on {{host}} would send passwords and documents unencrypted over the network. Drop --http (a self-signed certificate is made), give --cert and --key, or add --force-http if a proxy in front encrypts.',
  'student.cannotStartFromRun': '{{reason}}',
  'student.checkpointDoesMatchRun':
    "The checkpoint {{file}} does not match this run's settings. Start a new run.",
  'student.checkpointWrittenAnotherFeaturizer':
    "The checkpoint {{resumeFrom}} was written with another featurizer than this version's. Start a new run.",
  'student.checkpointDamaged': 'The training checkpoint {{file}} is damaged ({{problem}}). Start a new run.',
  'student.fromRunNoModel':
    'Training run {{fromId}} has no model to start from. Start from scratch, or choose a run that finished with a model.',
  'student.fromRunNotFinished':
    'Training run {{fromId}} has not finished ({{state}}). Wait for it to finish, or choose another run.',
  'student.frozenDataTrainingRun':
    'The frozen data of training run {{runId}} is missing or damaged ({{p1}}). Start a new run.',
  'student.documentsGoneBeforeStart':
    '{{count}} document(s) of training run {{runId}} were deleted before it started. Start a new run.',
  'student.giveEitherHumanOnly': 'Give either --human-only or --use-teacher, not both.',
  'student.hasModelSizeEmbedding':
    '{{which}} has model size (embedding dimension) {{dim}}, this run {{dim2}}. Set the model size to {{dim}}, or start from scratch.',
  'student.labelsChangedSinceTeacher':
    'The labels changed since teacher run {{runId}} (it saw: {{p1}}). Run the teacher again on the current labels, or train on human labels only.',
  'student.modelCannotReadTrain': 'The model in {{dir}} cannot be read: {{p1}} Train the model again.',
  'student.modelFileTruncatedTensor': 'The model file is truncated (tensor {{name}}). Train the model again.',
  'student.modelMissingWeightsTrain': 'The model is missing its "{{name}}" weights. Train the model again.',
  'student.modelSWeightsHave': 'The model\'s "{{name}}" weights have the wrong type.',
  'student.modelStudentModelVersion':
    'The model in {{dir}} is not a student model this version of Distillery can read (format {{format}} v{{version}}).',
  'student.onlyTrainingExampleS':
    'Only {{train}} training example(s) have {{what}}{{p1}}. Label more examples in the Review step (or run the teacher) before training.',
  'student.readsTextAnotherFeaturizer':
    '{{which}} reads text with another featurizer configuration than this run. Start from scratch, or choose a run trained with the current featurizer.',
  'student.studentAlreadyTrainingProject':
    'A student is already training for this project (job {{id}}). Wait for it, or cancel it first.',
  'student.studentNeedsLeastTwo': 'A student needs at least two labels. Add labels in the Data step first.',
  'student.studentRunTrainsStudent':
    '{{which}} is a {{architecture}} student; this run trains a {{architecture2}} student. Choose the {{architecture}} architecture, or start from scratch.',
  'student.studentTrainsSingleLabel':
    'The {{architecture}} student trains single-label projects only. Choose the fastText student for this multi-label project.',
  'student.trainedOtherLabelsProject':
    '{{which}} was trained on other labels ({{labels}}) than this project has now ({{labels2}}), or in another order. Start from scratch, or choose a run trained on the current labels.',
  'student.trainingEndedWithoutSingle': 'Training ended without a single epoch.',
  'student.trainingRunBelongsAnother':
    'Training run {{fromId}} belongs to another project. Start from scratch, or choose a run of this project.',
  'student.trainingRunDoesExist':
    'Training run {{fromId}} does not exist (it may have been deleted). Start from scratch, or choose another run.',
  'student.trainingRunHasModel': 'Training run {{id}} has no model yet: wait for its first epoch to finish.',
  'student.trainingStopped': 'Training was stopped.',
  'student.trainingStoppedLossBecame':
    'Training stopped: the loss became NaN (not a number). The learning rate ({{lr}}) is most likely too high; start a new run with a learning rate ten times lower.',
  'student.trainingWorkerCrashed': 'The training worker crashed: {{eMessage}}',
  'student.trainingWorkerReceivedMessage':
    'The training worker received a message it does not understand{{p1}}. Restart the app; if it happens again, report it with the app version.',
  'student.trainingWorkerSentMessage':
    'The training worker sent a message the app does not understand{{where}}: {{p1}}. Start the run again; if it happens again, report it with the app version.',
  'student.trainingWorkerStartedWith':
    'The training worker was started with settings it does not understand{{p1}}. Restart the app; if it happens again, report it with the app version.',
  'student.trainingWorkerStoppedUnexpectedly':
    'The training worker stopped unexpectedly (exit code {{code}}).',
  'student.usableStudentModelTrain':
    'No usable student model in {{dir}} ({{p1}}). Train a student first, or choose another run.',
  'student.validationSplitEmptyNone':
    'The validation split is empty (or none of its examples has {{what}}). Training needs it to pick the best epoch: assign some labelled examples to the validation split in the Data step.',
  'teacher.appFineModelFile':
    '{{p1}}The app is fine: the model file may be damaged or unsupported; try another model, or resume the job.',
  'teacher.calibrationNeedsLeastHuman':
    'Calibration needs at least {{MIN_CALIBRATION_EXAMPLES}} human-labelled validation examples that the teacher labelled; this run has {{xLength}}. Label more validation examples in Review.',
  'teacher.cannotDownloadCheckAddress': 'Cannot download {{url}}: {{p1}}. Check the address and the network.',
  'teacher.cannotOpenCheckPath': 'Cannot open {{file}}: {{p1}}. Check the path and try again.',
  'teacher.cannotReachTeacherProcess': 'Cannot reach the teacher process: {{eMessage}}',
  'teacher.cannotReadChooseJsonl': 'Cannot read {{path}}. Choose the JSONL file again.',
  'teacher.chooseTeacherModelImport':
    'Choose a teacher model (import one first) or configure a remote endpoint.',
  'teacher.documentProject': 'Document {{exampleId}} is not in this project.',
  'teacher.documentProjectRemovedCleaning':
    'Not in this project (or removed by cleaning): document {{missing}}. Pick documents from the list.',
  'teacher.documentsTimeSelectionChange':
    'There are no documents to time in this selection. Change the selection.',
  'teacher.endpointFailed': '{{reason}}',
  'teacher.endpointRefused': 'The teacher endpoint cannot be used: {{reason}}',
  'teacher.examplesLabelImportData': 'There are no examples to label. Import data or change the selection.',
  'teacher.fileCheckPathUsb':
    'There is no file at {{source}}. Check the path (is the USB stick plugged in?).',
  'teacher.fileModelMissingModel':
    'The file of model "{{name}}" is missing from the model folder ({{file_path}}). Remove it and import it again.',
  'teacher.folderChooseGgufFile': '{{source}} is a folder; choose a .gguf file.',
  'teacher.giveEndpointAddressE': 'Give the endpoint address, e.g. http://gpu-server:8000.',
  'teacher.givePathGgufFile': 'Give the path of the .gguf file to import.',
  'teacher.givePathJsonlFile': 'Give the path of the .jsonl file to import.',
  'teacher.givePromptVersionName': 'Give the prompt version a name.',
  'teacher.giveVersionNameName': 'Give the version a name with --name.',
  'teacher.hasTeacherOutputs': '{{path}} has no teacher outputs.',
  'teacher.labelHasEmptyName': 'A label has an empty name. Give every label a name.',
  'teacher.labelsSameTeacherRename':
    'The labels "{{other}}" and "{{name}}" are the same to the teacher. Rename or merge one of them.',
  'teacher.lineCouldImportedNothing':
    'Lines of {{path}} that could not be imported: {{errorsLength}}; nothing was imported. {{p2}}{{p3}}',
  'teacher.modelGivesInvalidNumbers':
    'The model gives invalid numbers (NaN) for every example: the model file is probably damaged. Choose another model.',
  'teacher.modelRunReplacedAnother': 'The model of this run was replaced by another file. Start a new run.',
  'teacher.modelSChatTemplate':
    'This model’s chat template does not open a thinking block, so it has no reasoning mode. Choose "direct" mode.',
  'teacher.multiLabelPromptAsks':
    'A multi-label prompt asks about one label at a time: put a question with {{label}} after {{text}}, e.g. Does the label "{{label}}" apply to this text? Answer yes or no.',
  'teacher.multiLabelPromptBelongs':
    'In a multi-label prompt {{label}} belongs to the question after {{text}}: the part before it is shared by every label.',
  'teacher.multiLabelRunCalibrated':
    'This is a multi-label run: it is calibrated per label (distillery teacher calibrate does that for it).',
  'teacher.multiLabelTeacherAnswers':
    'A multi-label teacher answers each label directly: choose the direct mode (reasoning mode is for single-label projects).',
  'teacher.needsTwoLabels':
    'The teacher needs at least two labels to choose between; this project has only "{{name}}". Add another label.',
  'teacher.noLabelsAddTwo':
    'This project has no labels yet. Add at least two labels in the Data step before running the teacher.',
  'teacher.oneTextsEmptyTeacher': 'One of the texts is empty: the teacher needs some text to label.',
  'teacher.projectDoesExistMay': 'Project {{projectId}} does not exist (it may have been deleted).',
  'teacher.projectHasExamplesPreview':
    'This project has no examples to preview. Import data in the Data step first.',
  'teacher.projectHasLabelsYet':
    'This project has no labels yet. Add its labels in the Data step before running the teacher.',
  'teacher.projectHasLabelsYet2':
    'This project has no labels yet. Add its labels before importing teacher outputs.',
  'teacher.promptPreviewComparesPrompts':
    'The prompt preview compares prompts on single-label projects only for now. In a multi-label project, run the teacher on a small random sample (Teacher step, scope "a random sample") and read its check per label.',
  'teacher.promptTemplateTooLong':
    "The prompt template is too long for the server's context ({{ctx}} tokens): shorten it.",
  'teacher.promptVersionBelongsAnother': 'Prompt version {{number}} belongs to another project.',
  'teacher.promptVersionDoesExist':
    'Prompt version {{versionId}} does not exist (see "distillery teacher prompt list PROJECT_ID").',
  'teacher.serverAnsweredCheckAddress': 'The server answered {{status}} for {{url}}. Check the address.',
  'teacher.singleLabelRunCalibrated': 'This is a single-label run: it is calibrated with one temperature.',
  'teacher.teacherEndpointAnsweredSomething':
    'The teacher endpoint {{baseUrl}} answered {{path}} with something Distillery does not understand ({{p1}}: {{p2}}). Check that it is a vLLM or llama.cpp server.',
  'teacher.teacherModelLoaded': 'The teacher model is not loaded.',
  'teacher.teacherProcessAnsweredSomething':
    'The teacher process answered "{{op}}" with something the app does not understand{{p1}}. Restart the app; if it happens again, report it with the app version.',
  'teacher.teacherProcessReceivedMalformed':
    'The teacher process received a request it does not understand{{p1}}. Restart the app; if it happens again, report it with the app version.',
  'teacher.teacherProcessSentMalformed': 'The teacher process sent a malformed answer{{invalid}}.',
  'teacher.templateNeedsText': 'The prompt template must contain {{text}} where each example goes.',
  'teacher.templateTextTwice': 'The prompt template must contain {{text}} only once.',
  'teacher.theseTwoPromptVersions': 'These two prompt versions belong to different projects.',
  'teacher.twoLabelsBeginSame':
    'Two labels begin with the same words and this server does not tell its end-of-text token, so they cannot be told apart. Rename one label.',
  'teacher.usableGgufModelDownload':
    '{{file}} is not a usable GGUF model: {{why}} Download the model again or choose another file; nothing was imported.',
  'teacher.validationDocumentHasLabel':
    'No validation document has a label a person chose yet. Label some in Review, or pick documents to preview.',
  'team.accountAddUnderTeam': 'There is no account "{{name}}". Add it under Team first.',
  'team.accountCheckSpelling': 'There is no account "{{username}}". Check the spelling.',
  'team.accountDisabled': 'The account "{{username}}" is disabled.',
  'team.accountExistsAlreadyChoose': 'The account "{{username}}" exists already. Choose another name.',
  'team.changingOwnPasswordNeeds':
    'Changing your own password needs a team-mode login. On this machine use "distillery users password NAME".',
  'team.currentPasswordWrong': 'The current password is wrong.',
  'team.giveDecidedLabel': 'Give the decided label with --label NAME.',
  'team.giveDecidedSet': 'Give the decided set with --label NAME (repeat it), or --none.',
  'team.giveDocumentDecideProject': 'Give the document to decide: PROJECT_ID DOCUMENT_ID --label NAME.',
  'team.givePasswordFirstLine': 'Give the password on the first line of standard input.',
  'team.giveRole': 'Give --role {{ROLES}}.',
  'team.giveUsernameEG': 'Give the username, e.g. "distillery users add alice --role annotator".',
  'team.onlyEnabledAdministratorMake':
    '"{{username}}" is the only enabled administrator. Make another account an administrator first.',
  'team.singleLabelProjectGive': 'This is a single-label project: give exactly one --label NAME.',
};

export const serverErrorsZh: Record<keyof typeof serverErrorsEn, string> = {
  'backup.appearedDataFolderDuring': '恢复期间数据文件夹中出现了 {{rel}}。请重试。',
  'backup.backupNamesFileOutside': '备份中指向了数据文件夹之外的文件（{{path}}）。未做任何更改。',
  'backup.fileCheckPathTry': '{{file}} 处没有文件。请检查路径后重试。',
  'backup.giveBackupFileRestore': '请给出要恢复的备份文件。',
  'backup.madeNewerDistillerySchema':
    '{{file}} 由更新版本的 Distillery 创建（{{appVersion}}，架构 {{schemaVersion}}；本版本最高支持架构 {{SCHEMA_VERSION}}）。请升级 Distillery 后再恢复。未做任何更改。',
  'backup.projectNamedAlreadyExists': '这里已存在名为“{{name}}”的项目。请以其他名称恢复备份，例如“{{p1}}”。',
  'backup.restoringNeedsFreeDisk':
    '恢复需要 {{needed}} 的可用磁盘空间，目前只有 {{free}}。请释放空间后重试。未做任何更改。',
  'backup.usableDistilleryBackupNothing':
    '{{file}} 不是可用的 Distillery 备份：{{why}} 未做任何更改。请使用该备份的另一份副本，或从原数据文件夹重新备份。',
  'cli.cannotWriteFolderDoes': '无法写入 {{path}}：其所在文件夹不存在。',
  'cli.cannotWritePermissionDenied': '无法写入 {{path}}：没有权限。请选择其他位置。',
  'cli.fileAlreadyExistsChoose': '文件 {{path}} 已存在。请换一个名称，或加上 --force 替换它。',
  'cli.folderGiveFileName': '{{path}} 是文件夹：请给出文件名。',
  'cli.giveIdPositiveWhole': '请以正整数给出 {{what}} 编号{{hint}}。',
  'cli.jobCancelled': '任务已取消。',
  'cli.jobEndedWithoutResult': '任务 {{id}} 已结束（{{state}}），但没有结果。',
  'cli.listenTakesAddressPort': '--listen 的格式为 ADDRESS:PORT，例如 0.0.0.0:8443（收到的是“{{value}}”）。',
  'cli.mustGot': '--{{flag}} 必须是{{what}}{{p1}}；收到的是“{{raw}}”。',
  'cli.plainHttpWouldSend':
    '在 {{host}} 上使用明文 HTTP 会在网络上以未加密方式发送密码。请去掉 --http；如果 Distillery 前端有负责加密的代理，请加上 --force-http。',
  'cli.usage': '{{eMessage}}\n用法：{{usage}}',
  'core.cannotLockDataFolder': '无法锁定数据文件夹 {{dataDir}}：{{p1}}',
  'core.cannotOpenDatabase': '无法打开数据库 {{file}}：{{p1}}',
  'core.dataWrittenNewerVersion':
    '这些数据由更新版本的 Distillery 写入（架构 {{current}}；本版本最高支持 {{SCHEMA_VERSION}}）。请升级 Distillery 后再打开。未做任何更改。',
  'core.databaseLockedAnotherProgram':
    '数据库 {{file}} 被另一个程序锁定。请关闭另一个 Distillery 窗口或命令后重试。',
  'core.distilleryAlreadyRunningData':
    'Distillery 已在使用此数据文件夹运行{{who}}（{{dataDir}}）。请使用那个窗口或命令，或先将其关闭后重试。',
  'core.distilleryCannotStartPart':
    'Distillery 无法启动自身的一部分，您的数据没有受到影响。{{p1}} {{cause}}。{{p2}}（Node 的信息：{{p3}}）',
  'core.distillerySBuiltProgram':
    'Distillery 的构建产物不完整（缺少 out/main/{{rel}}）。如果是源代码副本，请运行“npm run build”；否则请重新安装 Distillery。',
  'core.fileDistilleryDatabaseSqlite':
    '文件 {{file}} 不是 Distillery 数据库（它不是 SQLite）。请选择其他数据文件夹，或把该文件移走；Distillery 没有修改它。',
  'core.fileDistilleryDatabaseSqlite2': '文件 {{file}} 不是 Distillery 数据库（它不是 SQLite）。',
  'core.jobAlready': '该任务已经是 {{state}} 状态。',
  'core.jobCheckpointUnreadable':
    '无法读取任务 {{job}}（{{kind}}）保存的续传点（{{detail}}）：数据库中的记录已损坏。请取消此任务并重新开始这项工作。',
  'core.jobParamsUnreadable':
    '无法读取任务 {{job}}（{{kind}}）的设置（{{detail}}）：数据库中的记录已损坏。请取消此任务并重新开始这项工作。',
  'core.jobOnlyPausedInterrupted': '该任务当前为 {{state}}；只有已暂停、已中断或失败的任务才能继续。',
  'core.onlyRunningJobCan': '只有正在运行的任务才能暂停；该任务当前为 {{state}}。',
  'core.runnerJobsKind': '没有处理 {{kind}} 类任务的执行器。',
  'core.storedValueDamaged':
    '项目数据库中保存的一个值已损坏（{{what}}：{{problem}}）。请从备份恢复该项目，或重做写入它的那一步。',
  'dataset.cannotReadPermissionCheck': '无法读取 {{path}}（没有权限）。请检查谁有权读取它。',
  'dataset.changedSinceImportStarted':
    '{{name}} 在导入开始后被修改（{{change}}），因此无法继续：项目会混入两个版本文件中的行。项目中没有添加任何内容；请将该文件作为新的导入重新导入。',
  'dataset.chooseColumnHoldsLabels': '请选择存放标签的列，或在“columns”布局下选择 0/1 列（每个标签一列）。',
  'dataset.chooseColumnsOnePer': '请选择存放标签的 0/1 列（每个标签一列）。',
  'dataset.columnDoesExistColumns': '{{name}} 中不存在{{what}}列“{{col}}”。它的列有：{{columns}}。',
  'dataset.couldReadInputOutput': '无法读取 {{path}}（输入/输出错误：磁盘可能有故障？）。',
  'dataset.diskHoldingDataFolder': '存放数据文件夹的磁盘已满。项目中没有添加任何内容；请释放空间后重新导入。',
  'dataset.doesExistCannotRead': '{{path}} 不存在或无法读取。请重新选择文件。',
  'dataset.emptyChooseFileContains': '{{name}} 是空的。请选择包含文本的文件。',
  'dataset.everyTextEmptyOnly':
    '{{name}} 中的每段文本都是空的（或只有空白）：没有可导入的文档。未做任何更改。请确认“{{textColumn}}”是存放文本的列。',
  'dataset.excelFileCannotRead':
    '无法读取该 Excel 文件{{p1}}。请在 Excel 或 LibreOffice 中打开并重新保存为 .xlsx（或导出为 CSV）。',
  'dataset.folderFile': '{{path}} 是文件夹，不是文件。',
  'dataset.folderHoldsTxtMd': '文件夹 {{name}} 中没有 .txt 或 .md 文件。请每个文件放一篇文档。',
  'dataset.giveHeaderHeaderBoth': '请只给出 --header 或 --no-header 之一，不要同时给出。',
  'dataset.giveLabelNameUnlabelled': '请只给出 --label NAME 或 --unlabelled 之一，不要同时给出。',
  'dataset.giveLeastOneSplit': '请至少给一个数据集分配大于零的比例。',
  'dataset.giveNewRuleName': '请用 --name 为新规则命名。',
  'dataset.giveRegexNamesList': '请只给出 --regex 或姓名列表（--names、--names-file）之一，不要同时给出。',
  'dataset.giveRuleSName': '请给出规则名称：data mask {{action}} PROJECT_ID NAME。',
  'dataset.hasColumnsFirstRow':
    '{{name}} 第一行有 {{lengthLength}} 列；最多只能导入 {{MAX_COLUMNS}} 列。分隔符是否正确？这是一张文本表格吗？',
  'dataset.hasDifferentFieldsFirst':
    '{{name}} 的前几条记录中有 {{lengthLength}} 个不同字段；最多只能导入 {{MAX_COLUMNS}} 个。',
  'dataset.hasRowsCouldImported': '{{name}} 中没有可导入的行{{p1}}。未做任何更改。',
  'dataset.importTargetGone':
    '导入进行期间，项目 {{projectId}} 或正在导入的数据集已被删除，因此导入已停止。其他内容均未更改；请将文件重新导入到现有的项目中。',
  'dataset.importReaderStopped':
    'Distillery 中读取文件的部分意外停止（{{detail}}），因此导入已停止。本次导入的内容均未保留，其他内容也未更改。请重新导入该文件；如果再次停止，请重启 Distillery；如果仍无帮助，请将文件的前几行和此消息发送给您的 IT 负责人。',
  'dataset.holdsJsonRecordsObjects': '{{name}} 中没有 JSON 记录（带有“text”等字段的对象）{{p1}}',
  'dataset.holdsOnlyBlankSpace': '{{name}} 只包含空白：没有可导入的文档。请选择包含文本的文件。',
  'dataset.holdsRowsCanRead': '{{name}} 中没有可读取的行{{p1}}',
  'dataset.jsonFileArrayRecords':
    '该 JSON 文件不是记录数组（[{...}, {...}]）。请将其保存为 JSON 数组或 JSON Lines。',
  'dataset.jsonFileHoldsArray': '该 JSON 文件中没有记录数组。',
  'dataset.jsonRecordStartingLine':
    '从第 {{elemLine}} 行开始的 JSON 记录超过 {{MAX_RECORD_CHARS}} 个字符；无法按记录读取该文件。请确认它是由小对象组成的数组。',
  'dataset.keyGivenTwoLabels': '按键“{{hotkey}}”被分配给了两个标签。请为每个标签分配不同的按键。',
  'dataset.labelColumnDoesExist': '文件中不存在标签列“{{labelColumn}}”。文件的列有：{{fileColumns}}。',
  'dataset.labelColumnsDoExist': '文件中不存在标签列 {{p1}}。文件的列有：{{fileColumns}}。',
  'dataset.labelListedTwiceGive': '标签“{{n}}”出现了两次。请为每个标签取不同的名称。',
  'dataset.labelNamedAlreadyExists': '已存在名为“{{name}}”的标签。请换一个名称，或编辑该标签。',
  'dataset.labelProjectLabels': '标签“{{name}}”不在该项目中。它的标签有：{{p1}}。',
  'dataset.labelUsedAnnotationsSo':
    '标签“{{name}}”被 {{used}} 条标注使用，删除它会丢失这些标注。请先为这些样本重新标注，或保留该标签。',
  'dataset.lineNothingImportedFix':
    '{{file}} 第 {{line}} 行：{{badMessage}}。没有导入任何内容。请修正该行，或重新导入并选择跳过错误行。',
  'dataset.longerChooseFileAgain': '{{path}} 已不存在。请重新选择文件。',
  'dataset.longerSoImportCannot':
    '{{path}} 已不存在，因此无法继续此次导入。项目中没有添加任何内容；请重新导入该文件。',
  'dataset.looksLikeBinaryFile':
    '{{name}} 看起来是二进制文件，而不是文本。请将其导出为 CSV、JSON、JSONL 或 Excel（.xlsx）后再导入。',
  'dataset.namesListEmptyGive': '姓名列表为空：请给出 --names 或 --names-file。',
  'dataset.nearDuplicateSearchHandles':
    '近似重复检索最多处理 {{NEAR_DUPLICATE_LIMIT}} 个样本；该项目有 {{lengthLength}} 个。请关闭近似重复检测（精确重复仍然有效），或把数据拆分到更小的项目中。',
  'dataset.oldExcelXlsFile':
    '这是旧版 Excel（.xls）文件。请在 Excel 或 LibreOffice 中打开并另存为 .xlsx，然后导入。',
  'dataset.projectAlreadyHasExamples':
    '该项目已有 {{n}} 个带编号的样本来自之前的导入。请说明如何处理 {{name}} 中编号已存在的行：跳过、更新，或作为新样本添加。',
  'dataset.regularFilePipeSocket':
    '{{name}} 不是普通文件（而是管道、套接字或设备）。请把数据保存为文件后再导入。',
  'dataset.reservedKey': '该按键已被占用：{{reason}}',
  'dataset.sayWhatDoData': '请说明要做什么：data mask {{ACTIONS}} PROJECT_ID ...',
  'dataset.sayWhichColumnHolds': '请用 --text 指定存放文本的列。列有：{{columns}}。',
  'dataset.singleLabelProjectEach':
    '“{{name}}”是单标签项目：每篇文档只有一个标签。请从一列中导入标签，或为带有多个标签的文档创建多标签项目。',
  'dataset.singleLabelProjectNone':
    '这是单标签项目：“都不是”和“无标签”用于筛选多标签项目的标签集合。请改为按单个标签筛选。',
  'dataset.splitColumnPutsRows':
    '划分列把 {{test}} 行分到了已锁定的测试集（金标准集）。没有导入任何内容。请先解锁测试集，或不使用划分列导入。',
  'dataset.testSplitEmptySplit': '测试集为空。请先划分数据，再锁定测试集。',
  'dataset.textColumnLongerCheck': '文本列“{{textColumn}}”已不在 {{name}} 中。请检查文件。',
  'dataset.theseExamplesBelongLocked':
    '这些样本中有 {{n}} 个属于已锁定的测试集，锁定期间不能对其进行此操作（{{what}}）。请先解锁测试集（“数据”步骤，“划分”），或把这些样本排除在选择之外。',
  'dataset.unknownAction': '未知操作“{{action}}”。',
  'dataset.unlockingLetsTestSplit': '解锁后测试集可以改变，之前的评估结果将不再可比。请确认解锁。',
  'disk.giveUploadIdDistillery': '请给出上传编号（“distillery disk”可列出）。',
  'disk.jobCanStillRun':
    '有一个仍可运行或继续的任务需要此上传文件。请等它结束或将其取消，然后再删除上传文件。',
  'disk.teacherRunStillRunning': '教师运行 {{runId}} 仍在运行或可以继续。请先取消其任务（状态栏），再删除。',
  'disk.teacherRunUseConfirm': '教师运行 {{runId}} 正在使用中：{{reasons}}。如仍要删除，请确认。',
  'disk.trainingRunStillRunning':
    '训练运行 {{runId}} 仍在运行或可以继续，或有批量预测正在使用其模型。请先取消该任务（状态栏），再删除。',
  'disk.trainingRunUseConfirm': '训练运行 {{runId}} 正在使用中：{{reasons}}。如仍要删除，请确认。',
  'evaluation.calibrationBinDoesExist': '该校准区间不存在：请刷新页面。',
  'evaluation.chooseTwoDifferentRuns': '请选择两个不同的运行进行比较。',
  'evaluation.classNumberChooseOne': '不存在编号为 {{classIndex}} 的类别：请选择模型的某个标签。',
  'evaluation.classOutsideLabelSet': '该类别不在标签集合内：请刷新页面。',
  'evaluation.confusionCellOutsideLabel': '该混淆矩阵单元格不在标签集合内：请刷新页面。',
  'evaluation.documentProjectMayHave': '文档 {{p1}} 不在该项目中（可能已被删除）。请刷新后重新选择。',
  'evaluation.evaluateRunFirstDistillery': '请先用“distillery eval run”评估此运行。',
  'evaluation.evaluatedDocumentsLabelSome': '没有已评估的文档：请先标注一些测试文档并进行评估。',
  'evaluation.giveEitherStudentTeacher': '请只给出 --student 或 --teacher 之一，不要同时给出。',
  'evaluation.giveExactlyOneRecall':
    '请在 --recall、--precision、--threshold 中恰好给出一个（0 到 1 之间的数）。',
  'evaluation.giveLabelNameF':
    '请给出 --label NAME 并配合 --f1、--recall R 或 --precision P，或者给出 --set 或 --reset。',
  'evaluation.giveOneThresholdPer':
    '请为每个标签给出一个阈值：应为 {{labelsLength}} 个（{{labels}}），而不是 {{thresholdsLength}} 个。',
  'evaluation.giveReachBetween': '请给出要达到的 {{by}}（0 到 1 之间）。',
  'evaluation.giveRunStudentRun': '请以 --{{side}}-student RUN 或 --{{side}}-teacher RUN 给出运行 {{p1}}。',
  'evaluation.giveThresholdsLabelTune': '请给出阈值、要调整的标签及其目标，或选择重置。',
  'evaluation.hasBeenEvaluatedYet':
    '{{what}} {{runId}} 尚未评估。请先评估（点击“评估”按钮，或运行“distillery eval run”）。',
  'evaluation.hasPredictionsGoldTest':
    '{{name}} 对 {{examplesLength}} 篇金标准测试文档没有预测结果。请先在测试集上运行它。',
  'evaluation.hasTrainedModelYet': '{{name}} 还没有训练好的模型。请先在“训练”步骤中完成训练。',
  'evaluation.labelRunLabels': '该运行中没有标签“{{label}}”。它的标签有：{{labels}}。',
  'evaluation.modelCannotReadTrain': '无法读取 {{name}} 的模型（{{p1}}）。请在“训练”步骤中重新训练。',
  'evaluation.modelHasLabelsOther': '{{name}} 的模型所含标签（{{labels}}）与该运行记录的不同。请重新训练。',
  'evaluation.modelTrainingRunHas':
    '训练运行 {{id}} 的模型所含标签（{{labels}}）与该运行记录的不同。请重新训练。',
  'evaluation.modelTrainingRunSingle':
    '训练运行 {{id}} 的模型是单标签模型（softmax）；请重新训练这个多标签项目。',
  'evaluation.multiLabelProjectEvaluate':
    '在多标签项目中，请评估学生运行（--student RUN）：教师在“教师”步骤中检查。',
  'evaluation.multiLabelReportStudentOnly':
    '多标签项目的报告针对学生模型运行：教师模型在“教师”步骤中逐个标签检查。',
  'evaluation.mustBetween': '--{{what}} 必须在 0 到 1 之间。',
  'evaluation.projectHasTeacherRun': '该项目没有可供比较的教师运行。请先运行教师。',
  'evaluation.projectHasTrainedStudent': '该项目既没有训练好的学生模型，也没有教师运行：没有可评估的内容。',
  'evaluation.projectTakesOneLabel':
    '该项目每篇文档只有一个标签：请使用单标签评估（“distillery eval run”）。',
  'evaluation.projectTakesOneLabel2': '该项目每篇文档只有一个标签：它的“评估”步骤是单标签评估。',
  'evaluation.sayWhichLabelLabel': '请用 --label 指定标签（可选：{{labels}}）。',
  'evaluation.sayWhichProjectProject': '请用 --project ID 指定项目（“distillery projects list”可列出项目）。',
  'evaluation.sayWhichStudentRun': '请用 --student RUN 指定学生运行。',
  'evaluation.setWriteLabelThreshold':
    '--set “{{part}}”：请写成 LABEL=THRESHOLD，LABEL 为该运行的标签（{{labels}}）。',
  'evaluation.targetNamesWhichLabel': '--target 指定的“{{label}}”不是标签（{{labels}}）。',
  'evaluation.targetTargetMultiLabel':
    '--target “{{text}}”不是多标签项目的有效目标：请写成例如“recall:LABEL>=0.95”“microF1>=0.8”“samplesF1>=0.8”或“subsetAccuracy>=0.6”（取值 0 到 1）。',
  'evaluation.targetTargetWriteE':
    '--target “{{text}}”不是有效目标：请写成例如“recall:LABEL>=0.95”或“accuracy>=0.9”（取值 0 到 1）。',
  'evaluation.testSplitHasDocument':
    '测试集中没有由人选定标签集合的文档。请在“审核”步骤中标注一些测试文档，然后再评估。',
  'evaluation.testSplitHasHuman':
    '测试集中还没有人工标注的文档。请在“审核”步骤中标注一些测试文档，然后再评估。',
  'evaluation.thresholdSavedStudentModel':
    '阈值随学生模型保存：请给出 --student RUN（或用 --dry-run 仅查看）。',
  'evaluation.trainingRunHasBeen':
    '训练运行 {{runId}} 尚未评估。请先评估（点击“评估”按钮，或运行“distillery eval run”）。',
  'evaluation.trainingRunHasTrained': '训练运行 {{runId}} 还没有训练好的模型。请先在“训练”步骤中完成训练。',
  'evaluation.validationSplitHasDocument':
    '验证集中没有带标签集合的文档，而阈值是在验证集上调整的。请先标注一些验证文档。',
  'export.alreadyExistsEmptyChoose': '{{target}} 已存在且不为空。请选择一个新文件夹；没有覆盖任何内容。',
  'export.deploymentJsonDamagedExport':
    '{{dir}} 中的 deployment.json 已损坏（{{problem}}）。请重新导出模型。',
  'export.exportedFolderDamagedChanged': '导出的文件夹已损坏：{{file}} 被修改过。请重新导出模型。',
  'export.exportedFolderIncompleteMissing': '导出的文件夹不完整：缺少 {{file}}。请重新导出模型。',
  'export.exportedModelTooLarge': '导出的模型太大，无法以 .zip 下载；请直接复制文件夹。',
  'export.exportedModelVersionDistillery': '{{dir}} 不是此版本 Distillery 能读取的导出模型。',
  'export.giveExportedModelFolder': '请用 --model DIR 给出导出的模型文件夹。',
  'export.hasColumnColumns': '{{name}} 中没有“{{textColumn}}”列。它的列有：{{columns}}。',
  'export.lineMalformedStoppedAsked':
    '第 {{lineNo}} 行格式错误（{{error}}）；已按要求在此停止（--on-error stop）。此前已预测 {{predicted}} 行。请修正该行，或使用 --on-error continue 跳过这类行。',
  'export.modelFilesTrainingRun':
    '训练运行 {{id}} 的模型文件在 {{model_path}} 中缺失。请重新训练模型，或从备份恢复项目。',
  'export.modelTrainingRunCannot': '无法读取训练运行 {{id}} 的模型：{{why}}',
  'export.neitherExportedModelFolder': '{{dir}} 既不是导出的模型文件夹，也不是学生模型文件夹。',
  'export.noTrainedStudent': '该项目还没有训练好的学生模型。请先在“训练”步骤中训练一个。',
  'export.rowLineCannotRead':
    '无法读取 {{name}} 第 {{line}} 行（{{evMessage}}）。请修正该行，或选择“跳过错误行”。',
  'export.runHasNoModel': '该项目的训练运行 {{runId}} 没有模型。请选择其他运行，或重新训练。',
  'projects.deleteTypeProjectS': '要删除它，请准确输入项目名称：“{{name}}”。',
  'projects.jobProjectStillWorking':
    '该项目的任务 {{active}} 仍在运行。请先取消它（或等待其结束），再删除项目。',
  'review.cannotReadCheckPath': '无法读取 {{path}}。请检查路径。',
  'review.chooseLabelReviewDocuments': '请选择一个标签，以审核带有该标签的文档。',
  'review.documentRemovedProjectCleaning': '这篇文档已在清洗中从项目移除；请在“数据”步骤中恢复后再标注。',
  'review.documentTestSplitWhose':
    '这篇文档属于测试集，其标签是评估学生模型所用的金标准：请自行选择标签。测试集上不能直接接受教师的标签。',
  'review.giveEitherAnnotationsFile': '请只给出标注文件或其文本之一，不要同时给出。',
  'review.giveJsonlFileImport': '请给出要导入的 JSONL 文件。',
  'review.giveLabelLabelName': '请用 --label NAME 给出标签，或使用 --none、--accept-teacher。',
  'review.labelProjectAnyMore': '该标签已不在此项目中。请重新加载页面。',
  'review.labelProjectLabels': '“{{n}}”不是该项目的标签。它的标签有：{{p1}}。',
  'review.linesReferUnknownDocuments':
    '有 {{problems}} 行引用了未知的文档或标签，或格式有误，因此没有导入任何内容。请修正文件，或加上 --allow-partial 导入其余各行。',
  'review.mbAnnotationFilesUp':
    '{{path}} 大小为 {{p1}} MB；一次最多可导入 {{p2}} MB 的标注文件。请拆分后分别导入。',
  'review.multiLabelProjectSend': '这是多标签项目：请发送适用的全部标签（labelSet；都不适用时为 []）。',
  'review.regularFileChooseJsonl': '{{path}} 不是普通文件。请选择 .jsonl 文件。',
  'review.singleLabelProjectGive': '这是单标签项目：请恰好给出一个 --label NAME。',
  'review.singleLabelProjectSend': '这是单标签项目：请发送一个标签（labelId）。',
  'review.teacherHasLabelDocument': '教师没有为这篇文档给出可接受的标签；请用 --label NAME 给出一个。',
  'review.teacherHasLabelDocument2': '教师没有为这篇文档给出可接受的标签；请自行选择一个。',
  'server.accessTokenMustLeast': '访问令牌必须至少包含 22 个字母、数字、“-”或“_”字符（128 位或更多）。',
  'server.cannotReadCertificateKey': '无法读取证书或密钥：{{p1}}',
  'server.giveBothCertFile': '请同时提供 --cert FILE 和 --key FILE，或都不提供（将使用自签名证书）。',
  'server.keyDoesBelong': '密钥 {{keyFile}} 与证书 {{certFile}} 不匹配。',
  'server.pemCertificate': '{{certFile}} 不是 PEM 证书。',
  'server.pemPrivateKeyEncrypted': '{{keyFile}} 不是 PEM 私钥（不支持加密的私钥）。',
  'server.plainHttpWouldSend':
    '在 {{host}} 上使用明文 HTTP 会在网络上以未加密方式发送密码和文档。请去掉 --http（将生成自签名证书），或提供 --cert 和 --key；如果前端有负责加密的代理，可加上 --force-http。',
  'student.cannotStartFromRun': '无法从该运行继续训练：{{reason}}',
  'student.checkpointDoesMatchRun': '检查点 {{file}} 与此运行的设置不符。请开始新的运行。',
  'student.checkpointWrittenAnotherFeaturizer':
    '检查点 {{resumeFrom}} 是用与本版本不同的特征提取器写入的。请开始新的运行。',
  'student.checkpointDamaged': '训练检查点 {{file}} 已损坏（{{problem}}）。请开始新的运行。',
  'student.fromRunNoModel':
    '训练运行 {{fromId}} 没有可作为起点的模型。请从头开始，或选择已完成并带有模型的运行。',
  'student.fromRunNotFinished': '训练运行 {{fromId}} 尚未完成（{{state}}）。请等待其完成，或选择其他运行。',
  'student.frozenDataTrainingRun': '训练运行 {{runId}} 的冻结数据缺失或已损坏（{{p1}}）。请开始新的运行。',
  'student.documentsGoneBeforeStart':
    '训练运行 {{runId}} 开始前，其中 {{count}} 个文档已被删除。请开始新的运行。',
  'student.giveEitherHumanOnly': '请只给出 --human-only 或 --use-teacher 之一，不要同时给出。',
  'student.hasModelSizeEmbedding':
    '{{which}} 的模型大小（嵌入维度）为 {{dim}}，此运行为 {{dim2}}。请将模型大小设为 {{dim}}，或从头开始。',
  'student.labelsChangedSinceTeacher':
    '自教师运行 {{runId}} 以来标签已更改（它看到的是：{{p1}}）。请用当前标签重新运行教师，或只用人工标签训练。',
  'student.modelCannotReadTrain': '无法读取 {{dir}} 中的模型：{{p1}} 请重新训练模型。',
  'student.modelFileTruncatedTensor': '模型文件被截断（张量 {{name}}）。请重新训练模型。',
  'student.modelMissingWeightsTrain': '模型缺少“{{name}}”权重。请重新训练模型。',
  'student.modelSWeightsHave': '模型的“{{name}}”权重类型不正确。',
  'student.modelStudentModelVersion':
    '{{dir}} 中的模型不是此版本 Distillery 能读取的学生模型（格式 {{format}} v{{version}}）。',
  'student.onlyTrainingExampleS':
    '只有 {{train}} 个训练样本带有{{what}}{{p1}}。请在“审核”步骤中标注更多样本（或运行教师）后再训练。',
  'student.readsTextAnotherFeaturizer':
    '{{which}} 读取文本所用的特征提取配置与此运行不同。请从头开始，或选择用当前特征提取配置训练的运行。',
  'student.studentAlreadyTrainingProject':
    '该项目已有学生模型正在训练（任务 {{id}}）。请等待它结束，或先将其取消。',
  'student.studentNeedsLeastTwo': '学生模型至少需要两个标签。请先在“数据”步骤中添加标签。',
  'student.studentRunTrainsStudent':
    '{{which}} 是 {{architecture}} 学生模型；此运行训练的是 {{architecture2}} 学生模型。请选择 {{architecture}} 架构，或从头开始。',
  'student.studentTrainsSingleLabel':
    '{{architecture}} 学生模型只能训练单标签项目。请为这个多标签项目选择 fastText 学生模型。',
  'student.trainedOtherLabelsProject':
    '{{which}} 训练时用的标签（{{labels}}）与该项目现在的标签（{{labels2}}）不同，或顺序不同。请从头开始，或选择用当前标签训练的运行。',
  'student.trainingEndedWithoutSingle': '训练结束了，但一轮都没有完成。',
  'student.trainingRunBelongsAnother': '训练运行 {{fromId}} 属于另一个项目。请从头开始，或选择本项目的运行。',
  'student.trainingRunDoesExist': '训练运行 {{fromId}} 不存在（可能已被删除）。请从头开始，或选择其他运行。',
  'student.trainingRunHasModel': '训练运行 {{id}} 还没有模型：请等待第一轮训练结束。',
  'student.trainingStopped': '训练已停止。',
  'student.trainingStoppedLossBecame':
    '训练已停止：损失变成了 NaN（非数值）。学习率（{{lr}}）很可能过高；请用低十倍的学习率开始新的运行。',
  'student.trainingWorkerCrashed': '训练进程崩溃了：{{eMessage}}',
  'student.trainingWorkerReceivedMessage':
    '训练进程收到了无法理解的消息{{p1}}。请重启应用；如果再次发生，请连同应用版本一起报告。',
  'student.trainingWorkerSentMessage':
    '训练进程发送了应用无法理解的消息{{where}}：{{p1}}。请重新开始运行；如果再次发生，请连同应用版本一起报告。',
  'student.trainingWorkerStartedWith':
    '训练进程启动时收到了无法理解的设置{{p1}}。请重启应用；如果再次发生，请连同应用版本一起报告。',
  'student.trainingWorkerStoppedUnexpectedly': '训练进程意外停止（退出码 {{code}}）。',
  'student.usableStudentModelTrain':
    '{{dir}} 中没有可用的学生模型（{{p1}}）。请先训练学生模型，或选择其他运行。',
  'student.validationSplitEmptyNone':
    '验证集为空（或其中没有样本带有{{what}}）。训练需要用它挑选最佳轮次：请在“数据”步骤中把一些已标注样本分到验证集。',
  'teacher.appFineModelFile':
    '{{p1}}应用本身没有问题：模型文件可能已损坏或不受支持；请换一个模型，或继续该任务。',
  'teacher.calibrationNeedsLeastHuman':
    '校准至少需要 {{MIN_CALIBRATION_EXAMPLES}} 个由教师标注过的人工标注验证样本；该运行只有 {{xLength}} 个。请在“审核”中标注更多验证样本。',
  'teacher.cannotDownloadCheckAddress': '无法下载 {{url}}：{{p1}}。请检查地址和网络。',
  'teacher.cannotOpenCheckPath': '无法打开 {{file}}：{{p1}}。请检查路径后重试。',
  'teacher.cannotReachTeacherProcess': '无法连接教师进程：{{eMessage}}',
  'teacher.cannotReadChooseJsonl': '无法读取 {{path}}。请重新选择 JSONL 文件。',
  'teacher.chooseTeacherModelImport': '请选择一个教师模型（先导入一个），或配置远程端点。',
  'teacher.documentProject': '文档 {{exampleId}} 不在该项目中。',
  'teacher.documentProjectRemovedCleaning':
    '不在该项目中（或已在清洗中移除）：文档 {{missing}}。请从列表中选择文档。',
  'teacher.documentsTimeSelectionChange': '此选择范围内没有可计时的文档。请更改选择。',
  'teacher.endpointFailed': '教师端点出错：{{reason}}',
  'teacher.endpointRefused': '无法使用该教师端点：{{reason}}',
  'teacher.examplesLabelImportData': '没有可标注的样本。请导入数据或更改选择。',
  'teacher.fileCheckPathUsb': '{{source}} 处没有文件。请检查路径（U 盘是否已插入？）。',
  'teacher.fileModelMissingModel':
    '模型“{{name}}”的文件在模型文件夹中缺失（{{file_path}}）。请将其移除后重新导入。',
  'teacher.folderChooseGgufFile': '{{source}} 是一个文件夹；请选择 .gguf 文件。',
  'teacher.giveEndpointAddressE': '请给出端点地址，例如 http://gpu-server:8000。',
  'teacher.givePathGgufFile': '请给出要导入的 .gguf 文件路径。',
  'teacher.givePathJsonlFile': '请给出要导入的 .jsonl 文件路径。',
  'teacher.givePromptVersionName': '请为提示版本命名。',
  'teacher.giveVersionNameName': '请用 --name 为版本命名。',
  'teacher.hasTeacherOutputs': '{{path}} 中没有教师输出。',
  'teacher.labelHasEmptyName': '有标签的名称为空。请为每个标签命名。',
  'teacher.labelsSameTeacherRename':
    '对教师来说，标签“{{other}}”和“{{name}}”是相同的。请重命名或合并其中一个。',
  'teacher.lineCouldImportedNothing':
    '{{path}} 中有 {{errorsLength}} 行无法导入；没有导入任何内容。{{p2}}{{p3}}',
  'teacher.modelGivesInvalidNumbers':
    '模型对每个样本都给出了无效数值（NaN）：模型文件很可能已损坏。请选择其他模型。',
  'teacher.modelRunReplacedAnother': '此运行的模型已被另一个文件替换。请开始新的运行。',
  'teacher.modelSChatTemplate': '该模型的对话模板不会开启思考块，因此没有推理模式。请选择“直接”模式。',
  'teacher.multiLabelPromptAsks':
    '多标签提示一次只询问一个标签：请在 {{text}} 之后放一个含 {{label}} 的问题，例如：标签“{{label}}”适用于这段文本吗？请回答是或否。',
  'teacher.multiLabelPromptBelongs':
    '在多标签提示中，{{label}} 属于 {{text}} 之后的问题：它之前的部分为所有标签共用。',
  'teacher.multiLabelRunCalibrated':
    '这是多标签运行：它按标签分别校准（distillery teacher calibrate 会为它完成）。',
  'teacher.multiLabelTeacherAnswers':
    '多标签教师直接回答每个标签：请选择直接模式（推理模式用于单标签项目）。',
  'teacher.needsTwoLabels': '教师至少需要两个标签才能做出选择；该项目只有“{{name}}”。请再添加一个标签。',
  'teacher.noLabelsAddTwo': '该项目还没有标签。请在运行教师之前，在“数据”步骤中至少添加两个标签。',
  'teacher.oneTextsEmptyTeacher': '有一段文本为空：教师需要有文本才能标注。',
  'teacher.projectDoesExistMay': '项目 {{projectId}} 不存在（可能已被删除）。',
  'teacher.projectHasExamplesPreview': '该项目没有可预览的样本。请先在“数据”步骤中导入数据。',
  'teacher.projectHasLabelsYet': '该项目还没有标签。请在运行教师之前，在“数据”步骤中添加标签。',
  'teacher.projectHasLabelsYet2': '该项目还没有标签。请在导入教师输出之前先添加标签。',
  'teacher.promptPreviewComparesPrompts':
    '提示预览目前只在单标签项目中比较提示。在多标签项目中，请对一个小的随机样本运行教师（“教师”步骤，范围选“随机样本”），并查看其按标签的检查结果。',
  'teacher.promptTemplateTooLong': '提示模板超出了服务器的上下文长度（{{ctx}} 个词元）：请缩短它。',
  'teacher.promptVersionBelongsAnother': '提示版本 {{number}} 属于另一个项目。',
  'teacher.promptVersionDoesExist':
    '提示版本 {{versionId}} 不存在（参见“distillery teacher prompt list PROJECT_ID”）。',
  'teacher.serverAnsweredCheckAddress': '服务器对 {{url}} 返回了 {{status}}。请检查地址。',
  'teacher.singleLabelRunCalibrated': '这是单标签运行：它用一个温度进行校准。',
  'teacher.teacherEndpointAnsweredSomething':
    '教师端点 {{baseUrl}} 对 {{path}} 的应答无法被 Distillery 理解（{{p1}}：{{p2}}）。请确认它是 vLLM 或 llama.cpp 服务器。',
  'teacher.teacherModelLoaded': '教师模型尚未加载。',
  'teacher.teacherProcessAnsweredSomething':
    '教师进程对“{{op}}”的应答无法被应用理解{{p1}}。请重启应用；如果再次发生，请连同应用版本一起报告。',
  'teacher.teacherProcessReceivedMalformed':
    '教师进程收到了无法理解的请求{{p1}}。请重启应用；如果再次发生，请连同应用版本一起报告。',
  'teacher.teacherProcessSentMalformed': '教师进程发送了格式错误的应答{{invalid}}。',
  'teacher.templateNeedsText': '提示模板必须包含 {{text}}，用于放置每个样本。',
  'teacher.templateTextTwice': '提示模板中 {{text}} 只能出现一次。',
  'teacher.theseTwoPromptVersions': '这两个提示版本属于不同的项目。',
  'teacher.twoLabelsBeginSame':
    '有两个标签开头的词相同，而该服务器不提供其文本结束标记，因此无法区分它们。请重命名其中一个标签。',
  'teacher.usableGgufModelDownload':
    '{{file}} 不是可用的 GGUF 模型：{{why}} 请重新下载模型或选择其他文件；没有导入任何内容。',
  'teacher.validationDocumentHasLabel':
    '还没有验证文档带有人工选择的标签。请在“审核”中标注一些，或挑选要预览的文档。',
  'team.accountAddUnderTeam': '不存在账户“{{name}}”。请先在“团队”中添加。',
  'team.accountCheckSpelling': '不存在账户“{{username}}”。请检查拼写。',
  'team.accountDisabled': '账户“{{username}}”已被停用。',
  'team.accountExistsAlreadyChoose': '账户“{{username}}”已存在。请换一个名称。',
  'team.changingOwnPasswordNeeds':
    '修改自己的密码需要在团队模式下登录。在本机上请使用“distillery users password NAME”。',
  'team.currentPasswordWrong': '当前密码不正确。',
  'team.giveDecidedLabel': '请用 --label NAME 给出裁定的标签。',
  'team.giveDecidedSet': '请用 --label NAME（可重复）给出裁定的标签集合，或使用 --none。',
  'team.giveDocumentDecideProject': '请给出要裁定的文档：PROJECT_ID DOCUMENT_ID --label NAME。',
  'team.givePasswordFirstLine': '请在标准输入的第一行给出密码。',
  'team.giveRole': '请给出 --role {{ROLES}}。',
  'team.giveUsernameEG': '请给出用户名，例如“distillery users add alice --role annotator”。',
  'team.onlyEnabledAdministratorMake': '“{{username}}”是唯一启用的管理员。请先将另一个账户设为管理员。',
  'team.singleLabelProjectGive': '这是单标签项目：请恰好给出一个 --label NAME。',
};
