/** Projects: the local library (SPEC C1, store seed 004). */
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../../common/app-error';
import type { Project } from '../../common/contract';
import type { Db } from '../store/database';
import { nowIso } from '../store/database';

interface Row {
  id: number;
  name: string;
  description: string;
  status: Project['status'];
  assigned_model: string | null;
  created_at: string;
  updated_at: string;
  media_count: number;
  image_count: number;
}

const SELECT = `SELECT p.*,
  (SELECT COUNT(*) FROM media_sources m WHERE m.project_id = p.id) AS media_count,
  (SELECT COUNT(*) FROM images i WHERE i.project_id = p.id) AS image_count
  FROM projects p`;

export class ProjectService {
  constructor(
    private readonly db: Db,
    private readonly dataDir: string,
  ) {}

  /** All projects, newest first. */
  list(): Project[] {
    return (this.db.prepare(`${SELECT} ORDER BY p.created_at DESC, p.id DESC`).all() as Row[]).map(toProject);
  }

  /** One project, or NOT_FOUND. */
  get(id: number): Project {
    const row = this.db.prepare(`${SELECT} WHERE p.id = ?`).get(id) as Row | undefined;
    if (!row) throw new AppError('NOT_FOUND', `Project ${id} does not exist`);
    return toProject(row);
  }

  /** Creates a project. */
  create(input: { name: string; description?: string }): Project {
    const now = nowIso();
    const info = this.db
      .prepare(`INSERT INTO projects (name, description, created_at, updated_at) VALUES (?, ?, ?, ?)`)
      .run(input.name.trim(), input.description ?? '', now, now);
    return this.get(Number(info.lastInsertRowid));
  }

  /** Renames, re-describes or assigns a model. */
  update(input: { id: number; name?: string; description?: string; assignedModel?: string | null }): Project {
    const p = this.get(input.id);
    this.db
      .prepare(`UPDATE projects SET name=?, description=?, assigned_model=?, updated_at=? WHERE id=?`)
      .run(
        input.name?.trim() ?? p.name,
        input.description ?? p.description,
        input.assignedModel === undefined ? p.assignedModel : input.assignedModel,
        nowIso(),
        p.id,
      );
    return this.get(p.id);
  }

  /** Sets the coarse status shown in the project list. */
  setStatus(id: number, status: Project['status']): void {
    this.db.prepare(`UPDATE projects SET status=?, updated_at=? WHERE id=?`).run(status, nowIso(), id);
  }

  /** Deletes the project rows (cascade) and then its files. */
  delete(id: number): boolean {
    this.get(id);
    this.db.prepare(`DELETE FROM projects WHERE id = ?`).run(id);
    fs.rmSync(path.join(this.dataDir, 'projects', String(id)), { recursive: true, force: true });
    return true;
  }
}

function toProject(r: Row): Project {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    status: r.status,
    assignedModel: r.assigned_model,
    mediaCount: r.media_count,
    imageCount: r.image_count,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}
