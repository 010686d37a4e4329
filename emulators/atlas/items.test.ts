/** Seed 000 §3 (creation) and §4 (items) against a started emulator, with plain fetch and multipart forms. */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SPLAT_WORDS, type SplatModel } from '../../renderer/src/pages/viewer/formats/model';
import { parsePly } from '../../renderer/src/pages/viewer/formats/ply';
import { readTarGz } from '../base/tar';
import { startAtlasEmulator, type AtlasEmulator } from './index';
import { api, magic, makePng, makeVideo, mediaDir, signedInUser, type Api } from './test-kit';

let em: AtlasEmulator;
let a: Api;
let token: string;
let otherToken: string;
let dir: string;
const media: Record<string, string> = {};

// The studio viewer's GLB and OBJ readers import three's ES modules, which this CommonJS type-check cannot follow:
// they are loaded at run time only, through a path the compiler does not resolve.
interface SceneModel {
  kind: string;
  stats: { vertices: number; triangles: number };
}
type ParseModel = (name: string, bytes: Uint8Array) => Promise<SceneModel>;
let parseModel: ParseModel;

beforeAll(async () => {
  const parserPath = path.resolve(__dirname, '../../renderer/src/pages/viewer/formats/parse-model.ts');
  parseModel = ((await import(parserPath)) as { parseModel: ParseModel }).parseModel;
  dir = mediaDir();
  media.video = makeVideo(dir, 'clip.mp4', 3, '320x180');
  media.decal = makeVideo(dir, 'decal.mp4', 21, '160x90', 2);
  media.vertical = makeVideo(dir, 'vertical.mp4', 2, '180x320');
  media.png = await makePng(dir, 'square.png', 320, 320);
  media.small = await makePng(dir, 'small.png', 200, 200);
  media.portrait = await makePng(dir, 'portrait.png', 300, 400);
  media.garbage = path.join(dir, 'garbage.mp4');
  fs.writeFileSync(media.garbage, Buffer.alloc(4096, 7));
  const red = path.join(dir, 'red.mp4');
  const { execFileSync } = await import('node:child_process');
  execFileSync('/usr/bin/ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'color=c=0xE01010:size=320x180:rate=10:duration=2', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', red]);
  media.red = red;
  em = await startAtlasEmulator({ processingMs: 60_000, quiet: true });
  a = api(em.url);
  token = (await signedInUser(a, 'maker@example.com', 'Maker')).accessToken;
  otherToken = (await signedInUser(a, 'other@example.com', 'Other')).accessToken;
}, 120_000);
afterAll(async () => {
  await em.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const file = (p: string, type: string, name?: string) => ({ file: p, type, name });
const mp4 = (p: string, name?: string) => file(p, 'video/mp4', name);
const png = (p: string, name?: string) => file(p, 'image/png', name);

/** Creates an item, waits for the generator, then lets its processing time pass. */
async function made(model: string, parts: Parameters<Api['form']>[1], t = token): Promise<string> {
  const r = await a.form(`/atlas/item/${model}`, parts, t);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  await em.waitGenerated(r.body.requestId);
  em.finishItem(r.body.requestId);
  return r.body.requestId;
}

async function download(requestId: string, code?: number) {
  const res = await a.get(`/atlas/item/download/${requestId}${code !== undefined ? `?code=${code}` : ''}`, token);
  return { res, bytes: new Uint8Array(await res.arrayBuffer()) };
}

describe('POST /atlas/item/gs3d and the item lifecycle', () => {
  it('201 {requestId}; detail is PROGRESS until the processing time passes, then OK; the splat PLY parses in the studio viewer with the upload\'s colour', async () => {
    const r = await a.form('/atlas/item/gs3d', { itemName: 'Red room', Epoch: '30', Payload: mp4(media.red!) }, token);
    expect(r.status).toBe(201);
    expect(Object.keys(r.body)).toEqual(['requestId']);
    const id = r.body.requestId as string;
    await em.waitGenerated(id);
    const before = await a.json('GET', `/atlas/item/detail/${id}`, undefined, token);
    expect(before.status).toBe(200);
    expect(before.body).toEqual({ requestId: id, Status: 'PROGRESS', modelId: '2', modelName: 'gaussian-splatting', uploaderId: expect.any(String), uploaderNickname: 'Maker' });
    expect((await download(id)).res.status).toBe(404);
    em.advanceClock(60_000);
    const after = await a.json('GET', `/atlas/item/detail/${id}`, undefined, token);
    expect(after.body.Status).toBe('OK');

    const { res, bytes } = await download(id);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toContain('filename="Red room.ply"');
    expect(magic(bytes, 4)).toBe('ply\n');
    const model = parsePly(bytes) as SplatModel;
    expect(model.kind).toBe('splats');
    expect(model.count).toBeGreaterThan(1000);
    const rgba = model.data[Math.floor(model.count / 2) * SPLAT_WORDS + 3]!;
    const [R, G, B] = [rgba & 255, (rgba >> 8) & 255, (rgba >> 16) & 255];
    expect(R).toBeGreaterThan(180);
    expect(G).toBeLessThan(60);
    expect(B).toBeLessThan(60);
    // the same bytes are the emulator's file
    expect(Buffer.from(bytes).equals(fs.readFileSync(em.resultFile(id)!))).toBe(true);
  });

  it('detail/my: the owner gets {requestId, itemName, status, modelId, modelName, uploaderId, uploaderNickname, createdAt}; another user 404 there, but 200 on detail', async () => {
    const id = await made('gs3d', { itemName: 'Mine', Epoch: '1', Payload: mp4(media.video!) });
    const mine = await a.json('GET', `/atlas/item/detail/my/${id}`, undefined, token);
    expect(mine.status).toBe(200);
    expect(Object.keys(mine.body).sort()).toEqual(['createdAt', 'itemName', 'modelId', 'modelName', 'requestId', 'status', 'uploaderId', 'uploaderNickname']);
    expect(mine.body).toMatchObject({ requestId: id, itemName: 'Mine', status: 'OK', modelId: '2', modelName: 'gaussian-splatting', uploaderNickname: 'Maker' });
    expect(Number.isNaN(Date.parse(mine.body.createdAt))).toBe(false);
    expect((await a.json('GET', `/atlas/item/detail/my/${id}`, undefined, otherToken)).status).toBe(404);
    expect((await a.json('GET', `/atlas/item/detail/${id}`, undefined, otherToken)).status).toBe(200);
    expect((await a.json('GET', `/atlas/item/detail/my/${id}`)).status).toBe(401);
    expect((await a.json('GET', '/atlas/item/detail/my/no-such-item', undefined, token)).status).toBe(404);
  });

  it('detail: 401 without a token, 404 for an unknown requestId, 500 under fault injection', async () => {
    expect((await a.json('GET', '/atlas/item/detail/whatever')).status).toBe(401);
    const missing = await a.json('GET', '/atlas/item/detail/no-such-item', undefined, token);
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ message: expect.any(String) });
    em.setFaults({ route: 'GET /atlas/item/detail/*', status: 500, times: 1 });
    const f = await a.json('GET', '/atlas/item/detail/no-such-item', undefined, token);
    expect(f.status).toBe(500);
    expect(f.body).toEqual({ message: expect.any(String) });
  });

  it('a long Korean itemName: offered as filename* (UTF-8), and the archives still hold every file', async () => {
    const name = '한국어 이름 '.repeat(8).trim();
    const id = await made('decal', { itemName: name, deviceType: 'android', fileName: 'decal.mp4', payLoad: mp4(media.decal!, `${'영상'.repeat(30)}.mp4`) });
    const tgz = await download(id, 3);
    expect(tgz.res.status).toBe(200);
    expect(tgz.res.headers.get('content-disposition')).toContain(`filename*=UTF-8''${encodeURIComponent(name)}.tar.gz`);
    expect(readTarGz(tgz.bytes).map((e) => e.name.slice(-4))).toEqual(['.glb', '.gif', '.obj']);
    const req = await a.get(`/atlas/item/request/${id}`, token);
    expect(req.status).toBe(200);
    const entries = readTarGz(new Uint8Array(await req.arrayBuffer()));
    expect(entries[1]!.name).toMatch(/^payLoad\/영상.*\.mp4$/);
  });

  it('an upload that cannot be decoded is accepted, then ends NG with the reason in its log; the server stays up', async () => {
    const r = await a.form('/atlas/item/gs3d', { itemName: 'Broken', Epoch: '5', Payload: mp4(media.garbage!) }, token);
    expect(r.status).toBe(201);
    const id = r.body.requestId;
    const it = await em.waitGenerated(id);
    em.finishItem(id);
    expect(it.generated).toBe(true);
    expect((await a.json('GET', `/atlas/item/detail/${id}`, undefined, token)).body.Status).toBe('NG');
    expect((await a.json('GET', `/atlas/item/detail/my/${id}`, undefined, token)).body.status).toBe('NG');
    expect((await download(id)).res.status).toBe(404);
    const log = await a.get(`/atlas/item/log/${id}`, token);
    expect(log.status).toBe(200);
    const text = await log.text();
    expect(text).toMatch(/ERROR the input could not be decoded/);
    expect(text).toMatch(/status NG/);
    expect((await a.json('GET', '/atlas/version')).status).toBe(200);
  });

  it('an item failed through the admin API reads NG', async () => {
    const r = await a.form('/atlas/item/gs3d', { itemName: 'To fail', Epoch: '5', Payload: mp4(media.video!) }, token);
    const res = await a.json('POST', `/__emulator/items/${r.body.requestId}/fail`, { message: 'GPU fell over' });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('NG');
    await em.waitGenerated(r.body.requestId);
    expect((await a.json('GET', `/atlas/item/detail/${r.body.requestId}`, undefined, token)).body.Status).toBe('NG');
  });
});

describe('create: the seed\'s multipart fields, exactly', () => {
  it('401 without a token or with a bad one; 400 for a body that is not multipart', async () => {
    expect((await a.form('/atlas/item/gs3d', { itemName: 'x', Epoch: '1', Payload: mp4(media.video!) })).status).toBe(401);
    expect((await a.form('/atlas/item/gs3d', { itemName: 'x', Epoch: '1', Payload: mp4(media.video!) }, 'nope')).status).toBe(401);
    const j = await a.json('POST', '/atlas/item/gs3d', { itemName: 'x', Epoch: 1 }, token);
    expect(j.status).toBe(400);
    expect(j.body).toEqual({ message: expect.any(String) });
  });

  it.each([
    ['payLoad instead of Payload for gs3d', 'gs3d', { itemName: 'x', Epoch: '1', payLoad: 'video' }, /Payload/],
    ['epoch in lower case', 'gs3d', { itemName: 'x', epoch: '1', Payload: 'video' }, /Epoch/],
    ['no itemName', 'gs3d', { Epoch: '1', Payload: 'video' }, /itemName/],
    ['Epoch 0', 'gs3d', { itemName: 'x', Epoch: '0', Payload: 'video' }, /Epoch/],
    ['Epoch 101', 'gs3d', { itemName: 'x', Epoch: '101', Payload: 'video' }, /Epoch/],
    ['Epoch not a number', 'gs3d', { itemName: 'x', Epoch: 'ten', Payload: 'video' }, /Epoch/],
    ['Payload instead of payLoad for decal', 'decal', { itemName: 'x', deviceType: 'android', fileName: 'd.mp4', Payload: 'decal' }, /payLoad/],
    ['an iPhone for decal', 'decal', { itemName: 'x', deviceType: 'ios', fileName: 'd.mp4', payLoad: 'decal' }, /deviceType/],
    ['no deviceType for decal', 'decal', { itemName: 'x', fileName: 'd.mp4', payLoad: 'decal' }, /deviceType/],
    ['decal shorter than 20 s', 'decal', { itemName: 'x', deviceType: 'android', payLoad: 'video' }, /20 s/],
    ['image instead of Image for instant-mesh', 'instant-mesh', { itemName: 'x', Epoch: '1', image: 'png' }, /Image/],
    ['instant-mesh under 300x300', 'instant-mesh', { itemName: 'x', Epoch: '1', Image: 'small' }, /300x300/],
    ['a .gif for instant-mesh', 'instant-mesh', { itemName: 'x', Epoch: '1', Image: 'gif' }, /png, jpg or jpeg/],
    ['musepose without Image', 'musepose', { itemName: 'x', Epoch: '1', payLoad: 'vertical' }, /Image/],
    ['musepose with a square image', 'musepose', { itemName: 'x', Epoch: '1', Image: 'png', payLoad: 'vertical' }, /vertical image/],
    ['musepose with a landscape video', 'musepose', { itemName: 'x', Epoch: '1', Image: 'portrait', payLoad: 'video' }, /vertical video/],
    ['nerf2mesh under 50 MB', 'nerf2mesh', { itemName: 'x', Epoch: '1', resize: 'false', payLoad: 'video' }, /50 MB/],
    ['nerf2mesh resize not a boolean', 'nerf2mesh', { itemName: 'x', Epoch: '1', resize: 'maybe', payLoad: 'video' }, /resize/],
    ['a still image as gs3d Payload', 'gs3d', { itemName: 'x', Epoch: '1', Payload: 'png-as-mp4' }, /video/],
  ])('400 for %s', async (_why, model, fields, pattern) => {
    const parts: Parameters<Api['form']>[1] = {};
    for (const [k, v] of Object.entries(fields as Record<string, string>)) {
      if (k === 'itemName' || k === 'Epoch' || k === 'epoch' || k === 'resize' || k === 'deviceType' || k === 'fileName') parts[k] = v;
      else if (v === 'gif') parts[k] = file(media.png!, 'image/gif', 'picture.gif');
      else if (v === 'png-as-mp4') parts[k] = mp4(media.png!, 'still.mp4');
      else if (['png', 'small', 'portrait'].includes(v)) parts[k] = png(media[v]!);
      else parts[k] = mp4(media[v]!);
    }
    const before = em.items().length;
    const r = await a.form(`/atlas/item/${model}`, parts, token);
    expect(r.status).toBe(400);
    expect(Object.keys(r.body)).toEqual(['message']);
    expect(r.body.message).toMatch(pattern);
    expect(em.items().length).toBe(before);
  });

  it('500 under fault injection', async () => {
    em.setFaults({ route: 'POST /atlas/item/*', status: 500, times: 1 });
    const r = await a.form('/atlas/item/gs3d', { itemName: 'x', Epoch: '1', Payload: mp4(media.video!) }, token);
    expect(r.status).toBe(500);
    expect(r.body).toEqual({ message: expect.any(String) });
  });
});

describe('every model\'s results by download code', () => {
  it('instant-mesh: code 1 (default) a GLB and code 2 an OBJ, both parsed by the studio viewer; code 3 is 404, code=abc 400', async () => {
    const id = await made('instant-mesh', { itemName: 'Cube', Epoch: '10', Image: png(media.png!) });
    const d = await a.json('GET', `/atlas/item/detail/${id}`, undefined, token);
    expect(d.body).toMatchObject({ modelId: '5', modelName: 'InstantMesh', Status: 'OK' });
    const g = await download(id);
    expect(g.res.headers.get('content-type')).toBe('model/gltf-binary');
    expect(g.res.headers.get('content-disposition')).toContain('filename="Cube.glb"');
    expect(magic(g.bytes)).toBe('glTF');
    const glb = await parseModel('Cube.glb', g.bytes);
    expect(glb.kind).toBe('scene');
    expect(glb.stats.triangles).toBeGreaterThan(1000);
    const json = JSON.parse(Buffer.from(g.bytes.subarray(20, 20 + new DataView(g.bytes.buffer).getUint32(12, true))).toString());
    expect(json.asset.version).toBe('2.0');
    expect(json.meshes[0].primitives[0].attributes.COLOR_0).toBeDefined();
    const o = await download(id, 2);
    expect(o.res.headers.get('content-disposition')).toContain('filename="Cube.obj"');
    const objText = Buffer.from(o.bytes).toString('utf8');
    expect(objText).toMatch(/^v -?\d/m);
    // left half of the picture is red, right half blue: vertex colours say so
    const firstV = /^v (\S+) \S+ \S+ (\S+) (\S+) (\S+)$/m.exec(objText)!;
    expect(Number(firstV[1])).toBeLessThan(0);
    expect(Number(firstV[2])).toBeGreaterThan(0.7);
    expect(Number(firstV[4])).toBeLessThan(0.3);
    const obj = await parseModel('Cube.obj', o.bytes);
    expect(obj.stats.vertices).toBeGreaterThan(1000);
    expect((await download(id, 3)).res.status).toBe(404);
    const bad = await a.get(`/atlas/item/download/${id}?code=abc`, token);
    expect(bad.status).toBe(400);
  });

  it('decal (21 s android video): 1 GLB, 2 GIF89a turntable, 3 tar.gz holding the GLB, GIF and OBJ', async () => {
    const id = await made('decal', { itemName: 'Mural', deviceType: 'android', fileName: 'decal.mp4', payLoad: mp4(media.decal!) });
    expect((await a.json('GET', `/atlas/item/detail/${id}`, undefined, token)).body).toMatchObject({ modelId: '3', modelName: 'decal' });
    expect(magic((await download(id, 1)).bytes)).toBe('glTF');
    const gif = await download(id, 2);
    expect(gif.res.headers.get('content-type')).toBe('image/gif');
    expect(magic(gif.bytes, 6)).toBe('GIF89a');
    expect(Buffer.from(gif.bytes).includes(Buffer.from('NETSCAPE2.0'))).toBe(true); // it loops: an animation
    const tgz = await download(id, 3);
    expect(tgz.res.headers.get('content-disposition')).toContain('filename="Mural.tar.gz"');
    expect([tgz.bytes[0], tgz.bytes[1]]).toEqual([0x1f, 0x8b]);
    const entries = readTarGz(tgz.bytes);
    expect(entries.map((e) => e.name).sort()).toEqual(['Mural.gif', 'Mural.glb', 'Mural.obj']);
    expect(magic(entries.find((e) => e.name === 'Mural.glb')!.data)).toBe('glTF');
  });

  it('musepose (vertical image + vertical video): code 1 a GLB', async () => {
    const id = await made('musepose', { itemName: 'Dance', Epoch: '3', Image: png(media.portrait!), payLoad: mp4(media.vertical!) });
    expect((await a.json('GET', `/atlas/item/detail/${id}`, undefined, token)).body).toMatchObject({ modelId: '4', modelName: 'MusePose' });
    const g = await download(id);
    expect(magic(g.bytes)).toBe('glTF');
    await parseModel('Dance.glb', g.bytes);
  });

  it('musepose reads a phone video by its rotation: landscape pixels stored with rotate=90 count as vertical', async () => {
    const rotated = path.join(dir, 'rotated.mp4');
    const { execFileSync } = await import('node:child_process');
    execFileSync('/usr/bin/ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-i', media.video!, '-c', 'copy', '-metadata:s:v:0', 'rotate=90', rotated]);
    const r = await a.form('/atlas/item/musepose', { itemName: 'Phone', Epoch: '3', Image: png(media.portrait!), payLoad: mp4(rotated) }, token);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    await em.waitGenerated(r.body.requestId);
  });

  it('nerf2mesh (limits off): 1 is ${itemName}_1.glb, 2 ${itemName}_0.glb (coarser), 3 a GIF', async () => {
    const lenient = await startAtlasEmulator({ processingMs: 0, enforceInputLimits: false, autoConfirmEmail: true, quiet: true });
    try {
      const b = api(lenient.url);
      await b.json('POST', '/atlas/auth/sign-up', { email: 'n@example.com', password: 'Correct-Horse-9', nickname: 'n' });
      const t = (await b.json('POST', '/atlas/auth/sign-In', { id: 'n@example.com', password: 'Correct-Horse-9' })).body.accessToken;
      const bad = await b.form('/atlas/item/nerf2mesh', { resize: '1', itemName: 'Statue', Epoch: '50', Payload: mp4(media.video!) }, t);
      expect(bad.status).toBe(400);
      expect(bad.body.message).toMatch(/payLoad/);
      const r = await b.form('/atlas/item/nerf2mesh', { resize: '1', itemName: 'Statue', Epoch: '50', payLoad: mp4(media.video!) }, t);
      expect(r.status).toBe(201);
      await lenient.waitGenerated(r.body.requestId);
      const d = await b.json('GET', `/atlas/item/detail/${r.body.requestId}`, undefined, t);
      expect(d.body).toMatchObject({ Status: 'OK', modelId: '1', modelName: 'nerf2mesh' });
      const get = (code: number) => b.get(`/atlas/item/download/${r.body.requestId}?code=${code}`, t);
      const fine = await get(1);
      expect(fine.headers.get('content-disposition')).toContain('filename="Statue_1.glb"');
      const fineBytes = new Uint8Array(await fine.arrayBuffer());
      const coarse = await get(2);
      expect(coarse.headers.get('content-disposition')).toContain('filename="Statue_0.glb"');
      const coarseBytes = new Uint8Array(await coarse.arrayBuffer());
      expect(magic(coarseBytes)).toBe('glTF');
      expect(coarseBytes.length).toBeLessThan(fineBytes.length);
      expect(magic(new Uint8Array(await (await get(3)).arrayBuffer()), 6)).toBe('GIF89a');
      expect((await get(4)).status).toBe(404);
    } finally {
      await lenient.close();
    }
  });
});

describe('download and metadata errors', () => {
  it('download: 401 without a token, 404 for an unknown item', async () => {
    expect((await a.get('/atlas/item/download/x')).status).toBe(401);
    const r = await a.get('/atlas/item/download/no-such-item', token);
    expect(r.status).toBe(404);
    expect(await r.json()).toEqual({ message: expect.any(String) });
  });

  it('GET atlas/item/${type}: thumbnail PNG, request.tar.gz with the upload, reply.tar.gz, output.zip, log; others 404', async () => {
    const id = await made('gs3d', { itemName: 'Meta', Epoch: '2', Payload: mp4(media.video!) });
    const get = async (type: string) => {
      const res = await a.get(`/atlas/item/${type}/${id}`, token);
      return { res, bytes: new Uint8Array(await res.arrayBuffer()) };
    };
    const thumb = await get('thumbnail');
    expect(thumb.res.status).toBe(200);
    expect(Buffer.from(thumb.bytes.subarray(0, 8)).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);
    const req = await get('request');
    const reqEntries = readTarGz(req.bytes);
    expect(reqEntries.map((e) => e.name)).toEqual(['request.json', 'Payload/clip.mp4']);
    expect(reqEntries[1]!.data.equals(fs.readFileSync(media.video!))).toBe(true);
    expect(JSON.parse(reqEntries[0]!.data.toString())).toEqual({ itemName: 'Meta', Epoch: 2 });
    const reply = readTarGz((await get('reply')).bytes).map((e) => e.name);
    expect(reply).toEqual(['Meta.ply', 'thumbnail.png']);
    const out = await get('output');
    expect(magic(out.bytes, 2)).toBe('PK');
    const log = await get('log');
    expect(log.res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(Buffer.from(log.bytes).toString()).toMatch(/status OK/);
    expect((await get('nothing')).res.status).toBe(404);
    expect((await a.get(`/atlas/item/thumbnail/${id}`)).status).toBe(401);
    expect((await a.get('/atlas/item/thumbnail/no-such-item', token)).status).toBe(404);
  });

  it('while PROGRESS: request and log are there, thumbnail/reply/output are 404', async () => {
    const r = await a.form('/atlas/item/gs3d', { itemName: 'Early', Epoch: '2', Payload: mp4(media.video!) }, token);
    await em.waitGenerated(r.body.requestId);
    for (const t of ['request', 'log']) expect((await a.get(`/atlas/item/${t}/${r.body.requestId}`, token)).status).toBe(200);
    for (const t of ['thumbnail', 'reply', 'output']) expect((await a.get(`/atlas/item/${t}/${r.body.requestId}`, token)).status).toBe(404);
  });
});

describe('GET atlas/item/my/{ModelId} and DELETE atlas/item/{requestId}', () => {
  let lister: string;
  const ids: string[] = [];

  beforeAll(async () => {
    lister = (await signedInUser(a, 'lister@example.com')).accessToken;
    // cheap items: an undecodable upload is refused by the generator at once (NG), which listing does not mind
    for (let i = 0; i < 12; i++) {
      const r = await a.form('/atlas/item/gs3d', { itemName: `item ${i}`, Epoch: '1', Payload: mp4(media.garbage!) }, lister);
      ids.push(r.body.requestId);
    }
    await a.form('/atlas/item/instant-mesh', { itemName: 'other model', Epoch: '1', Image: png(media.png!) }, lister);
  });

  const list = (q: string, t = lister) => a.json('GET', `/atlas/item/my/2${q}`, undefined, t);

  it('default limit 10, newest first, {items, hasNextItem, nextCursor}; the cursor walks every item once', async () => {
    const first = await list('?orderBy=createdAt&desc=false');
    expect(first.status).toBe(200);
    expect(Object.keys(first.body).sort()).toEqual(['hasNextItem', 'items', 'nextCursor']);
    expect(first.body.items).toHaveLength(10);
    expect(first.body.hasNextItem).toBe(true);
    for (const it of first.body.items) expect(Object.keys(it).sort()).toEqual(['createdAt', 'itemName', 'model', 'requestId', 'status']);
    expect(first.body.items[0]).toMatchObject({ requestId: ids[11], itemName: 'item 11', model: 'gaussian-splatting' });
    expect(first.body.nextCursor).toBe(first.body.items[9].createdAt);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: { requestId: string }[]; hasNextItem: boolean; nextCursor: string | null } } = await list(`?orderBy=createdAt&desc=false&limit=5${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      seen.push(...page.body.items.map((i) => i.requestId));
      cursor = page.body.nextCursor;
      if (!page.body.hasNextItem) expect(cursor).toBeNull();
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());
  });

  it('desc=true lists oldest first; limit above 50 is 50; only the caller\'s items of that model', async () => {
    const asc = await list('?orderBy=createdAt&desc=true&limit=3');
    expect(asc.body.items.map((i: { requestId: string }) => i.requestId)).toEqual(ids.slice(0, 3));
    const all = await list('?orderBy=createdAt&desc=false&limit=500');
    expect(all.body.items).toHaveLength(12);
    expect(all.body.hasNextItem).toBe(false);
    expect(all.body.nextCursor).toBeNull();
    expect((await list('?orderBy=createdAt&desc=false', token)).body.items.every((i: { itemName: string }) => !i.itemName.startsWith('item '))).toBe(true);
    const im = await a.json('GET', '/atlas/item/my/5?orderBy=createdAt&desc=false', undefined, lister);
    expect(im.body.items.map((i: { model: string }) => i.model)).toEqual(['InstantMesh']);
  });

  it('400 for limit 0, an unknown orderBy, a bad cursor or desc, an unknown ModelId; 401 without a token', async () => {
    for (const q of ['?limit=0', '?limit=-3', '?orderBy=itemName', '?cursor=yesterday', '?desc=maybe']) expect((await list(q)).status, q).toBe(400);
    expect((await a.json('GET', '/atlas/item/my/9', undefined, lister)).status).toBe(400);
    expect((await a.json('GET', '/atlas/item/my/2')).status).toBe(401);
  });

  it('DELETE: 403 for someone else\'s item, 200 {requestId} for one\'s own, then 404; 401 without a token', async () => {
    const id = ids[0]!;
    expect((await a.json('DELETE', `/atlas/item/${id}`)).status).toBe(401);
    const notMine = await a.json('DELETE', `/atlas/item/${id}`, undefined, token);
    expect(notMine.status).toBe(403);
    expect(notMine.body).toEqual({ message: expect.any(String) });
    const r = await a.json('DELETE', `/atlas/item/${id}`, undefined, lister);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ requestId: id });
    expect((await a.json('DELETE', `/atlas/item/${id}`, undefined, lister)).status).toBe(404);
    expect((await a.json('GET', `/atlas/item/detail/${id}`, undefined, lister)).status).toBe(404);
    expect(fs.existsSync(path.join(em.dataDir, 'items', id))).toBe(false);
  });

  it('an item deleted while it is being generated leaves no folder behind', async () => {
    const r = await a.form('/atlas/item/gs3d', { itemName: 'Short-lived', Epoch: '1', Payload: mp4(media.video!) }, lister);
    expect((await a.json('DELETE', `/atlas/item/${r.body.requestId}`, undefined, lister)).status).toBe(200);
    await em.idle();
    expect(fs.existsSync(path.join(em.dataDir, 'items', r.body.requestId))).toBe(false);
    expect(em.item(r.body.requestId)).toBeNull();
  });
});
