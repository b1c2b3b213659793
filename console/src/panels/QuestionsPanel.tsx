import { useState } from 'react';
import type { QuestionInfo } from '../../../protocol/messages.js';
import type { AnswerDraft, NewsroomCommand } from '../../../protocol/newsroom.js';
import { isWaiting, type RoomState } from '../state/room-state.js';
import { useSession } from '../session.js';
import { OutcomeText, useAction } from '../ui/outcome.js';
import { clock, duration } from '../ui/format.js';
import { useNow } from '../ui/use-now.js';

const FILTERS = {
  waiting: { label: 'Waiting', test: (q: QuestionInfo) => q.status === 'review' || q.status === 'queued' },
  drafts: { label: 'To review', test: (q: QuestionInfo) => q.status === 'draft' },
  answering: { label: 'On air', test: (q: QuestionInfo) => q.status === 'answering' },
  answered: { label: 'Aired', test: (q: QuestionInfo) => q.status === 'answered' },
  // Rejected or merged by an operator, dropped by the director, expired unreviewed.
  rejected: { label: 'Dropped', test: (q: QuestionInfo) => !isWaiting(q) && q.status !== 'answering' && q.status !== 'answered' },
  all: { label: 'All', test: () => true },
} as const;
type Filter = keyof typeof FILTERS;

const REVIEW_LABELS = {
  auto: 'auto: answered at once', questions: 'review: you approve each question',
  answers: 'review: you approve each answer', tiered: 'tiered: confident KB answers at once, the rest wait for you',
} as const;

const PROVIDER_TEXT: Record<AnswerDraft['provider'], string> = { kb: 'the knowledge base', openai: 'the LLM' };
const SOURCE_TEXT: Record<AnswerDraft['sources'][number]['kind'], string> = { kb: 'KB match', openai: 'LLM', fallback: 'fallback line' };

/** Pinned first, then by score (the newsroom's priority), then oldest first. */
function byPriority(a: QuestionInfo, b: QuestionInfo): number {
  return Number(!!b.pinned) - Number(!!a.pinned) || (b.score ?? 0) - (a.score ?? 0) || a.receivedAt - b.receivedAt;
}

function askersText(q: QuestionInfo): string {
  const names = q.askers?.length ? q.askers : [q.user.name];
  const more = q.askedBy - names.length;
  return more > 0 ? `${names.join(', ')} +${more}` : names.join(', ');
}

/** The drafted answer: its lines (editable), what it is based on, what the output check noted, its deadline. */
function DraftReview({ room, q, draft }: { room: string; q: QuestionInfo; draft: AnswerDraft }) {
  const { client } = useSession();
  const [status, run] = useAction(room, 'Answer');
  const original = draft.lines.join(' ');
  const [text, setText] = useState(original);
  const now = useNow(500);
  const left = draft.decideBy !== null ? draft.decideBy - now : null;
  const edited = text.trim() !== original.trim();
  const short = q.text.length > 40 ? `${q.text.slice(0, 40)}…` : q.text;
  return (
    <div className="draft" data-draft={q.questionId}>
      <textarea value={text} onChange={(e) => setText(e.target.value)} rows={Math.min(6, 1 + Math.ceil(text.length / 60))} maxLength={4000} aria-label="drafted answer" />
      <div className="draft-meta small">
        <span className="muted">drafted by {PROVIDER_TEXT[draft.provider]}</span>
        {draft.sources.map((s, i) => (
          <span key={i} className="source" title={s.text ?? ''}>
            {SOURCE_TEXT[s.kind]}{s.confidence !== null ? ` ${Math.round(s.confidence * 100)} %` : ''}{s.text ? `: “${s.text.slice(0, 60)}”` : ''}
          </span>
        ))}
        {draft.notes.map((n, i) => <span key={i} className={`note ${n.action}`} title={n.detail}>⚑ {n.reason}{n.line !== null ? ` (line ${n.line + 1})` : ''}: {n.detail}</span>)}
        {left !== null && <span className={`deadline ${left < 10_000 ? 'bad' : 'warn'}`} data-deadline>{draft.autoAir ? 'airs by itself in' : 'expires in'} {duration(Math.max(0, left))}</span>}
      </div>
      <div className="actions">
        <button type="button" className="primary" onClick={() => void run(() => client.request({ type: 'question.approve', room, questionId: q.questionId, ...(edited ? { text: text.trim() } : {}) }), `${edited ? 'Approve edited' : 'Approve'} answer: ${short}`)}>
          {edited ? 'Approve edited' : 'Approve answer'}
        </button>
        {edited && <button type="button" className="ghost" onClick={() => setText(original)}>Undo edit</button>}
        <button type="button" onClick={() => void run(() => client.request({ type: 'question.reject', room, questionId: q.questionId }), `Reject answer: ${short}`)}>Reject</button>
        <OutcomeText status={status} />
      </div>
    </div>
  );
}

function QuestionRow({ room, q, others }: { room: string; q: QuestionInfo; others: QuestionInfo[] }) {
  const { client } = useSession();
  const [status, run] = useAction(room, 'Question');
  const [merging, setMerging] = useState(false);
  const short = q.text.length > 40 ? `${q.text.slice(0, 40)}…` : q.text;
  const cmd = (c: NewsroomCommand, label: string) => void run(() => client.show(room, c), label);
  const open = isWaiting(q);
  return (
    <li className={`question ${q.status} ${q.pinned ? 'pinned' : ''}`} data-question={q.questionId} data-status={q.status}>
      <div className="meta">
        <span className="t">{clock(q.receivedAt)}</span>
        <b className="user" title={q.user.id}>{askersText(q)}</b>
        {q.askedBy > 1 && <span className="askers" title="viewers who asked this">×{q.askedBy}</span>}
        {/* A pin outranks any score (the newsroom adds a constant): the PIN says it better than the number. */}
        {q.score !== undefined && !q.pinned && <span className="score" title="priority: askers, age, pin and boosts">score <b>{q.score.toFixed(1)}</b></span>}
        {q.pinned && <span className="pin" title="pinned">PIN</span>}
        <span className={`pill ${q.status}`}>{q.status}</span>
      </div>
      <p className="text">{q.text}</p>
      {q.reason && !open && <p className="reason small muted">{q.mergedInto ? 'merged into another question' : q.reason}</p>}
      {q.status === 'draft' && q.draft && <DraftReview room={room} q={q} draft={q.draft} />}
      {open && (
        <div className="actions">
          {q.status === 'review' && <button type="button" className="primary" onClick={() => void run(() => client.request({ type: 'question.approve', room, questionId: q.questionId }), `Approve: ${short}`)}>Approve</button>}
          {q.status !== 'draft' && <button type="button" onClick={() => void run(() => client.request({ type: 'question.reject', room, questionId: q.questionId }), `Reject: ${short}`)}>Reject</button>}
          <button type="button" className="ghost" onClick={() => cmd({ name: 'question.pin', questionId: q.questionId, pinned: !q.pinned }, `${q.pinned ? 'Unpin' : 'Pin'}: ${short}`)}>{q.pinned ? 'Unpin' : 'Pin'}</button>
          <button type="button" className="ghost" title="raise its priority" onClick={() => cmd({ name: 'question.boost', questionId: q.questionId, by: 1 }, `Boost: ${short}`)}>▲</button>
          <button type="button" className="ghost" title="lower its priority" onClick={() => cmd({ name: 'question.boost', questionId: q.questionId, by: -1 }, `Lower: ${short}`)}>▼</button>
          {others.length > 0 && !merging && <button type="button" className="ghost" onClick={() => setMerging(true)}>Merge…</button>}
          {merging && (
            <select aria-label="merge into" defaultValue="" onChange={(e) => {
              setMerging(false);
              if (e.target.value) cmd({ name: 'question.merge', questionId: q.questionId, into: e.target.value }, `Merge: ${short}`);
            }}>
              <option value="">merge into…</option>
              {others.map((o) => <option key={o.questionId} value={o.questionId}>{o.text.slice(0, 60)}</option>)}
            </select>
          )}
          <button type="button" className="ghost danger-text" title={`ban ${q.user.name}: their questions and chat are dropped`}
            onClick={() => cmd({ name: 'user.ban', userId: q.user.id, userName: q.user.name }, `Ban ${q.user.name}`)}>Ban</button>
          <OutcomeText status={status} />
        </div>
      )}
    </li>
  );
}

/** The room's question groups, by priority while they wait; drafted answers are reviewed in place. */
export function QuestionsPanel({ room }: { room: RoomState }) {
  const [filter, setFilter] = useState<Filter>('waiting');
  const matching = room.questions.filter(FILTERS[filter].test);
  const shown = filter === 'waiting' || filter === 'drafts' ? matching.slice().sort(byPriority) : matching.slice().reverse();
  const open = room.questions.filter(isWaiting);
  const mode = room.view?.review;
  return (
    <section className="panel questions" aria-label="questions">
      <header>
        <h2>Questions</h2>
        <span className={`pill mode ${mode ?? ''}`} title="room setting">{mode ? REVIEW_LABELS[mode] : ''}</span>
      </header>
      <div className="tabs" role="tablist">
        {(Object.keys(FILTERS) as Filter[]).map((f) => (
          <button key={f} type="button" role="tab" aria-selected={filter === f} onClick={() => setFilter(f)}>
            {FILTERS[f].label} <span className="n">{room.questions.filter(FILTERS[f].test).length}</span>
          </button>
        ))}
      </div>
      <ol className="question-list">
        {shown.length === 0 && <li className="muted empty-row">No questions here.</li>}
        {shown.map((q) => <QuestionRow key={q.questionId} room={room.id} q={q} others={open.filter((o) => o.questionId !== q.questionId)} />)}
      </ol>
      {room.rejected.length > 0 && (
        <details className="blocked">
          <summary>Blocked by moderation ({room.rejected.length})</summary>
          <ul>{room.rejected.slice().reverse().map((r, i) => <li key={i}><span className="t">{clock(r.at)}</span> {r.reason}: {r.text}</li>)}</ul>
        </details>
      )}
    </section>
  );
}
