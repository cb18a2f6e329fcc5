import { useCallback, useMemo, useState } from "react";
import {
  commands,
  dateTime,
  errorOf,
  relative,
  run,
  type BattleCard,
  type BattleCardDraft,
  type BattleCardSuggestion,
  type CardSection,
  type CommandError,
} from "../api";
import { href, navigate } from "../router";
import { BusyButton, Empty, ErrorBox, Field, Modal, PageHeader, SkeletonBlock, Spinner, useApp, useLoad } from "../ui";

export function BattleCardsGrid() {
  const load = useCallback(() => run(commands.listBattleCards()), []);
  const list = useLoad(load);
  const loadPending = useCallback(() => run(commands.battleCardSuggestions(null)), []);
  const pending = useLoad(loadPending, { ready: false });
  const pendingOf = (cardId: string) => (pending.data ?? []).filter((x) => x.card_id === cardId).length;
  const [creating, setCreating] = useState(false);
  const [filter, setFilter] = useState("");
  const shown = (list.data ?? []).filter(
    (b) => !filter.trim() || `${b.competitor} ${b.summary}`.toLowerCase().includes(filter.trim().toLowerCase()),
  );

  return (
    <div className="page">
      <PageHeader
        title="Battle cards"
        sub="Open one during a call: everything you need about a competitor, at a glance."
        actions={
          <button className="btn btn-primary" onClick={() => setCreating(true)}>
            + New battle card
          </button>
        }
      />
      {list.data && list.data.length > 6 && (
        <div className="toolbar">
          <input className="input input-search" placeholder="Find a competitor…" value={filter} onChange={(e) => setFilter(e.target.value)} />
        </div>
      )}
      <ErrorBox error={list.error} onRetry={list.reload} />
      {pending.error && (
        <div className="muted small pad-bottom" role="status">
          Suggested updates could not be counted: {pending.error.message}
        </div>
      )}
      {!list.data && list.loading && (
        <div className="tile-grid">
          {Array.from({ length: 6 }, (_, i) => (
            <div className="tile" key={i}>
              <SkeletonBlock lines={3} />
            </div>
          ))}
        </div>
      )}
      {list.data && list.data.length === 0 && (
        <Empty icon="⚔" title="No battle cards yet" action={<button className="btn btn-primary" onClick={() => setCreating(true)}>Create the first one</button>}>
          Write down why you win against each competitor, so every rep can answer on the spot.
        </Empty>
      )}
      {list.data && list.data.length > 0 && (
        <div className="tile-grid">
          {shown.map((b) => (
            <a key={b.id} className="tile" href={href(`/battle-cards/${b.id}`)} data-testid="battle-card-tile">
              <div className="tile-head">
                <span className="tile-mark">{b.competitor.charAt(0).toUpperCase()}</span>
                <span className="tile-title">{b.competitor}</span>
              </div>
              <p className="tile-summary">{b.summary || <span className="muted">No summary yet.</span>}</p>
              <div className="tile-foot">
                <span className={b.open_deals > 0 ? "tile-deals hot" : "tile-deals"}>
                  {b.open_deals} open deal{b.open_deals === 1 ? "" : "s"}
                </span>
                {pendingOf(b.id) > 0 && (
                  <span className="tile-suggest" data-testid="pending-suggestions" title="Suggested updates waiting for a decision">
                    ✦ {pendingOf(b.id)} suggested
                  </span>
                )}
                <span className="muted small">Updated {relative(b.updated_at)}</span>
              </div>
            </a>
          ))}
        </div>
      )}
      {creating && <NewCardDialog onClose={() => setCreating(false)} />}
    </div>
  );
}

function emptyDraft(competitor: string): BattleCardDraft {
  return {
    competitor,
    summary: "",
    our_strengths: [],
    their_weaknesses: [],
    pricing_comparison: "",
    key_differentiators: [],
    objections: [],
    trigger_phrases: [],
    updated_by: null,
  };
}

function NewCardDialog({ onClose }: { onClose: () => void }) {
  const { userName, refreshStats } = useApp();
  const [name, setName] = useState("");
  const [error, setError] = useState<CommandError | null>(null);
  const [saving, setSaving] = useState(false);
  const create = async () => {
    setSaving(true);
    setError(null);
    try {
      const card = await run(commands.saveBattleCard(null, { ...emptyDraft(name.trim()), updated_by: userName || null }));
      refreshStats();
      navigate(`/battle-cards/${card.id}?edit`);
    } catch (e) {
      setError(errorOf(e));
    } finally {
      setSaving(false);
    }
  };
  const fieldErr = error?.fields.find((f) => f.field === "competitor")?.reason;
  return (
    <Modal
      title="New battle card"
      onClose={onClose}
      footer={
        <>
          <button className="btn" onClick={onClose}>
            Cancel
          </button>
          <button className="btn btn-primary" onClick={create} disabled={saving}>
            {saving ? "Creating…" : "Create"}
          </button>
        </>
      }
    >
      {error && !fieldErr && <ErrorBox error={error} />}
      <Field label="Competitor" error={fieldErr}>
        <input
          className="input"
          autoFocus
          value={name}
          onChange={(e) => setName(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter") void create();
          }}
          placeholder="e.g. Gong"
        />
      </Field>
    </Modal>
  );
}

// ---- the card a rep glances at during a call ----------------------------------------

export function BattleCardView({ id }: { id: string }) {
  const load = useCallback(() => run(commands.getBattleCard(id)), [id]);
  const card = useLoad(load);
  const loadSuggestions = useCallback(() => run(commands.battleCardSuggestions(id)), [id]);
  const suggestions = useLoad(loadSuggestions, { ready: false });
  const [showSuggestions, setShowSuggestions] = useState(false);
  const [editing, setEditing] = useState(() => window.location.hash.includes("?edit"));
  const [filter, setFilter] = useState("");
  const c = card.data;

  const objections = useMemo(() => {
    const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
    const all = c?.objections ?? [];
    if (!words.length) return all;
    return all.filter((o) => {
      const t = `${o.objection} ${o.response}`.toLowerCase();
      return words.every((w) => t.includes(w));
    });
  }, [c, filter]);

  return (
    <div className="page bc-page" data-testid="battle-card-view">
      <a className="back-link" href={href("/battle-cards")}>
        ← Battle cards
      </a>
      <ErrorBox error={card.error} onRetry={card.reload} />
      {!c && card.loading && <SkeletonBlock lines={10} />}
      {c && !editing && (
        <>
          <header className="bc-header">
            <div>
              <div className="bc-eyebrow">Battle card · vs.</div>
              <h1 className="bc-competitor" data-testid="battle-card-competitor">
                {c.competitor}
              </h1>
              <p className="bc-summary">{c.summary || <span className="muted">No summary yet — add one in Edit.</span>}</p>
            </div>
            <div className="bc-actions">
              <div className="page-actions">
                <RefreshCardButton
                  cardId={c.id}
                  onSuggested={(fresh) => {
                    const old = (suggestions.data ?? []).filter((x) => !fresh.some((f) => f.id === x.id));
                    suggestions.setData([...fresh.filter((f) => f.status === "pending"), ...old]);
                    setShowSuggestions(true);
                  }}
                />
                <button className="btn" onClick={() => setEditing(true)} data-testid="battle-card-edit">
                  Edit
                </button>
              </div>
              {(suggestions.data?.length ?? 0) > 0 && (
                <button className="link-btn small" onClick={() => setShowSuggestions((v) => !v)} data-testid="pending-suggestions">
                  ✦ {suggestions.data?.length} suggested update{suggestions.data?.length === 1 ? "" : "s"} {showSuggestions ? "— hide" : "— review"}
                </button>
              )}
              <div className="muted small">
                Updated {relative(c.updated_at)}
                {c.updated_by ? ` by ${c.updated_by}` : ""}
              </div>
            </div>
          </header>

          <ErrorBox error={suggestions.error} onRetry={suggestions.reload} />
          {showSuggestions && suggestions.data && (
            <Suggestions
              items={suggestions.data}
              onClose={() => setShowSuggestions(false)}
              onDecided={(sid, updated) => {
                suggestions.setData((suggestions.data ?? []).filter((x) => x.id !== sid));
                if (updated) card.setData(updated);
              }}
            />
          )}

          {c.trigger_phrases.length > 0 && (
            <div className="bc-triggers">
              <span className="bc-label">Listen for</span>
              {c.trigger_phrases.map((t) => (
                <span className="chip chip-trigger" key={t}>
                  “{t}”
                </span>
              ))}
            </div>
          )}

          <div className="bc-columns">
            <BcColumn title="Why we win" tone="win" items={c.our_strengths} />
            <BcColumn title="Their weak spots" tone="weak" items={c.their_weaknesses} />
            <BcColumn title="Differentiators" tone="diff" items={c.key_differentiators} />
          </div>

          <section className="bc-pricing">
            <div className="bc-label">Pricing comparison</div>
            <p>{c.pricing_comparison || <span className="muted">Nothing on pricing yet.</span>}</p>
          </section>

          <section className="bc-objections">
            <div className="bc-obj-head">
              <h2>Objections</h2>
              <input
                className="input bc-obj-filter"
                placeholder="Type what they said…"
                value={filter}
                onChange={(e) => setFilter(e.target.value)}
                data-testid="objection-filter"
              />
            </div>
            {c.objections.length === 0 ? (
              <div className="empty-inline">No objections written down yet.</div>
            ) : objections.length === 0 ? (
              <div className="empty-inline">No objection matches “{filter}”.</div>
            ) : (
              <ul className="bc-obj-list">
                {objections.map((o, i) => (
                  <li key={i} className="bc-obj">
                    <div className="bc-obj-q">“{o.objection}”</div>
                    <div className="bc-obj-a">{o.response}</div>
                  </li>
                ))}
              </ul>
            )}
          </section>
        </>
      )}
      {c && editing && (
        <BattleCardEditor
          card={c}
          onCancel={() => setEditing(false)}
          onSaved={(saved) => {
            card.setData(saved);
            setEditing(false);
            if (window.location.hash.includes("?edit")) navigate(`/battle-cards/${saved.id}`);
          }}
        />
      )}
    </div>
  );
}

// ---- suggested updates (Claude, from the notes and calls of deals against the competitor) ----

const SECTION_TEXT: Record<CardSection, string> = {
  summary: "Summary",
  strengths: "Why we win",
  weaknesses: "Their weak spots",
  pricing: "Pricing comparison",
  differentiators: "Differentiators",
  objection: "Objection response",
  trigger_phrases: "Trigger phrases",
};

function RefreshCardButton({ cardId, onSuggested }: { cardId: string; onSuggested: (s: BattleCardSuggestion[]) => void }) {
  const { toast, toastError } = useApp();
  const [busy, setBusy] = useState(false);
  const refresh = async () => {
    setBusy(true);
    try {
      const fresh = await run(commands.refreshBattleCard(cardId));
      onSuggested(fresh);
      toast(
        fresh.length === 0
          ? "No updates suggested: the recent notes and calls agree with this card."
          : `${fresh.length} update${fresh.length === 1 ? "" : "s"} suggested from recent notes and calls`,
        fresh.length === 0 ? "info" : "success",
      );
    } catch (e) {
      toastError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <BusyButton
      className="btn btn-ai"
      busy={busy}
      busyText="Reading recent deals…"
      onClick={() => void refresh()}
      testid="refresh-card"
      title="Claude compares this card with what reps heard on recent calls and wrote in notes"
    >
      ✦ Suggest updates
    </BusyButton>
  );
}

function Suggestions({
  items,
  onClose,
  onDecided,
}: {
  items: BattleCardSuggestion[];
  onClose: () => void;
  onDecided: (suggestionId: string, card: BattleCard | null) => void;
}) {
  const { toast, toastError } = useApp();
  const [deciding, setDeciding] = useState<{ id: string; accept: boolean } | null>(null);
  // Sources are ids of notes and calls; the calls are named and linked.
  const hasSources = items.some((x) => x.sources.length > 0);
  const loadCalls = useCallback(() => (hasSources ? run(commands.listCalls()) : Promise.resolve([])), [hasSources]);
  const calls = useLoad(loadCalls, { ready: false });

  const decide = async (sg: BattleCardSuggestion, accept: boolean) => {
    setDeciding({ id: sg.id, accept });
    try {
      const updated = await run(commands.decideSuggestion(sg.id, accept));
      onDecided(sg.id, accept ? updated : null);
      toast(accept ? `Accepted: ${SECTION_TEXT[sg.section] ?? sg.section} updated` : "Suggestion rejected", accept ? "success" : "info");
    } catch (e) {
      toastError(e);
    } finally {
      setDeciding(null);
    }
  };

  return (
    <section className="bc-suggestions" aria-label="Suggested updates" data-testid="card-suggestions">
      <div className="section-head flush">
        <h2>Suggested updates</h2>
        <button className="icon-btn" onClick={onClose} aria-label="Hide suggestions">
          ✕
        </button>
      </div>
      {calls.error && <div className="muted small">The calls behind these suggestions could not be named: {calls.error.message}</div>}
      {items.length === 0 ? (
        <div className="empty-inline">Nothing waiting for a decision.</div>
      ) : (
        <ul className="sg-list">
          {items.map((sg) => (
            <li key={sg.id} className="sg" data-testid="suggestion">
              <div className="sg-head">
                <span className="badge tone-violet">{SECTION_TEXT[sg.section] ?? sg.section}</span>
                {sg.objection && <span className="strong">“{sg.objection}”</span>}
                <span className="muted small" title={dateTime(sg.created_at)}>
                  {relative(sg.created_at)}
                </span>
              </div>
              <div className="sg-diff">
                {sg.current != null ? (
                  <div className="sg-del">
                    <span className="sg-sign" aria-label="Current">
                      −
                    </span>
                    <span>{sg.current}</span>
                  </div>
                ) : (
                  <div className="sg-new muted small">New item</div>
                )}
                <div className="sg-ins">
                  <span className="sg-sign" aria-label="Suggested">
                    +
                  </span>
                  <span>{sg.suggested}</span>
                </div>
              </div>
              {sg.reason && <p className="sg-reason">{sg.reason}</p>}
              {sg.sources.length > 0 && (
                <div className="chips sg-sources">
                  <span className="muted small">Based on</span>
                  {sg.sources.map((src) => {
                    const call = calls.data?.find((x) => x.id === src);
                    return call ? (
                      <a key={src} className="chip chip-link" href={href(`/calls/${call.id}`)}>
                        ☏ {call.title}
                      </a>
                    ) : (
                      <span key={src} className="chip" title={src}>
                        ✎ Note
                      </span>
                    );
                  })}
                </div>
              )}
              <div className="sg-actions">
                <button className="btn btn-sm btn-primary" disabled={deciding != null} onClick={() => void decide(sg, true)} data-testid="accept-suggestion">
                  {deciding?.id === sg.id && deciding.accept ? (
                    <>
                      <Spinner /> Accepting…
                    </>
                  ) : (
                    "✓ Accept"
                  )}
                </button>
                <button className="btn btn-sm" disabled={deciding != null} onClick={() => void decide(sg, false)} data-testid="reject-suggestion">
                  {deciding?.id === sg.id && !deciding.accept ? (
                    <>
                      <Spinner /> Rejecting…
                    </>
                  ) : (
                    "Reject"
                  )}
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function BcColumn({ title, tone, items }: { title: string; tone: string; items: string[] }) {
  return (
    <section className={`bc-col bc-${tone}`}>
      <h2>{title}</h2>
      {items.length === 0 ? (
        <div className="muted">—</div>
      ) : (
        <ul>
          {items.map((s, i) => (
            <li key={i}>{s}</li>
          ))}
        </ul>
      )}
    </section>
  );
}

const lines = (s: string) =>
  s
    .split("\n")
    .map((x) => x.trim())
    .filter(Boolean);

function BattleCardEditor({ card, onCancel, onSaved }: { card: BattleCard; onCancel: () => void; onSaved: (c: BattleCard) => void }) {
  const { userName, toast } = useApp();
  const [competitor, setCompetitor] = useState(card.competitor);
  const [summary, setSummary] = useState(card.summary);
  const [strengths, setStrengths] = useState(card.our_strengths.join("\n"));
  const [weak, setWeak] = useState(card.their_weaknesses.join("\n"));
  const [diff, setDiff] = useState(card.key_differentiators.join("\n"));
  const [pricing, setPricing] = useState(card.pricing_comparison);
  const [triggers, setTriggers] = useState(card.trigger_phrases.join("\n"));
  const [objs, setObjs] = useState(card.objections.map((o) => ({ ...o })));
  const [error, setError] = useState<CommandError | null>(null);
  const [saving, setSaving] = useState(false);
  const errs: Record<string, string> = {};
  for (const f of error?.fields ?? []) errs[f.field] = f.reason;

  const save = async () => {
    setSaving(true);
    setError(null);
    try {
      const saved = await run(
        commands.saveBattleCard(card.id, {
          competitor: competitor.trim(),
          summary: summary.trim(),
          our_strengths: lines(strengths),
          their_weaknesses: lines(weak),
          key_differentiators: lines(diff),
          pricing_comparison: pricing.trim(),
          trigger_phrases: lines(triggers),
          objections: objs.filter((o) => o.objection.trim() || o.response.trim()).map((o) => ({ objection: o.objection.trim(), response: o.response.trim() })),
          updated_by: userName || card.updated_by,
        }),
      );
      toast("Battle card saved", "success");
      onSaved(saved);
    } catch (e) {
      setError(errorOf(e));
    } finally {
      setSaving(false);
    }
  };

  return (
    <form
      className="card card-pad form"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <div className="section-head flush">
        <h2>Edit battle card</h2>
        <div className="page-actions">
          <button type="button" className="btn" onClick={onCancel}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={saving} data-testid="battle-card-save">
            {saving ? "Saving…" : "Save card"}
          </button>
        </div>
      </div>
      {error && <ErrorBox error={error} />}
      <div className="form-grid">
        <Field label="Competitor" error={errs.competitor} wide>
          <input className="input" value={competitor} onChange={(e) => setCompetitor(e.target.value)} />
        </Field>
        <Field label="Summary" error={errs.summary} wide>
          <textarea className="input" rows={2} value={summary} onChange={(e) => setSummary(e.target.value)} />
        </Field>
        <Field label="Why we win (one per line)" error={errs.our_strengths}>
          <textarea className="input" rows={5} value={strengths} onChange={(e) => setStrengths(e.target.value)} />
        </Field>
        <Field label="Their weak spots (one per line)" error={errs.their_weaknesses}>
          <textarea className="input" rows={5} value={weak} onChange={(e) => setWeak(e.target.value)} />
        </Field>
        <Field label="Differentiators (one per line)" error={errs.key_differentiators}>
          <textarea className="input" rows={5} value={diff} onChange={(e) => setDiff(e.target.value)} />
        </Field>
        <Field label="Trigger phrases (one per line)" error={errs.trigger_phrases}>
          <textarea className="input" rows={5} value={triggers} onChange={(e) => setTriggers(e.target.value)} />
        </Field>
        <Field label="Pricing comparison" error={errs.pricing_comparison} wide>
          <textarea className="input" rows={3} value={pricing} onChange={(e) => setPricing(e.target.value)} />
        </Field>
      </div>
      <div className="section-head">
        <h3>Objections</h3>
        <button type="button" className="btn btn-sm" onClick={() => setObjs([...objs, { objection: "", response: "" }])}>
          + Add objection
        </button>
      </div>
      {objs.length === 0 && <div className="empty-inline">No objections yet.</div>}
      {objs.map((o, i) => (
        <div className="obj-edit" key={i}>
          <input
            className="input strong"
            placeholder="What they say"
            value={o.objection}
            onChange={(e) => setObjs(objs.map((x, j) => (j === i ? { ...x, objection: e.target.value } : x)))}
          />
          <textarea
            className="input"
            rows={2}
            placeholder="What we answer"
            value={o.response}
            onChange={(e) => setObjs(objs.map((x, j) => (j === i ? { ...x, response: e.target.value } : x)))}
          />
          <button type="button" className="icon-btn" aria-label="Remove objection" onClick={() => setObjs(objs.filter((_, j) => j !== i))}>
            ✕
          </button>
        </div>
      ))}
    </form>
  );
}
