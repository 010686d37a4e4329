/** Lighting presets: small HDR environments shipped with the app (renderer/public/hdr, see scripts/make-hdr.mjs). */
export const lightingPresets = ['studio', 'sunset', 'overcast', 'plain'] as const;
export type LightingPreset = (typeof lightingPresets)[number];

/** URL of a preset's HDR file relative to the page ('./' base: works under kraken://app and the host). */
export function hdrUrl(preset: Exclude<LightingPreset, 'plain'>): string {
  return `./hdr/${preset}.hdr`;
}
