/**
 * What the Cloud page checks before anything is sent: the Atlas password rule (seed 000 §2.1), which media
 * each 3D model takes, and the limits of the form fields (SPEC §3). Pure, so it is tested without a DOM.
 */
import type { CloudModel, MediaSource } from '../../../../main/common/contract';

export const cloudModels = ['gs3d', 'nerf2mesh', 'instant-mesh', 'musepose', 'decal'] as const satisfies readonly CloudModel[];

/** Atlas's own model ids (seed 000 §4.1): the My items list is asked per id. */
export const atlasModelId: Record<CloudModel, number> = { nerf2mesh: 1, gs3d: 2, decal: 3, musepose: 4, 'instant-mesh': 5 };

export interface ModelInputs {
  /** The main input: a video, or (InstantMesh) an image. */
  primary: 'video' | 'image';
  /** MusePose wants a reference image beside its video. */
  image: boolean;
  epoch: boolean;
  resize: boolean;
  deviceType: boolean;
}

export const modelInputs: Record<CloudModel, ModelInputs> = {
  nerf2mesh: { primary: 'video', image: false, epoch: true, resize: true, deviceType: false },
  gs3d: { primary: 'video', image: false, epoch: true, resize: false, deviceType: false },
  'instant-mesh': { primary: 'image', image: false, epoch: true, resize: false, deviceType: false },
  musepose: { primary: 'video', image: true, epoch: true, resize: false, deviceType: false },
  decal: { primary: 'video', image: false, epoch: false, resize: false, deviceType: true },
};

/** The seed lists Android as the one device type Decal takes. */
export const deviceTypes = ['android'] as const;

export const EPOCH_MIN = 1;
export const EPOCH_MAX = 100;
export const NAME_MAX = 100;

export type PasswordCheck = 'length' | 'upper' | 'lower' | 'digit' | 'special';
export const passwordChecks: readonly PasswordCheck[] = ['length', 'upper', 'lower', 'digit', 'special'];

/** Each part of the sign-up rule: at least 10 characters with an upper-case and a lower-case letter, a digit and a special character. */
export function checkPassword(password: string): Record<PasswordCheck, boolean> {
  return {
    length: [...password].length >= 10,
    upper: /\p{Lu}/u.test(password),
    lower: /\p{Ll}/u.test(password),
    digit: /\p{Nd}/u.test(password),
    // anything that is neither a letter, a digit nor white space counts as special
    special: /[^\p{L}\p{Nd}\s]/u.test(password),
  };
}

export function passwordOk(password: string): boolean {
  return Object.values(checkPassword(password)).every(Boolean);
}

/** A plain e-mail shape check (the server has the last word). */
export function emailOk(email: string): boolean {
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.trim());
}

export interface JobForm {
  model: CloudModel;
  mediaId: number | null;
  imageMediaId: number | null;
  name: string;
  /** As typed, so a half-typed number is not lost. */
  epoch: string;
  resize: boolean;
  deviceType: (typeof deviceTypes)[number];
}

export type FormProblem = 'media' | 'image' | 'name' | 'epoch';

/** What keeps the form from being sent (before the pre-flight verdict is even asked). */
export function formProblems(form: JobForm): FormProblem[] {
  const spec = modelInputs[form.model];
  const out: FormProblem[] = [];
  if (form.mediaId === null) out.push('media');
  if (spec.image && form.imageMediaId === null) out.push('image');
  const name = form.name.trim();
  if (name.length === 0 || name.length > NAME_MAX) out.push('name');
  if (spec.epoch && parseEpoch(form.epoch) === null) out.push('epoch');
  return out;
}

/** A whole number within the seed's Epoch range, else null. */
export function parseEpoch(text: string): number | null {
  if (!/^\s*\d+\s*$/.test(text)) return null;
  const n = Number(text);
  return n >= EPOCH_MIN && n <= EPOCH_MAX ? n : null;
}

/** Media of the project this model takes as its main input (a video, or an image for InstantMesh). */
export function mediaFor(model: CloudModel, media: readonly MediaSource[]): MediaSource[] {
  const kind = modelInputs[model].primary;
  return media.filter((m) => m.kind === kind);
}

/** A default item name from the file: its name without the extension. */
export function defaultName(file: string): string {
  const base = file.split(/[\\/]/).pop() ?? file;
  const dot = base.lastIndexOf('.');
  return (dot > 0 ? base.slice(0, dot) : base).slice(0, NAME_MAX);
}

/** Round-trip time label: "12 ms", "1.2 s". */
export function formatLatency(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** Bytes per second as "3.4 MB/s". */
export function formatRate(bytesPerSecond: number): string {
  const units = ['B/s', 'KB/s', 'MB/s', 'GB/s'];
  let v = bytesPerSecond;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v >= 100 || i === 0 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
}

/** What the viewer opens; a GIF is shown as an image, a tar.gz is listed. */
export type ResultKind = 'model' | 'image' | 'archive' | 'other';

export function resultKind(file: string): ResultKind {
  const name = file.toLowerCase();
  if (/\.(glb|gltf|obj|ply|splat)$/.test(name)) return 'model';
  if (/\.(gif|png|jpe?g|webp)$/.test(name)) return 'image';
  if (/\.(tar\.gz|tgz|zip)$/.test(name)) return 'archive';
  return 'other';
}

export type AccountAction = 'signIn' | 'signUp' | 'resend' | 'reset' | 'changePassword' | 'deleteAccount' | 'signOut';

/**
 * The sentence (cloud:account.errors.<key>) for an account failure. Sign-in's three refusals each get their
 * own: 401 wrong e-mail or password, 403 e-mail not confirmed, 409 a Google account (seed 000 §2.2).
 */
export function accountErrorKey(action: AccountAction, code: string): string {
  if (code === 'NETWORK') return 'unreachable';
  if (action === 'signIn') {
    if (code === 'UNAUTHORIZED') return 'wrongPassword';
    if (code === 'FORBIDDEN') return 'notConfirmed';
    if (code === 'CONFLICT') return 'google';
  }
  if (action === 'signUp' && code === 'CONFLICT') return 'emailTaken';
  if ((action === 'reset' || action === 'resend') && code === 'NOT_FOUND') return 'noSuchUser';
  return 'other';
}

/** My items' delete: 403 is "not yours" (seed 000 §4.5), 404 "gone already"; else the service's sentence. */
export function deleteErrorKey(code: string): 'notYours' | 'notFound' | null {
  if (code === 'FORBIDDEN') return 'notYours';
  if (code === 'NOT_FOUND') return 'notFound';
  return null;
}

/** An http(s) URL the connection setting takes. */
export function urlOk(text: string): boolean {
  try {
    const u = new URL(text.trim());
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname.length > 0;
  } catch {
    return false;
  }
}
