/** The multipart parts of a creation call (seed 000 §3), field names with the seed's capitals. */
import path from 'node:path';
import type { CloudModel } from '../../../common/contract';
import { contentTypeFor } from '../upload';
import { CREATE_FIELDS } from './schemas';

export interface CreateInput {
  model: CloudModel;
  /** The video (nerf2mesh, gs3d, musepose, decal). */
  video?: string | null;
  /** The image (instant-mesh, musepose). */
  image?: string | null;
  itemName: string;
  epoch?: number | null;
  resize?: boolean | null;
  deviceType?: string | null;
}


/** The multipart parts one model takes (text fields first, files last, as a browser form sends them). */
export function createParts(x: CreateInput): { path: string; fields: Record<string, string>; files: { field: string; path: string; filename: string; contentType: string }[] } {
  const spec = CREATE_FIELDS[x.model];
  const fields: Record<string, string> = {};
  if (spec.resize) fields[spec.resize] = x.resize ? 'true' : 'false';
  fields.itemName = x.itemName;
  if (spec.epoch) fields[spec.epoch] = String(x.epoch ?? 1);
  if (spec.deviceType) fields[spec.deviceType] = x.deviceType ?? 'android';
  if (spec.fileName && x.video) fields[spec.fileName] = path.basename(x.video);
  const files: { field: string; path: string; filename: string; contentType: string }[] = [];
  if (spec.image) {
    if (!x.image) throw new Error(`${x.model} needs an image`);
    files.push({ field: spec.image, path: x.image, filename: path.basename(x.image), contentType: contentTypeFor(x.image) });
  }
  if (spec.video) {
    if (!x.video) throw new Error(`${x.model} needs a video`);
    files.push({ field: spec.video, path: x.video, filename: path.basename(x.video), contentType: contentTypeFor(x.video) });
  }
  return { path: spec.path, fields, files };
}

