import { useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { VisionQuestion } from '../../../../main/common/contract';
import { useCurrentProject } from '../../stores/project-store';
import { useTraining } from '../../stores/training-store';
import { Icon } from '../../ui/icon';
import { configProblems, missingRequired, parseClassList } from './training-rules';

/** One question of `clarification_needed` as a field: its suggestions offered, a required one marked. */
function QuestionField({ q, value, onChange }: { q: VisionQuestion; value: string; onChange: (v: string) => void }) {
  const { t } = useTranslation('training');
  const id = useId();
  return (
    <div className="field training-question" data-testid={`training-question-${q.field}`} data-required={q.required}>
      <label htmlFor={id}>
        {q.question}
        {q.required && (
          <span className="training-required" aria-label={t('chat.required')} title={t('chat.required')}>
            {' *'}
          </span>
        )}
      </label>
      <input id={id} className="input" value={value} onChange={(e) => onChange(e.target.value)} aria-required={q.required} list={q.suggestions.length ? `${id}-s` : undefined} data-testid={`training-answer-${q.field}`} />
      {q.suggestions.length > 0 && (
        <>
          <datalist id={`${id}-s`}>
            {q.suggestions.map((s) => (
              <option key={s} value={s} />
            ))}
          </datalist>
          <div className="training-suggestions">
            {q.suggestions.map((s) => (
              <button key={s} type="button" className="button ghost small" onClick={() => onChange(s)} data-testid="training-suggestion">
                {s}
              </button>
            ))}
          </div>
        </>
      )}
    </div>
  );
}

/** The final config, editable: task, model, classes, dataset and hyperparameters, with 422 errors next to their fields. */
function ConfigEditor({ onGoTo }: { onGoTo: (tab: 'dataset' | 'workflows') => void }) {
  const { t } = useTranslation('training');
  const project = useCurrentProject();
  const config = useTraining((s) => s.config)!;
  const errors = useTraining((s) => s.configErrors);
  const edit = useTraining((s) => s.editConfig);
  const start = useTraining((s) => s.startTraining);
  const reply = useTraining((s) => s.reply);
  const profile = useTraining((s) => s.profile);
  const ids = useId();
  const [classes, setClasses] = useState(config.classNames.join(', '));
  const [name, setName] = useState('');
  const [editing, setEditing] = useState(false);
  const [busy, setBusy] = useState(false);
  useEffect(() => setClasses(config.classNames.join(', ')), [config.classNames]);
  const problems = configProblems(config);
  const actions = reply?.actions.length ? reply.actions : [{ type: 'start_training', label: t('config.start') }, { type: 'edit_config', label: t('config.edit') }];
  const field = (key: string, label: string, input: React.ReactNode) => (
    <div className="field" data-testid={`training-config-${key}`}>
      <label htmlFor={`${ids}-${key}`}>{label}</label>
      {input}
      {errors[key] && (
        <div className="field-error" data-testid={`training-config-error-${key}`}>
          {errors[key]}
        </div>
      )}
    </div>
  );
  const num = (v: string) => (v.trim() === '' ? undefined : Number(v));
  const readOnly = !editing;
  return (
    <section className="panel training-config" data-testid="training-config" data-editing={editing}>
      <div className="panel-title">
        <span>{t('config.title')}</span>
      </div>
      <div className="training-config-grid">
        {field(
          'task',
          t('config.task'),
          <select id={`${ids}-task`} className="input" value={config.taskType ?? ''} disabled={readOnly} onChange={(e) => edit({ taskType: e.target.value || null })}>
            <option value="">—</option>
            {['classification', 'detection', 'segmentation'].map((x) => (
              <option key={x} value={x}>
                {t(`task.${x}`)}
              </option>
            ))}
          </select>,
        )}
        {field('model', t('config.model'), <input id={`${ids}-model`} className="input" value={config.modelName ?? ''} readOnly={readOnly} onChange={(e) => edit({ modelName: e.target.value })} />)}
        {field(
          'classes',
          t('config.classes'),
          <input id={`${ids}-classes`} className="input" value={classes} readOnly={readOnly} onChange={(e) => setClasses(e.target.value)} onBlur={() => edit({ classNames: parseClassList(classes), numClasses: parseClassList(classes).length })} />,
        )}
        {field(
          'dataset',
          t('config.dataset'),
          <div className="training-inline">
            <input id={`${ids}-dataset`} className="input mono" value={config.datasetId ?? ''} readOnly={readOnly} onChange={(e) => edit({ datasetId: e.target.value || null })} data-testid="training-config-dataset-input" />
            <button type="button" className="button ghost small" onClick={() => onGoTo('dataset')} data-testid="training-config-build-dataset">
              {t('config.buildDataset')}
            </button>
          </div>,
        )}
        {field('epochs', t('config.epochs'), <input id={`${ids}-epochs`} className="input" type="number" min={1} value={config.hyperparameters.epochs ?? ''} readOnly={readOnly} onChange={(e) => edit({ hyperparameters: { epochs: num(e.target.value) } })} data-testid="training-config-epochs-input" />)}
        {field('batchSize', t('config.batchSize'), <input id={`${ids}-batchSize`} className="input" type="number" min={1} value={config.hyperparameters.batchSize ?? ''} readOnly={readOnly} onChange={(e) => edit({ hyperparameters: { batchSize: num(e.target.value) } })} />)}
        {field('learningRate', t('config.learningRate'), <input id={`${ids}-learningRate`} className="input" type="number" step="any" value={config.hyperparameters.learningRate ?? ''} readOnly={readOnly} onChange={(e) => edit({ hyperparameters: { learningRate: num(e.target.value) } })} />)}
        {field('optimizer', t('config.optimizer'), <input id={`${ids}-optimizer`} className="input" value={config.hyperparameters.optimizer ?? ''} readOnly={readOnly} onChange={(e) => edit({ hyperparameters: { optimizer: e.target.value || undefined } })} />)}
        {field('name', t('config.name'), <input id={`${ids}-name`} className="input" value={name} placeholder={t('config.namePlaceholder')} onChange={(e) => setName(e.target.value)} data-testid="training-config-name-input" />)}
      </div>
      {problems.length > 0 && (
        <ul className="training-problems" data-testid="training-config-problems">
          {problems.map((p) => (
            <li key={p} data-code={p}>
              {t(`config.problem.${p}`)}
            </li>
          ))}
        </ul>
      )}
      {profile?.blocked && (
        <div className="cloud-error" role="status">
          <Icon name="alert" size={15} /> {profile.blockedProblem ? t(`problem.${profile.blockedProblem}`, { defaultValue: profile.blocked }) : profile.blocked}
        </div>
      )}
      <div className="cloud-row-actions">
        {actions.map((a) =>
          a.type === 'start_training' ? (
            <button
              key={a.type}
              type="button"
              className="button primary"
              disabled={busy || problems.length > 0 || !!profile?.blocked}
              onClick={() => {
                setBusy(true);
                void start({ name: name.trim() || t('config.defaultName', { model: config.modelName ?? '' }), projectId: project?.id }).then((w) => {
                  setBusy(false);
                  if (w) onGoTo('workflows');
                });
              }}
              data-testid="training-start"
            >
              <Icon name="play" size={15} /> {a.label}
            </button>
          ) : a.type === 'edit_config' ? (
            <button key={a.type} type="button" className="button" aria-pressed={editing} onClick={() => setEditing((x) => !x)} data-testid="training-edit-config">
              <Icon name="edit" size={15} /> {a.label}
            </button>
          ) : null,
        )}
      </div>
    </section>
  );
}

/** Chat to a training config: the creator's words, the platform's questions as fields, the final config. */
export function ChatPanel({ onGoTo }: { onGoTo: (tab: 'dataset' | 'workflows') => void }) {
  const { t } = useTranslation('training');
  const chat = useTraining((s) => s.chat);
  const reply = useTraining((s) => s.reply);
  const sending = useTraining((s) => s.sending);
  const send = useTraining((s) => s.send);
  const answer = useTraining((s) => s.answer);
  const sessions = useTraining((s) => s.sessions);
  const sessionId = useTraining((s) => s.sessionId);
  const reopen = useTraining((s) => s.reopen);
  const remove = useTraining((s) => s.deleteSession);
  const newChat = useTraining((s) => s.newChat);
  const config = useTraining((s) => s.config);
  const [text, setText] = useState('');
  const [answers, setAnswers] = useState<Record<string, string>>({});
  const log = useRef<HTMLDivElement>(null);
  useEffect(() => {
    setAnswers({});
  }, [reply]);
  useEffect(() => {
    log.current?.scrollTo({ top: log.current.scrollHeight });
  }, [chat.length]);
  const questions = reply?.type === 'clarification_needed' ? reply.questions : [];
  const missing = missingRequired(questions, answers);
  return (
    <div className="training-chat-layout">
      <section className="panel training-chat" data-testid="training-chat">
        <div className="panel-title">
          <span>{t('chat.title')}</span>
          <button type="button" className="button ghost small" onClick={newChat} data-testid="training-new-chat">
            <Icon name="plus" size={14} /> {t('chat.new')}
          </button>
        </div>
        <div className="training-messages" ref={log} role="log" aria-live="polite" data-testid="training-messages">
          {chat.length === 0 && <div className="faint">{t('chat.empty')}</div>}
          {chat.map((m, i) => (
            <div key={i} className={`training-message ${m.role}`} data-testid={`training-message-${m.role}`}>
              {m.content}
            </div>
          ))}
        </div>
        {questions.length > 0 && (
          <form
            className="training-questions"
            data-testid="training-questions"
            onSubmit={(e) => {
              e.preventDefault();
              if (missing.length === 0) void answer(answers);
            }}
          >
            {questions.map((q) => (
              <QuestionField key={q.id} q={q} value={answers[q.id] ?? ''} onChange={(v) => setAnswers((a) => ({ ...a, [q.id]: v }))} />
            ))}
            <button type="submit" className="button primary" disabled={sending || missing.length > 0} data-testid="training-send-answers">
              {t('chat.sendAnswers')}
            </button>
            {missing.length > 0 && <div className="faint">{t('chat.missing', { count: missing.length })}</div>}
          </form>
        )}
        <form
          className="training-input"
          onSubmit={(e) => {
            e.preventDefault();
            const v = text;
            setText('');
            void send(v);
          }}
        >
          <label className="sr-only" htmlFor="training-chat-input">
            {t('chat.placeholder')}
          </label>
          <textarea
            id="training-chat-input"
            className="input"
            rows={2}
            value={text}
            placeholder={t('chat.placeholder')}
            onChange={(e) => setText(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && !e.shiftKey) {
                e.preventDefault();
                e.currentTarget.form?.requestSubmit();
              }
            }}
            data-testid="training-chat-input"
          />
          <button type="submit" className="button primary" disabled={sending || !text.trim()} data-testid="training-chat-send">
            {sending ? <span className="spinner" /> : <Icon name="play" size={14} />} {t('chat.send')}
          </button>
        </form>
        {config && reply?.type === 'intent_complete' && <ConfigEditor onGoTo={onGoTo} />}
      </section>
      <aside className="panel training-sessions" data-testid="training-sessions">
        <div className="panel-title">
          <span>{t('chat.sessions')}</span>
        </div>
        {sessions.length === 0 ? (
          <div className="faint">{t('chat.noSessions')}</div>
        ) : (
          <ul>
            {sessions.map((s) => (
              <li key={s.sessionId} className={s.sessionId === sessionId ? 'active' : ''} data-testid="training-session">
                <button type="button" className="button ghost small" onClick={() => void reopen(s.sessionId)} title={s.sessionId}>
                  {s.title}
                </button>
                <button type="button" className="button ghost small" onClick={() => void remove(s.sessionId)} aria-label={t('chat.delete')} data-testid="training-session-delete">
                  <Icon name="trash" size={13} />
                </button>
              </li>
            ))}
          </ul>
        )}
      </aside>
    </div>
  );
}
