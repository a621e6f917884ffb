import type { ProjectProgress } from '../../../shared/projects';
import type { Db } from '../../core/store/db';
import { getProject } from './projects';

function exists(db: Db, sql: string, ...args: unknown[]): boolean {
  return (db.prepare(`SELECT EXISTS (${sql}) AS x`).get(...args) as { x: number }).x === 1;
}

/**
 * Which wizard steps are done, by what the project holds (never by which steps were opened):
 * data: documents, at least two labels and a split; teacher: a teacher run whose job completed; review: the test split
 * holds human labels (the gold set); train: a finished student with a model; evaluate: an evaluation is stored;
 * export: the project was exported.
 */
export function projectProgress(db: Db, projectId: number): ProjectProgress {
  getProject(db, projectId);
  return {
    data:
      exists(
        db,
        'SELECT 1 FROM examples WHERE project_id = ? AND excluded = 0 AND split IS NOT NULL',
        projectId,
      ) &&
      (db.prepare('SELECT COUNT(*) AS n FROM labels WHERE project_id = ?').get(projectId) as { n: number })
        .n >= 2,
    teacher: exists(
      db,
      `SELECT 1 FROM teacher_runs r JOIN jobs j ON j.id = r.job_id WHERE r.project_id = ? AND j.state = 'completed'`,
      projectId,
    ),
    review: exists(
      db,
      `SELECT 1 FROM person_labels a JOIN examples e ON e.id = a.example_id
       WHERE a.project_id = ? AND e.split = 'test' AND e.excluded = 0`,
      projectId,
    ),
    train: exists(
      db,
      "SELECT 1 FROM student_runs WHERE project_id = ? AND state = 'completed' AND model_path IS NOT NULL",
      projectId,
    ),
    evaluate: exists(db, "SELECT 1 FROM metrics WHERE project_id = ? AND kind = 'eval'", projectId),
    export: exists(db, "SELECT 1 FROM audit_log WHERE project_id = ? AND action = 'export'", projectId),
  };
}
