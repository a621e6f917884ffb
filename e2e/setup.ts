import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Job } from '../src/shared/jobs';
import type { Project } from '../src/shared/projects';
import { invoke, uploadFile, type ServerHandle } from './harness';

/** Waits for a job through the contract, as the CLI does. */
export async function waitForJob(server: ServerHandle, jobId: number): Promise<Job> {
  for (;;) {
    const job = await invoke<Job>(server, 'jobs.get', { jobId });
    if (!['queued', 'running', 'paused'].includes(job.state)) return job;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * A project set up through the contract for a test that is about a later step: `rows` texts imported from a CSV
 * (with their labels when given), two labels, and an 80/10/10 split.
 */
export async function projectWithData(
  server: ServerHandle,
  name: string,
  rows: ReadonlyArray<{ text: string; label?: string }>,
): Promise<Project> {
  const project = await invoke<Project>(server, 'projects.create', { name });
  const file = join(server.dataDir, `${name.replace(/\W+/g, '_')}.csv`);
  const quote = (s: string): string => `"${s.replace(/"/g, '""')}"`;
  writeFileSync(
    file,
    ['text,label', ...rows.map((r) => `${quote(r.text)},${r.label ?? ''}`)].join('\n') + '\n',
  );
  const job = await invoke<Job>(server, 'dataset.import', {
    projectId: project.id,
    path: await uploadFile(server, file),
    textColumn: 'text',
    labelColumn: rows.some((r) => r.label) ? 'label' : null,
  });
  const done = await waitForJob(server, job.id);
  if (done.state !== 'completed') throw new Error(`import ${done.state}: ${done.error}`);
  await invoke(server, 'dataset.saveLabels', {
    projectId: project.id,
    labels: [{ name: 'fair' }, { name: 'unfair' }].filter((l) => !rows.some((r) => r.label === l.name)),
  });
  await invoke(server, 'dataset.split', { projectId: project.id, stratify: false });
  return project;
}

/** The teacher's outputs for every document, written as the teacher feature writes them (no LLM in this test). */
export function insertTeacherOutputs(dataDir: string, projectId: number, pFirst = 0.95): number {
  const db = new Database(join(dataDir, 'distillery.db'));
  try {
    const labels = db
      .prepare('SELECT id, name FROM labels WHERE project_id = ? ORDER BY position, id')
      .all(projectId) as Array<{ id: number; name: string }>;
    const now = new Date().toISOString();
    const runId = Number(
      db
        .prepare(
          `INSERT INTO teacher_runs (project_id, model_sha256, mode, prompt_template, labels_snapshot, created_at)
           VALUES (?, 'e2e', 'direct', 'prompt', ?, ?)`,
        )
        .run(projectId, JSON.stringify(labels), now).lastInsertRowid,
    );
    const examples = db.prepare('SELECT id FROM examples WHERE project_id = ?').all(projectId) as Array<{
      id: number;
    }>;
    const probs = labels.map((_, i) => (i === 0 ? pFirst : (1 - pFirst) / (labels.length - 1)));
    const entropy = -probs.reduce((s, p) => s + p * Math.log(p), 0);
    const insert = db.prepare(
      `INSERT INTO teacher_outputs (run_id, example_id, probs, logprobs, predicted_label_id, entropy, margin, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    db.transaction(() => {
      for (const e of examples) {
        insert.run(
          runId,
          e.id,
          JSON.stringify(probs),
          JSON.stringify(probs.map(Math.log)),
          labels[0].id,
          entropy,
          probs[0] - probs[1],
          now,
        );
      }
    })();
    return runId;
  } finally {
    db.close();
  }
}
