import type { ModelImage } from './model';

/**
 * How a parser reaches files next to the model (an OBJ's .mtl and textures, a .gltf's .bin and images):
 * files the user picked together, or URLs next to a data-folder file. Returns null when not found.
 */
export type ResourceResolver = (name: string) => Promise<Uint8Array | null>;

/** Decodes image bytes; `flipY` for formats whose UV origin is the bottom-left (OBJ). Null = cannot decode. */
export type ImageDecoder = (bytes: Uint8Array, name: string, flipY: boolean) => Promise<ModelImage | null>;

/** The part of a reference a resolver looks up: OBJ/MTL paths may be relative, Windows-style or quoted. */
export function resourceKey(name: string): string {
  return decodeURIComponent(name.trim().replace(/^"|"$/g, '')).replace(/\\/g, '/');
}

/** A resolver over files picked or dropped together, matched by path tail then by base name, ignoring case. */
export function filesResolver(files: { name: string; bytes(): Promise<Uint8Array> }[]): ResourceResolver {
  return async (name) => {
    const key = resourceKey(name).toLowerCase();
    const base = key.split('/').pop()!;
    const hit = files.find((f) => f.name.toLowerCase() === key) ?? files.find((f) => f.name.toLowerCase().split('/').pop() === base);
    return hit ? hit.bytes() : null;
  };
}
