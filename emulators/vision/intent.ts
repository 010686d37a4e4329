/**
 * The rule-based intent parser behind POST /chat/message, Korean and English. It reads the task, the model, the
 * number and names of the classes, the dataset and hyperparameters from each message, keeps what it learnt in
 * the session, asks for what is still missing (the seed's `clarification_needed`), and answers
 * `intent_complete` with the training config once task, model, class names and dataset are known. Later
 * messages answer the questions: a list (`a, b, c`, `a와 b`, `a and b`), a dataset id or name, or
 * `기본값` / `default` (the suggestion or default of every open question).
 */
import { CATALOGUE, type CatalogueModel } from './catalogue';

export type TaskType = 'classification' | 'detection' | 'segmentation';
export type Lang = 'ko' | 'en';

export interface Hyper {
  epochs: number;
  batch_size: number;
  learning_rate: number;
  optimizer: string;
}

export const DEFAULT_HYPER: Hyper = { epochs: 100, batch_size: 32, learning_rate: 0.001, optimizer: 'adam' };
const DEFAULT_MODEL: Record<TaskType, string> = { classification: 'resnet50', detection: 'yolov8n', segmentation: 'segformer-b0' };

export interface IntentState {
  lang: Lang;
  task_type: TaskType | null;
  task_explicit: boolean;
  model: string | null;
  model_explicit: boolean;
  num_classes: number | null;
  class_names: string[] | null;
  dataset_id: string | null;
  hyper: Partial<Hyper>;
  /** Fields asked in the last reply, in order. */
  pending: string[];
  /** Messages read so far (the first one sets the language; later ones switch it only with a real sentence). */
  turns: number;
}

export const emptyState = (): IntentState => ({ lang: 'ko', task_type: null, task_explicit: false, model: null, model_explicit: false, num_classes: null, class_names: null, dataset_id: null, hyper: {}, pending: [], turns: 0 });

export interface DatasetRef {
  dataset_id: string;
  name: string;
  classes: string[];
  ready: boolean;
}

const norm = (s: string) => s.toLowerCase().replace(/[\s_\-./]+/g, '');

const MODEL_ALIASES: [string, string][] = (
  [
  ...CATALOGUE.map((m) => [norm(m.model_id), m.model_id] as [string, string]),
  ...CATALOGUE.map((m) => [norm(m.name), m.model_id] as [string, string]),
  ['efficientnet', 'efficientnet_b0'],
  ['mobilenet', 'mobilenetv3_large_100'],
  ['vit', 'vit_base_patch16_224'],
  ['convnext', 'convnext_tiny'],
  ['detr', 'detr-resnet-50'],
  ['segformer', 'segformer-b0'],
  ['resnet', 'resnet50'],
  ['레즈넷', 'resnet50'],
  ['욜로', 'yolov8n'],
  ] as [string, string][]
).sort((a, b) => b[0].length - a[0].length);

/** The catalogue model a message names, if any. */
export function findModel(text: string, task: TaskType | null): string | null {
  let hay = norm(text);
  for (const [alias, id] of MODEL_ALIASES) {
    if (alias.length < 3) continue;
    const at = hay.indexOf(alias);
    if (at < 0) continue;
    // "vit" inside an ordinary word ("activity") is not a model
    if (alias === 'vit' && /[a-z]/.test(hay[at - 1] ?? '')) continue;
    hay = hay.slice(0, at) + hay.slice(at + alias.length);
    return id;
  }
  if (/yolo/.test(hay)) return task === 'segmentation' ? 'yolov8n-seg' : 'yolov8n';
  return null;
}

export function findTask(text: string): TaskType | null {
  const t = text.toLowerCase();
  if (/분할|세그멘|세그먼|segment|마스크|\bmask/.test(t)) return 'segmentation';
  if (/탐지|검출|디텍|감지|detect|bounding box|바운딩/.test(t)) return 'detection';
  if (/분류|classif|categori|recogni|구분|인식/.test(t)) return 'classification';
  return null;
}

const KO_NUM: Record<string, number> = { 한: 1, 두: 2, 세: 3, 네: 4, 다섯: 5, 여섯: 6, 일곱: 7, 여덟: 8, 아홉: 9, 열: 10 };
const EN_NUM: Record<string, number> = { two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10 };

export function findNumClasses(text: string): number | null {
  const m = /(\d{1,4})\s*(?:개의?\s*)?(?:종류|가지|클래스|개\s*클래스|품종|classes|class|categories|kinds|types|species|breeds|labels)/i.exec(text);
  if (m) return Number(m[1]);
  const k = /(한|두|세|네|다섯|여섯|일곱|여덟|아홉|열)\s*(?:종류|가지|클래스|품종)/.exec(text);
  if (k) return KO_NUM[k[1]!]!;
  const e = /\b(two|three|four|five|six|seven|eight|nine|ten)\s+(?:classes|kinds|types|categories|species|breeds|labels)/i.exec(text);
  if (e) return EN_NUM[e[1]!.toLowerCase()]!;
  return null;
}

const PARTICLE = /(으로|로|을|를|이랑|랑|하고|와|과|은|는|이|가|의|도|만|이에요|예요|에요|입니다|이요|요)$/;
const cleanName = (s: string) => s.trim().replace(/^["'“”‘’`[(]+|["'“”‘’`\])]+$/g, '').trim();

/** Splits a list: commas, 、, ;, /, and the conjunctions 와/과/랑/하고/and/or between items. */
export function splitList(s: string): string[] {
  const items = s
    .split(/\s*(?:,|、|;|\/|\band\b|\bor\b|\s(?:그리고|및)\s)\s*/i)
    .flatMap((p) => p.split(/(?<=\S)(?:와|과|이랑|랑|하고)\s+/))
    .map(cleanName)
    .filter(Boolean);
  return items;
}

function stripTail(items: string[]): string[] {
  if (!items.length) return items;
  const out = [...items];
  out[out.length - 1] = out[out.length - 1]!.replace(/\s+.*$/, '').replace(PARTICLE, '') || out[out.length - 1]!;
  return out.map((s) => s.trim()).filter(Boolean);
}

/** Class names a message states explicitly ("클래스는 a, b, c", "classes: a, b", "(a, b, c)", or a bare list when asked). */
export function findClassNames(text: string, asked: boolean): string[] | null {
  const explicit = /(?:클래스(?:는|은|:|\s*이름(?:은|:)?)|classes?\s*(?:are|:|=)|labels?\s*(?:are|:)|categories\s*(?:are|:))\s*(.+)$/i.exec(text);
  if (explicit) {
    // the list ends where the sentence goes on to other settings ("… disc 분류, 데이터셋 ds_1, 30 epochs")
    const cut = explicit[1]!.split(/\s+(?=분류|탐지|분할|데이터셋|dataset|모델|model|using|with|for\b|\d+\s*(?:epochs?|에폭)|batch|배치|lr\b|learning)|[.!?。]/i)[0]!;
    const items = stripTail(splitList(cut));
    if (items.length >= 1) return dedupe(items);
  }
  const paren = /[(（]([^()（）]+[,、][^()（）]+)[)）]/.exec(text);
  if (paren) return dedupe(splitList(paren[1]!));
  const colon = /[:：]\s*([^:：]+[,、][^:：]+)$/.exec(text);
  if (colon) return dedupe(stripTail(splitList(colon[1]!.replace(/[.!?。]+$/, ''))));
  if (asked) {
    const t = text.replace(/[.!?。]+$/, '').trim();
    const items = stripTail(splitList(t));
    if (items.length >= 2 || (items.length === 1 && !/\s/.test(t))) return dedupe(items);
    return null;
  }
  // "사람이랑 자동차 탐지", "고양이와 강아지를 분류": a list joined by 와/과/랑/하고 before the task word
  const joined = /((?:[^\s,、]+(?:\s*[,、]\s*|(?:이랑|랑|와|과|하고)\s+))+[^\s,、]+?)(?:을|를)?\s*(?:탐지|분류|검출|구분|인식)/.exec(text);
  if (joined) {
    const items = splitList(joined[1]!);
    if (items.length >= 2) return dedupe(items);
  }
  // "치즈, 나비, 츄르 분류하는 모델": a comma list inside a sentence
  const inline = /((?:[^\s,、:()]+\s*[,、]\s*)+[^\s,、:()]+)/.exec(text);
  if (inline) {
    const items = stripTail(splitList(inline[1]!));
    if (items.length >= 2) return dedupe(items);
  }
  return null;
}

const dedupe = (xs: string[]) => [...new Set(xs.map((x) => x.normalize('NFC')))];

export function findDataset(text: string, datasets: DatasetRef[]): string | null {
  const m = /\b(ds_[A-Za-z0-9_]+)\b/.exec(text);
  if (m) return m[1]!;
  const low = text.toLowerCase();
  const byName = datasets.filter((d) => d.name.length >= 3 && low.includes(d.name.toLowerCase())).sort((a, b) => b.name.length - a.name.length);
  return byName[0]?.dataset_id ?? null;
}

export function findHyper(text: string): Partial<Hyper> {
  const h: Partial<Hyper> = {};
  const ep = /(\d{1,5})\s*(?:epochs?|에폭|에포크)/i.exec(text) ?? /(?:epochs?|에폭|에포크)\s*[:=]?\s*(\d{1,5})/i.exec(text);
  if (ep) h.epochs = Number(ep[1]);
  const bs = /(?:batch(?:[_\s-]?size)?|배치(?:\s*(?:크기|사이즈))?)\s*[:=]?\s*(\d{1,5})/i.exec(text);
  if (bs) h.batch_size = Number(bs[1]);
  const lr = /(?:learning[_\s-]?rate|\blr|학습률)\s*[:=]?\s*([0-9]*\.?[0-9]+(?:e-?\d+)?)/i.exec(text);
  if (lr) h.learning_rate = Number(lr[1]);
  const opt = /\b(adamw|adam|sgd)\b/i.exec(text);
  if (opt) h.optimizer = opt[1]!.toLowerCase();
  return h;
}

export const isDefaultAnswer = (text: string) => /^\s*(기본값|기본|디폴트|아무거나|알아서|default|defaults|use defaults?|whatever)\s*(으로|로|요|이요|해\s*줘|please)?[\s.!]*$/i.test(text) || /기본값|\bdefaults?\b/i.test(text);

function josaRo(name: string): string {
  const last = name.trim().slice(-1).toLowerCase();
  const code = last.charCodeAt(0);
  if (code >= 0xac00 && code <= 0xd7a3) {
    const jong = (code - 0xac00) % 28;
    return jong === 0 || jong === 8 ? '로' : '으로';
  }
  return /[0136789mn]/.test(last) ? '으로' : '로';
}

export interface Question {
  id: string;
  field: string;
  question: string;
  required: boolean;
  suggestions: string[];
}

export type ChatReply =
  | { type: 'clarification_needed'; parsed_intent: Record<string, unknown>; questions: Question[]; message: string }
  | { type: 'intent_complete'; training_config: Record<string, unknown>; message: string; actions: { type: string; label: string }[] };

/** Folds one user message into the state and answers it. */
export function converse(state: IntentState, text: string, context: Record<string, unknown>, datasets: DatasetRef[]): ChatReply {
  const words = text.replace(/\bds_\w+/g, '').match(/[a-z]{2,}/gi) ?? [];
  if (/[\uac00-\ud7a3]/.test(text)) state.lang = 'ko';
  else if ((state.turns === 0 && words.length) || words.length >= 3) state.lang = 'en';
  state.turns = (state.turns ?? 0) + 1;
  const ko = state.lang === 'ko';
  const asked = new Set(state.pending);
  const wantsDefault = isDefaultAnswer(text);

  const task = findTask(text);
  if (task) {
    state.task_type = task;
    state.task_explicit = true;
  } else if (asked.has('task_type')) {
    const t = text.trim().toLowerCase();
    const pick = (['classification', 'detection', 'segmentation'] as TaskType[]).find((x) => t.startsWith(x.slice(0, 5)));
    if (pick) {
      state.task_type = pick;
      state.task_explicit = true;
    }
  }
  const model = findModel(text, state.task_type);
  if (model) {
    state.model = model;
    state.model_explicit = true;
    const m = CATALOGUE.find((c) => c.model_id === model)!;
    if (!state.task_type || !m.task_types.includes(state.task_type)) state.task_type = m.task_types[0]!;
  }
  const n = findNumClasses(text);
  if (n !== null) state.num_classes = n;
  const ctxDataset = typeof context.dataset_id === 'string' ? context.dataset_id : null;
  const ds = findDataset(text, datasets) ?? ctxDataset;
  if (ds) state.dataset_id = ds;
  // a dataset id alone is not a class list
  const classText = ds ? text.replace(ds, '') : text;
  const names = wantsDefault ? null : findClassNames(classText, asked.has('class_names') && !ds && !model && n === null);
  if (names && names.length) {
    state.class_names = names;
    state.num_classes = names.length;
  }
  if (Array.isArray(context.class_names) && context.class_names.every((c) => typeof c === 'string') && context.class_names.length) {
    state.class_names = dedupe(context.class_names as string[]);
    state.num_classes = state.class_names.length;
  }
  Object.assign(state.hyper, findHyper(text));

  const dataset = datasets.find((d) => d.dataset_id === state.dataset_id) ?? null;
  if (wantsDefault) {
    if (!state.dataset_id && asked.has('dataset')) {
      const first = datasets.find((d) => d.ready);
      if (first) state.dataset_id = first.dataset_id;
    }
    const chosen = datasets.find((d) => d.dataset_id === state.dataset_id);
    if ((!state.class_names || asked.has('class_names')) && chosen && chosen.classes.length) {
      state.class_names = chosen.classes;
      state.num_classes = chosen.classes.length;
    }
    if (!state.task_type && asked.has('task_type')) state.task_type = 'classification';
  }
  if (!state.model && state.task_type) state.model = DEFAULT_MODEL[state.task_type];

  const questions: Question[] = [];
  const ask = (field: string, question: string, required: boolean, suggestions: string[]) => questions.push({ id: `q${questions.length + 1}`, field, question, required, suggestions });
  if (!state.task_type) ask('task_type', ko ? '어떤 작업인가요? 분류, 객체 탐지, 분할 중에서 골라 주세요.' : 'Which task is it: classification, detection or segmentation?', true, ['classification', 'detection', 'segmentation']);
  const sameSet = (a: string[], b: string[]) => a.length === b.length && a.every((x) => b.some((y) => y.toLowerCase() === x.toLowerCase()));
  const chosenDs = datasets.find((d) => d.dataset_id === state.dataset_id);
  if (state.class_names && chosenDs && chosenDs.ready && chosenDs.classes.length && !sameSet(state.class_names, chosenDs.classes)) {
    // POST /workflows would refuse these names (422 class_names): say so now and offer the dataset's own
    const list = chosenDs.classes.join(', ');
    ask(
      'class_names',
      ko
        ? `데이터셋 ${chosenDs.dataset_id}의 클래스는 ${list}입니다. 이 클래스로 학습할까요? (그대로 쓰려면 '기본값')`
        : `The dataset ${chosenDs.dataset_id} has the classes ${list}. Train on these? (say 'default' to use them)`,
      true,
      chosenDs.classes,
    );
  } else if (!state.class_names || state.class_names.length < 1) {
    const k = state.num_classes;
    const det = state.task_type === 'detection';
    const q = ko
      ? det
        ? `${k ? `${k}종류가 ` : ''}어떤 객체인가요? (예: 사람, 자동차, 자전거)`
        : k
          ? `${k}종류가 구체적으로 어떤 클래스인가요? (예: 페르시안, 코숏, 러시안블루)`
          : '어떤 클래스들로 분류할까요? (예: 페르시안, 코숏, 러시안블루)'
      : det
        ? `Which ${k ? `${k} ` : ''}object classes should it find? (e.g. person, car, bicycle)`
        : `Which ${k ? `${k} ` : ''}classes exactly? (e.g. Persian, Korean Shorthair, Russian Blue)`;
    ask('class_names', q, true, dataset ? dataset.classes : []);
  }
  if (!state.dataset_id) ask('dataset', ko ? '데이터셋은 어디에 있나요?' : 'Where is the dataset?', true, datasets.filter((d) => d.ready).slice(0, 5).map((d) => d.dataset_id));
  state.pending = questions.map((q) => q.field);

  const catalogueModel: CatalogueModel | undefined = CATALOGUE.find((c) => c.model_id === state.model);
  const hyper: Hyper = { ...DEFAULT_HYPER, ...state.hyper };
  if (questions.length) {
    let confidence = 0.5 + (state.task_explicit ? 0.2 : 0) + (state.model_explicit ? 0.15 : 0) + (state.num_classes !== null ? 0.1 : 0);
    confidence = Math.round(Math.min(0.95, confidence) * 100) / 100;
    const parsed: Record<string, unknown> = { task_type: state.task_type, model: state.model };
    if (state.num_classes !== null) parsed.num_classes = state.num_classes;
    if (state.class_names) parsed.class_names = state.class_names;
    if (state.dataset_id) parsed.dataset_id = state.dataset_id;
    parsed.confidence = confidence;
    const name = catalogueModel?.name ?? state.model ?? '';
    const taskKo = state.task_type === 'detection' ? '탐지' : state.task_type === 'segmentation' ? '분할' : '분류';
    const message = ko
      ? name
        ? `좋아요! ${name}${josaRo(name)} ${state.num_classes ? `${state.num_classes}종류 ` : ''}${taskKo} 모델을 만들어드릴게요. 몇 가지만 확인할게요.`
        : '좋아요! 몇 가지만 확인할게요.'
      : name
        ? `Great! I'll build a ${state.num_classes ? `${state.num_classes}-class ` : ''}${state.task_type ?? ''} model with ${name}. A few questions first.`
        : 'Great! A few questions first.';
    return { type: 'clarification_needed', parsed_intent: parsed, questions, message };
  }
  const training_config = {
    task_type: state.task_type,
    model_name: state.model,
    model_source: catalogueModel?.framework ?? 'timm',
    num_classes: state.class_names!.length,
    class_names: state.class_names,
    dataset: { source: 'uploaded', dataset_id: state.dataset_id },
    hyperparameters: hyper,
  };
  return {
    type: 'intent_complete',
    training_config,
    message: ko ? '모든 설정이 완료되었습니다! 학습을 시작하시겠어요?' : 'Everything is set! Shall I start training?',
    actions: [
      { type: 'start_training', label: ko ? '학습 시작' : 'Start training' },
      { type: 'edit_config', label: ko ? '설정 수정' : 'Edit config' },
    ],
  };
}
