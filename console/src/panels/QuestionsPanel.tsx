import { useState } from 'react';
import type { QuestionInfo } from '../../../protocol/messages.js';
import { isWaiting, type RoomState } from '../state/room-state.js';
import { useSession } from '../session.js';
import { OutcomeText, useAction } from '../ui/outcome.js';
import { clock } from '../ui/format.js';

const FILTERS = {
  waiting: { label: 'Waiting', test: isWaiting },
  answering: { label: 'On air', test: (q: QuestionInfo) => q.status === 'answering' },
  answered: { label: 'Answered', test: (q: QuestionInfo) => q.status === 'answered' },
  // Rejected by an operator, or dropped by the director (stale, interrupted, the show stopped).
  rejected: { label: 'Not aired', test: (q: QuestionInfo) => !isWaiting(q) && q.status !== 'answering' && q.status !== 'answered' },
  all: { label: 'All', test: () => true },
} as const;
type Filter = keyof typeof FILTERS;

function QuestionRow({ room, q }: { room: string; q: QuestionInfo }) {
  const { client } = useSession();
  const [status, run] = useAction(room, 'Question');
  const short = q.text.length > 50 ? `${q.text.slice(0, 50)}…` : q.text;
  return (
    <li className={`question ${q.status}`} data-question={q.questionId} data-status={q.status}>
      <div className="meta">
        <span className="t">{clock(q.receivedAt)}</span>
        <b className="user">{q.user.name}</b>
        {q.askedBy > 1 && <span className="askers" title="viewers who asked this">×{q.askedBy}</span>}
        <span className={`pill ${q.status}`}>{q.status}</span>
      </div>
      <p className="text">{q.text}</p>
      {q.status === 'review' && (
        <div className="actions">
          <button type="button" className="primary" onClick={() => void run(() => client.request({ type: 'question.approve', room, questionId: q.questionId }), `Approve: ${short}`)}>Approve</button>
          <button type="button" onClick={() => void run(() => client.request({ type: 'question.reject', room, questionId: q.questionId }), `Reject: ${short}`)}>Reject</button>
          <OutcomeText status={status} />
        </div>
      )}
    </li>
  );
}

const REVIEW_LABELS = {
  auto: 'auto: answered at once', questions: 'review: you approve each question',
  answers: 'review: you approve each answer', tiered: 'tiered: confident KB answers at once, the rest wait for you',
} as const;

/** The room's questions, newest first per filter; review mode waits for an operator's approval. */
export function QuestionsPanel({ room }: { room: RoomState }) {
  const [filter, setFilter] = useState<Filter>('waiting');
  const shown = room.questions.filter(FILTERS[filter].test).slice().reverse();
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
        {shown.map((q) => <QuestionRow key={q.questionId} room={room.id} q={q} />)}
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
