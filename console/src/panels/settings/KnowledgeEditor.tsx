import { useEffect, useMemo, useState } from 'react';
import type { KnowledgeBase } from '../../../../protocol/rest.js';
import { useSession } from '../../session.js';
import { OutcomeText, restOutcome, useAction } from '../../ui/outcome.js';
import { errorText } from '../../api.js';

/** Rendering 5,000 rows would make the page crawl; a filter narrows, this many are shown. */
const SHOWN = 150;

/** The room's knowledge base: Q&A pairs and facts, saved as one document (PUT). */
export function KnowledgeEditor({ room }: { room: string }) {
  const { api } = useSession();
  const [saved, setSaved] = useState<KnowledgeBase | null>(null);
  const [kb, setKb] = useState<KnowledgeBase | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [filter, setFilter] = useState('');
  const [status, run] = useAction(room, 'Knowledge base');

  useEffect(() => {
    let live = true;
    api.get<KnowledgeBase>(`/api/rooms/${room}/kb`).then((r) => { if (live) { setSaved(r); setKb(r); } }, (e) => live && setLoadError(errorText(e)));
    return () => { live = false; };
  }, [api, room]);

  const needle = filter.trim().toLowerCase();
  const qaRows = useMemo(() => (kb?.qa ?? []).map((e, i) => ({ e, i }))
    .filter(({ e }) => !needle || `${e.question} ${e.answer}`.toLowerCase().includes(needle)), [kb, needle]);
  const factRows = useMemo(() => (kb?.facts ?? []).map((f, i) => ({ f, i }))
    .filter(({ f }) => !needle || f.toLowerCase().includes(needle)), [kb, needle]);

  if (loadError) return <p className="error">Could not load the knowledge base: {loadError}</p>;
  if (!kb || !saved) return <p className="muted">Loading…</p>;
  const dirty = JSON.stringify(kb) !== JSON.stringify(saved);
  const setQa = (i: number, field: 'question' | 'answer', value: string) => setKb({ ...kb, qa: kb.qa.map((e, j) => (j === i ? { ...e, [field]: value } : e)) });
  const save = () => {
    // Empty rows are drafts the operator abandoned; the schema would refuse them.
    const clean: KnowledgeBase = { qa: kb.qa.filter((e) => e.question.trim() && e.answer.trim()), facts: kb.facts.filter((f) => f.trim()) };
    void run(() => restOutcome(async () => {
      const r = await api.put<KnowledgeBase>(`/api/rooms/${room}/kb`, clean);
      setSaved(r);
      setKb(r);
    }), `Knowledge base: ${clean.qa.length} Q&A, ${clean.facts.length} facts`);
  };

  return (
    <section className="panel kb" aria-label="knowledge base">
      <header>
        <h2>Knowledge base</h2>
        <span className="muted">{kb.qa.length} Q&amp;A · {kb.facts.length} facts</span>
        <input type="search" placeholder="filter…" value={filter} onChange={(e) => setFilter(e.target.value)} aria-label="filter knowledge base" />
        <span className="grow" />
        <OutcomeText status={status} okText="saved" />
        <button type="button" disabled={!dirty} onClick={() => setKb(saved)}>Revert</button>
        <button type="button" className="primary" disabled={!dirty} onClick={save}>Save</button>
      </header>
      <h3>Questions and answers <button type="button" onClick={() => setKb({ ...kb, qa: [{ question: '', answer: '' }, ...kb.qa] })}>+ Add</button></h3>
      <ol className="kb-qa">
        {qaRows.slice(0, SHOWN).map(({ e, i }) => (
          <li key={i} data-index={i}>
            <input value={e.question} onChange={(ev) => setQa(i, 'question', ev.target.value)} placeholder="question" maxLength={500} aria-label={`question ${i + 1}`} />
            <textarea value={e.answer} onChange={(ev) => setQa(i, 'answer', ev.target.value)} placeholder="answer" maxLength={2000} rows={2} aria-label={`answer ${i + 1}`} />
            <button type="button" className="ghost" title="remove" onClick={() => setKb({ ...kb, qa: kb.qa.filter((_, j) => j !== i) })}>✕</button>
          </li>
        ))}
        {qaRows.length > SHOWN && <li className="muted">{qaRows.length - SHOWN} more — filter to find them.</li>}
      </ol>
      <h3>Facts <button type="button" onClick={() => setKb({ ...kb, facts: ['', ...kb.facts] })}>+ Add</button></h3>
      <ol className="kb-facts">
        {factRows.slice(0, SHOWN).map(({ f, i }) => (
          <li key={i}>
            <textarea value={f} onChange={(ev) => setKb({ ...kb, facts: kb.facts.map((x, j) => (j === i ? ev.target.value : x)) })} maxLength={2000} rows={2} aria-label={`fact ${i + 1}`} />
            <button type="button" className="ghost" title="remove" onClick={() => setKb({ ...kb, facts: kb.facts.filter((_, j) => j !== i) })}>✕</button>
          </li>
        ))}
        {factRows.length > SHOWN && <li className="muted">{factRows.length - SHOWN} more — filter to find them.</li>}
      </ol>
    </section>
  );
}
