/**
 * What the machine's WebGL is, asked once: a software rasteriser (SwiftShader, llvmpipe, Microsoft Basic
 * Render) pays for every multisampled pixel on the CPU, so the viewer turns MSAA off and keeps the pixel
 * ratio at 1 there. Real GPUs keep antialiasing.
 */
let cached: { renderer: string; software: boolean } | null = null;

export function glCapabilities(): { renderer: string; software: boolean } {
  if (cached) return cached;
  let renderer = 'unknown';
  try {
    const canvas = document.createElement('canvas');
    const gl = canvas.getContext('webgl2');
    if (gl) {
      const ext = gl.getExtension('WEBGL_debug_renderer_info');
      renderer = String(ext ? gl.getParameter(ext.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
      gl.getExtension('WEBGL_lose_context')?.loseContext(); // give the probe context back at once
    }
  } catch {
    /* no WebGL2: the canvas will report it */
  }
  cached = { renderer, software: isSoftwareRenderer(renderer) };
  return cached;
}

export function isSoftwareRenderer(name: string): boolean {
  return /swiftshader|llvmpipe|softpipe|software|basic render/i.test(name);
}
