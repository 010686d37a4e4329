import { z } from 'zod';
import { channel, Empty, fileSafeName, Id, IsoTime } from './define';

export const ProjectStatus = z.enum(['PENDING', 'PROCESSING', 'COMPLETED', 'FAILED']);

export const Project = z.object({
  id: Id,
  name: z.string(),
  description: z.string(),
  status: ProjectStatus,
  /** The model assigned to the project (store seed 004: ai_model_id). */
  assignedModel: z.string().nullable(),
  mediaCount: z.number().int(),
  imageCount: z.number().int(),
  createdAt: IsoTime,
  updatedAt: IsoTime,
});
export type Project = z.infer<typeof Project>;

const ProjectName = fileSafeName(z.string().trim().min(1, 'A project needs a name').max(120));

export const projectChannels = {
  'projects.list': channel('All projects, newest first.', Empty, z.array(Project)),
  'projects.get': channel('One project.', z.object({ id: Id }).strict(), Project),
  'projects.create': channel(
    'Create a project.',
    z.object({ name: ProjectName, description: z.string().max(2000).default('') }).strict(),
    Project,
  ),
  'projects.update': channel(
    'Rename, describe or assign a model.',
    z
      .object({
        id: Id,
        name: ProjectName.optional(),
        description: z.string().max(2000).optional(),
        assignedModel: z.string().max(200).nullable().optional(),
      })
      .strict(),
    Project,
  ),
  'projects.delete': channel('Delete a project with its frames and results.', z.object({ id: Id }).strict(), z.object({ deleted: z.boolean() })),
};
