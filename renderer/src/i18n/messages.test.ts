/**
 * The code → text mapping of the core's sentences: every code the core can emit (main/common/messages.ts, the one
 * registry) has a text in every language, no locale holds a code the core does not know, the English template
 * renders exactly the core's English sentence (what the CLI prints), and the Korean one is Korean.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import i18next from 'i18next';
import { describe, expect, it } from 'vitest';
import { MESSAGE_CODES, MESSAGES, say } from '../../../main/common/messages';
import { checkReachable } from '../../../main/node/cloud/connection';
import { httpError, networkError } from '../../../main/node/cloud/errors';
import { expectKind } from '../../../main/node/cloud/format-check';
import { HttpClient } from '../../../main/node/cloud/http-client';
import { networkTask } from '../../../main/node/cloud/network/network-service';
import { CATALOGUE } from '../../../main/node/inference/catalogue';
import { assertNoSecret } from '../../../main/node/cloud/outbox';
import { problemsError } from '../../../main/node/cloud/solana/registry-service';
import { checkRpcUrl, parseSecretKey } from '../../../main/node/cloud/solana/wallet-service';
import { visionHttpError } from '../../../main/node/cloud/vision/vision-http';
import { JOSA_FORMATS, quoted, withJosa } from './josa';
import { languages } from './resources';
import { descriptionText, reasonText, sayText } from './say';

/** A particle written as both forms: the formatter chooses instead (josa.ts). */
const PAIR = /이\(가\)|가\(이\)|을\(를\)|를\(을\)|은\(는\)|는\(은\)|와\(과\)|과\(와\)|\(으\)로|\(이\)나|\(이\)라/;

const files = import.meta.glob<Record<string, unknown>>('./locales/*/messages.json', { eager: true, import: 'default' });
const byLang = Object.fromEntries(Object.entries(files).map(([f, d]) => [/locales\/([^/]+)\//.exec(f)![1]!, d])) as Record<string, Record<string, unknown>>;

function leaves(obj: unknown, prefix = ''): Record<string, string> {
  if (typeof obj === 'string') return { [prefix]: obj };
  return Object.assign({}, ...Object.entries(obj as Record<string, unknown>).map(([k, v]) => leaves(v, prefix ? `${prefix}.${k}` : k)));
}

async function instance(lng: string) {
  const i = i18next.createInstance();
  await i.init({ lng, fallbackLng: 'en', resources: Object.fromEntries(languages.map((l) => [l, { messages: byLang[l]! }])), interpolation: { escapeValue: false } });
  for (const pair of JOSA_FORMATS) i.services.formatter!.add(pair, (v: unknown) => withJosa(v, pair));
  i.services.formatter!.add('quote', quoted); // as the app's i18n does (index.ts)
  return i;
}

describe('messages registry ↔ locales', () => {
  for (const lang of languages) {
    it(`${lang}: every code the core can emit has a text, and nothing else is there`, () => {
      const keys = Object.keys(leaves(byLang[lang]));
      expect(keys.filter((k) => !MESSAGE_CODES.includes(k as never)), `${lang} keys the registry does not have`).toEqual([]);
      expect(MESSAGE_CODES.filter((c) => !keys.includes(c)), `${lang}/messages.json lacks`).toEqual([]);
    });
  }

  it('en renders exactly the English sentence the core sends (and the CLI prints)', async () => {
    const en = await instance('en');
    for (const code of MESSAGE_CODES) {
      const { example } = MESSAGES[code];
      expect(en.t(`messages:${code}`, { ...example }), code).toBe(say(code, example as never).message);
    }
  });

  it('ko renders Korean with every placeholder filled and no "이(가)"-style pair', async () => {
    const ko = await instance('ko');
    const raw = leaves(byLang.ko);
    for (const code of MESSAGE_CODES) {
      const { example } = MESSAGES[code];
      const text = ko.t(`messages:${code}`, { ...example });
      expect(text, code).toMatch(/[\uAC00-\uD7A3]/);
      expect(text, code).not.toMatch(/\{\{|\}\}/);
      expect(raw[code], code).not.toMatch(PAIR);
      const used = [...raw[code]!.matchAll(/\{\{(\w+)/g)].map((m) => m[1]!);
      expect(used.filter((u) => !(u in example)), `${code}: placeholders the core does not send`).toEqual([]);
    }
  });
});

describe('sayText', () => {
  it('translates a known code, falls back to the English sentence for an unknown or missing one', async () => {
    const ko = await instance('ko');
    const said = say('preflight.too_long_max', { label: 'MusePose', actual: '240.0 s', max: 180 });
    expect(sayText(ko, said)).toBe('동영상 길이가 240.0 s입니다. MusePose는 최대 180초까지 받습니다. 잘라 주세요.');
    expect(sayText(ko, { message: 'Something new', messageCode: 'preflight.from_a_newer_core', messageParams: {} })).toBe('Something new');
    expect(sayText(ko, { message: 'Plain English' })).toBe('Plain English');
    expect(reasonText(ko, { reason: 'No NVIDIA GPU was found.', reasonCode: 'provider.no_nvidia', reasonParams: {} })).toBe('NVIDIA GPU를 찾지 못했습니다.');
  });

  it('translates model descriptions by their code, and stored ones only while they are the registry sentence', async () => {
    const ko = await instance('ko');
    const english = MESSAGES['model.u2netp'].en({});
    expect(descriptionText(ko, { id: 'u2netp', description: english, descriptionCode: 'model.u2netp' })).toMatch(/마스크/);
    expect(descriptionText(ko, { id: 'u2netp', description: english })).toMatch(/마스크/);
    expect(descriptionText(ko, { id: 'u2netp', description: 'My own cut-out model' })).toBe('My own cut-out model');
  });
});

describe('cloud errors built in the core, shown in Korean', () => {
  it('404, 429 and unreachable: the service named in Korean with the particle that fits it, the platform\'s own words as they came', async () => {
    const ko = await instance('ko');
    const shown = (e: ReturnType<typeof httpError>) => sayText(ko, e.toShape());
    expect(shown(httpError({ service: 'atlas', status: 404, body: '' }))).toBe('Atlas 서비스에서 찾을 수 없습니다(HTTP 404).');
    expect(shown(httpError({ service: 'vision', status: 429, headers: new Headers({ 'retry-after': '30' }), body: '' }))).toBe(
      '비전 학습 플랫폼이 요청이 많다며 천천히 보내 달라고 했습니다. 30초 후에 다시 시도하세요.',
    );
    expect(shown(httpError({ service: 'compute', status: 429, headers: new Headers({ 'retry-after': '600' }), body: '{"message":"slow down"}' }))).toBe(
      '컴퓨트 서비스가 요청이 많다며 천천히 보내 달라고 했습니다. 10분 후에 다시 시도하세요. (slow down.)',
    );
    expect(shown(networkError('atlas', 'unreachable', { origin: 'http://127.0.0.1:3000' }))).toBe(
      'http://127.0.0.1:3000의 Atlas 서비스에 연결할 수 없습니다. 연결 상태와 설정의 서비스 주소를 확인하세요.',
    );
    expect(shown(httpError({ service: 'atlas', status: 409, body: '{"message":"The email is duplicated"}' }))).toBe('Atlas 서비스가 이렇게 답했습니다: The email is duplicated.');
    expect(shown(networkError('vision', 'interrupted'))).toBe('비전 학습 플랫폼으로 보내던 업로드가 중단되었습니다(연결이 끊겼습니다). 다시 시작하세요. 업로드는 처음부터 다시 시작합니다.');
  });

  it("the vision platform's request id and reason follow the translated sentence", async () => {
    const ko = await instance('ko');
    const en = await instance('en');
    const e = visionHttpError(404, undefined, JSON.stringify({ error: { code: 'NOT_FOUND', message: 'Dataset not found', request_id: 'req_8f2c' } }));
    expect(e.messageCode).toBe('cloud.said');
    expect(sayText(en, e.toShape())).toBe(e.message);
    expect(e.message).toBe("The vision training platform said: Dataset not found. (request id req_8f2c — quote it to the platform's support)");
    expect(sayText(ko, e.toShape())).toBe('비전 학습 플랫폼이 이렇게 답했습니다: Dataset not found. (요청 ID req_8f2c: 플랫폼 지원팀에 문의할 때 알려 주세요)');
    const r = visionHttpError(401, undefined, JSON.stringify({ error: { code: 'UNAUTHORIZED', message: 'Token is invalid', details: { reason: 'Not issued here.' } } }));
    expect(sayText(en, r.toShape())).toBe(r.message);
  });

  it('in English the same errors read exactly as the core wrote them (the CLI sentence)', async () => {
    const en = await instance('en');
    for (const e of [
      httpError({ service: 'atlas', status: 404, body: '' }),
      httpError({ service: 'solana', status: 500, body: { success: false, error: 'Failed to register model' } }),
      httpError({ service: 'vision', status: 429, headers: new Headers({ 'retry-after': '300' }), body: '' }),
      networkError('network', 'timeout', { timeoutMs: 15_000 }),
      networkError('compute', 'unreachable'),
    ]) {
      expect(e.messageCode).toMatch(/^cloud\./);
      expect(sayText(en, e.toShape())).toBe(e.message);
    }
  });
});

describe('network, Solana and contributor sentences built in the core, shown in Korean', () => {
  const thrown = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      return (e as { toShape(): CodedShape }).toShape();
    }
    throw new Error('did not throw');
  };
  type CodedShape = { message: string; messageCode?: string; messageParams?: Record<string, string | number> };

  it('wallet, registry and network refusals: Korean with the particle that fits, and the English the CLI prints', async () => {
    const ko = await instance('ko');
    const en = await instance('en');
    const url = thrown(() => checkRpcUrl('not a url'));
    expect(url.messageCode).toBe('solana.rpc_not_url');
    expect(sayText(ko, url)).toBe('RPC 주소 “not a url”은 URL이 아닙니다(예: http://127.0.0.1:8899).');
    const key = thrown(() => parseSecretKey('[1,2,3]'));
    expect(sayText(ko, key)).toBe('Solana 비밀 키는 64바이트인데 이 키는 3바이트입니다.');
    const model = { id: 'movenet', name: 'MoveNet', runtime: 'tfjs', task: 'pose' } as Parameters<typeof networkTask>[0];
    const task = thrown(() => networkTask(model));
    expect(sayText(ko, task)).toBe('네트워크는 ONNX 분류·검출 모델만 실행합니다. MoveNet은 tfjs pose 모델입니다. 로컬에서 실행하세요.');
    const problems = Array.from({ length: 6 }, (_, i) => ({ field: `f${i}`, code: 'required' as const, params: {} }));
    const reg = problemsError(problems).toShape();
    expect(reg).toMatchObject({ messageCode: 'solana.cannot_register_more', messageParams: { more: 2 } });
    expect(sayText(ko, reg)).toMatch(/^모델을 등록할 수 없습니다: .+ \(외 2건\)\.$/);
    for (const x of [url, key, task, reg]) expect(sayText(en, x)).toBe(x.message);
  });

  it("the payout sentences the tests and the CLI hold to keep their English; Korean reads as Korean", async () => {
    const ko = await instance('ko');
    const nothing = say('network.nothing_earned', {});
    expect(nothing.message).toBe('There is no earned credit to pay out yet: credit comes from jobs this studio ran for the network (the welcome grant is not paid out).');
    expect(sayText(ko, nothing)).toMatch(/^아직 지급할 수 있는 적립 크레딧이 없습니다/);
    const poor = say('network.not_enough_credit', { cost: 6, balance: 0 });
    expect(poor.message).toBe('Not enough network credit for this job: it costs 6 credits and the balance is 0. Contribute idle time to earn credit, or lower the redundancy.');
    expect(sayText(ko, poor)).toBe('네트워크 크레딧이 부족합니다. 이 작업은 6 크레딧이 들고 잔액은 0입니다. 유휴 시간을 기여해 크레딧을 벌거나 중복 실행 수를 줄이세요.');
    expect(sayText(ko, say('contributor.agent_running', { dir: '/home/me/.kraken' }))).toBe('이 데이터 폴더(/home/me/.kraken)에서 노드 에이전트가 이미 실행 중입니다.');
  });
});

describe('cloud plumbing sentences (addresses, downloads, the outbox), shown in Korean', () => {
  const caught = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      return (e as { toShape(): { message: string; messageCode?: string; messageParams?: Record<string, string | number> } }).toShape();
    }
    throw new Error('did not throw');
  };

  it('a bad service address, a download of the wrong kind and a secret in the outbox', async () => {
    const ko = await instance('ko');
    const en = await instance('en');
    const address = caught(() => new HttpClient({ service: 'vision', baseUrl: 'ftp://vision.example' }));
    expect(address.messageCode).toBe('cloud.address_protocol');
    expect(sayText(ko, address)).toBe('비전 학습 플랫폼 주소는 http:// 또는 https://로 시작해야 합니다.');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-kind-'));
    try {
      const file = path.join(dir, 'model.glb');
      fs.writeFileSync(file, '<html>not a model</html>');
      const kind = caught(() => expectKind(file, 'glb', { service: 'atlas' }));
      expect(kind.message).toBe('The downloaded file is not a GLB model as the Atlas service said; it was removed.');
      expect(sayText(ko, kind)).toBe('받은 파일이 Atlas 서비스가 알려 준 형식(GLB)이 아닙니다. 파일을 지웠습니다.');
      expect(fs.existsSync(file)).toBe(false);
      const secret = caught(() => assertNoSecret({ job: { token: 'x' } }));
      expect(sayText(ko, secret)).toBe('전송 대기열의 payload에 “token” 필드가 있습니다. 비밀 값은 전송 대기열에 넣지 않습니다(참조를 저장하고, 보낼 때 비밀 값을 찾으세요).');
      for (const x of [address, kind, secret]) expect(sayText(en, x)).toBe(x.message);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("the command line's address refusal names the service in Korean, the English keeps the command's own name", async () => {
    const ko = await instance('ko');
    const en = await instance('en');
    const said = say('cloud.no_address_cloud_page', { service: 'atlas', label: 'Atlas service', name: 'Atlas', env: 'KRAKEN_ATLAS_URL' });
    expect(said.message).toBe('No Atlas address: pass --api <url>, set KRAKEN_ATLAS_URL, or save one on the Cloud page.');
    expect(sayText(en, said)).toBe(said.message);
    expect(sayText(ko, said)).toBe('Atlas 서비스 주소가 없습니다. --api <url>을 지정하거나, KRAKEN_ATLAS_URL을 설정하거나, 클라우드 페이지에서 주소를 저장하세요.');
  });
});

describe('connection checks carry their sentence as a code (the connection panel translates it)', () => {
  it('no address, a server that answers as something else, and one that cannot be reached', async () => {
    const ko = await instance('ko');
    const en = await instance('en');
    const none = await checkReachable('compute', null);
    expect(none).toMatchObject({ reachable: false, message: 'No compute service address is set.', messageCode: 'cloud.no_address_set' });
    expect(sayText(ko, none)).toBe('컴퓨트 서비스 주소가 설정되어 있지 않습니다.');
    const other = await checkReachable('atlas', 'http://127.0.0.1:9', { fetch: async () => new Response('nope', { status: 404 }) });
    expect(other).toMatchObject({ reachable: true, messageCode: 'cloud.answers_not_as', messageParams: { status: 404, path: '/atlas/version' } });
    expect(sayText(ko, other)).toBe('서버가 응답하지만 Atlas 서비스의 응답이 아닙니다(/atlas/version에 HTTP 404).');
    const down = await checkReachable('network', 'http://127.0.0.1:9', {
      fetch: async () => {
        throw Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
      },
    });
    expect(down).toMatchObject({ reachable: false, messageCode: 'cloud.unreachable_at' });
    expect(sayText(ko, down)).toBe('http://127.0.0.1:9의 기여자 네트워크에 연결할 수 없습니다. 연결 상태와 설정의 서비스 주소를 확인하세요.');
    for (const x of [none, other, down]) expect(sayText(en, { message: x.message, messageCode: x.messageCode, messageParams: x.messageParams })).toBe(x.message);
  });
});

describe('the model catalogue as the Models page gets it, in Korean', () => {
  it("each catalogue entry's description is shown by its code", async () => {
    const ko = await instance('ko');
    for (const c of CATALOGUE) {
      expect(c.descriptionCode, c.id).toBeDefined();
      const shown = descriptionText(ko, { id: c.id, description: c.description, descriptionCode: c.descriptionCode });
      expect(shown, c.id).toMatch(/[\uAC00-\uD7A3]/);
      expect(shown, c.id).not.toBe(c.description);
    }
  });
});
