import { useCallback, useEffect, useState } from "react";
import {
  commands,
  count,
  dateShort,
  dateTime,
  duration,
  emptyToNull,
  errorOf,
  label,
  money,
  relative,
  run,
  type Activity,
  type CommandError,
  type DealStage,
} from "../api";
import { href, navigate } from "../router";
import { Avatar, Badge, BusyButton, Chip, Empty, ErrorBox, PageHeader, SkeletonBlock, SkeletonRows, Spinner, useApp, useDebounced, useLoad, Pager } from "../ui";
import { DealForm, STAGES, dealToForm, draftOf, newDealForm, toDealDraft, type DealFormState, type LeadRef } from "./DealForm";
import { DealHealth, type EvidenceRef } from "./DealHealth";
import { startGeneration } from "./generation";

export { STAGES };
const PAGE = 50;

export function DealsList() {
  const [text, setText] = useState("");
  const [stage, setStage] = useState<DealStage | "">("");
  const [openOnly, setOpenOnly] = useState(true);
  const [offset, setOffset] = useState(0);
  const q = useDebounced(text, 150);
  const load = useCallback(
    () => run(commands.listDeals({ text: emptyToNull(q), stage: stage || null, open_only: openOnly, offset, limit: PAGE })),
    [q, stage, openOnly, offset],
  );
  const page = useLoad(load);
  const items = page.data?.items ?? [];
  const total = page.data?.total ?? 0;
  const sum = items.reduce((a, d) => a + d.amount_cents, 0);

  return (
    <div className="page">
      <PageHeader
        title="Deals"
        sub={page.data ? `${count(total)} deals · ${money(sum)} on this page` : " "}
        actions={
          <a className="btn btn-primary" href={href("/deals/new")} data-testid="new-deal-button">
            + New deal
          </a>
        }
      />
      <div className="toolbar">
        <input
          className="input input-search"
          placeholder="Filter deals…"
          value={text}
          data-testid="deals-filter"
          onChange={(e) => {
            setText(e.target.value);
            setOffset(0);
          }}
        />
        <select
          className="input"
          value={stage}
          aria-label="Stage"
          onChange={(e) => {
            setStage(e.target.value as DealStage | "");
            setOffset(0);
          }}
        >
          <option value="">All stages</option>
          {STAGES.map((s) => (
            <option key={s} value={s}>
              {label(s)}
            </option>
          ))}
        </select>
        <label className="check">
          <input
            type="checkbox"
            checked={openOnly}
            onChange={(e) => {
              setOpenOnly(e.target.checked);
              setOffset(0);
            }}
          />
          Open only
        </label>
        {page.loading && page.data && <Spinner />}
      </div>
      <ErrorBox error={page.error} onRetry={page.reload} />
      {!page.data && page.loading ? (
        <SkeletonRows cols={7} />
      ) : page.data && items.length === 0 ? (
        <Empty
          icon="◆"
          title={stage || openOnly || q ? "No deals match" : "No deals yet"}
          action={
            !stage && !q ? (
              <a className="btn btn-primary" href={href("/deals/new")}>
                Add a deal
              </a>
            ) : undefined
          }
        >
          {openOnly ? "Untick “Open only” to see closed deals too." : "Deals you create from leads appear here."}
        </Empty>
      ) : page.data ? (
        <div className="card table-card">
          <table className="table">
            <thead>
              <tr>
                <th>Deal</th>
                <th className="num">Amount</th>
                <th>Stage</th>
                <th>Close date</th>
                <th>Competitors</th>
                <th>Owner</th>
                <th className="right">Updated</th>
              </tr>
            </thead>
            <tbody>
              {items.map((d) => (
                <tr key={d.id} data-testid="deal-row" className="clickable" onClick={() => navigate(`/deals/${d.id}`)}>
                  <td className="strong">
                    <a href={href(`/deals/${d.id}`)} onClick={(e) => e.stopPropagation()}>
                      {d.name}
                    </a>
                    {d.company && <div className="muted small">{d.company}</div>}
                  </td>
                  <td className="num strong">{money(d.amount_cents)}</td>
                  <td>
                    <Badge value={d.stage} />
                  </td>
                  <td>{d.close_date ?? <span className="muted">—</span>}</td>
                  <td>
                    <span className="chips">
                      {d.competitors.map((c) => (
                        <Chip key={c}>{c}</Chip>
                      ))}
                    </span>
                  </td>
                  <td>{d.owner ?? <span className="muted">—</span>}</td>
                  <td className="right muted">{relative(d.updated_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager offset={offset} shown={items.length} total={total} pageSize={PAGE} onChange={setOffset} />
        </div>
      ) : null}
    </div>
  );
}

// ---- new deal -------------------------------------------------------------------------

/** `/deals/new`, or `/deals/new?lead=<id>` from a lead's page (that lead preselected). */
export function NewDeal({ leadId }: { leadId: string | null }) {
  const { userName, toast, refreshStats } = useApp();
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<CommandError | null>(null);
  const [local, setLocal] = useState<Record<string, string>>({});
  // Also marks first paint when the form is the first view (nothing else to load).
  const loadLead = useCallback(() => (leadId ? run(commands.getLead(leadId)) : Promise.resolve(null)), [leadId]);
  const lead = useLoad(loadLead);
  const preset: LeadRef | null = lead.data ? { id: lead.data.id, company: lead.data.company } : null;
  const waiting = !!leadId && lead.loading && !lead.data && !lead.error;

  const submit = async (f: DealFormState) => {
    const { draft, local: le } = toDealDraft(f);
    setLocal(le);
    if (!draft) return;
    setSaving(true);
    setError(null);
    try {
      const deal = await run(commands.createDeal(draft));
      toast(`${deal.name} created`, "success");
      refreshStats();
      navigate(`/deals/${deal.id}`);
    } catch (e) {
      setError(errorOf(e));
    } finally {
      setSaving(false);
    }
  };

  return (
    <div className="page page-narrow">
      <PageHeader
        title="New deal"
        back={leadId && lead.data ? { href: href(`/leads/${lead.data.id}`), label: lead.data.company } : { href: href("/deals"), label: "Deals" }}
      />
      {lead.error && (
        <div className="error-box" role="alert">
          <div>
            <strong>The lead could not be loaded</strong>
            <div>{lead.error.message} Pick the lead below instead.</div>
          </div>
        </div>
      )}
      <div className="card card-pad">
        {waiting ? (
          <SkeletonBlock lines={6} />
        ) : (
          <DealForm
            key={`${userName}|${preset?.id ?? ""}`}
            initial={newDealForm(userName, preset)}
            saving={saving}
            error={error}
            localErrors={local}
            submitLabel="Create deal"
            onSubmit={submit}
            onCancel={() => navigate(leadId ? `/leads/${leadId}` : "/deals")}
          />
        )}
      </div>
    </div>
  );
}

// ---- detail ---------------------------------------------------------------------------

const KIND_ICON: Record<Activity["kind"], string> = {
  note: "✎",
  call: "☏",
  email: "✉",
  meeting: "◷",
  stage_change: "⇢",
  proposal_sent: "➤",
  task: "☐",
};

export function DealDetailView({ id }: { id: string }) {
  const { toast, toastError, refreshStats } = useApp();
  const load = useCallback(() => run(commands.getDeal(id)), [id]);
  const detail = useLoad(load);
  const loadInsights = useCallback(() => run(commands.dealInsights(id)), [id]);
  const insights = useLoad(loadInsights, { ready: false });
  const reloadInsights = insights.reload;
  const [note, setNote] = useState("");
  const [adding, setAdding] = useState(false);
  const [creating, setCreating] = useState(false);
  const [writing, setWriting] = useState(false);
  const [flash, setFlash] = useState<string | null>(null);
  const [editing, setEditing] = useState(false);
  const [saving, setSaving] = useState(false);
  const [formError, setFormError] = useState<CommandError | null>(null);
  const [local, setLocal] = useState<Record<string, string>>({});
  const [stageSaving, setStageSaving] = useState<DealStage | null>(null);

  const d = detail.data;

  const startEdit = () => {
    setFormError(null);
    setLocal({});
    setEditing(true);
  };

  const saveEdit = async (f: DealFormState) => {
    if (!d) return;
    const { draft, local: le } = toDealDraft(f);
    setLocal(le);
    if (!draft) return;
    setSaving(true);
    setFormError(null);
    try {
      const saved = await run(commands.updateDeal(d.deal.id, draft));
      detail.setData({ ...d, deal: saved });
      setEditing(false);
      toast("Deal saved", "success");
      refreshStats();
      // The lead, battle cards, health and the rest follow the new fields.
      detail.reload();
      reloadInsights();
    } catch (e) {
      setFormError(errorOf(e));
    } finally {
      setSaving(false);
    }
  };

  // The header's stage select: saves at once, every other field as it is.
  const changeStage = async (stage: DealStage) => {
    if (!d || stage === d.deal.stage) return;
    setStageSaving(stage);
    try {
      const saved = await run(commands.updateDeal(d.deal.id, { ...draftOf(d.deal), stage }));
      detail.setData({ ...d, deal: saved });
      toast(`Stage changed to ${label(saved.stage)}`, "success");
      refreshStats();
      reloadInsights();
    } catch (e) {
      toastError(e);
    } finally {
      setStageSaving(null);
    }
  };

  const addNote = async () => {
    if (!d || !note.trim()) return;
    setAdding(true);
    try {
      const a = await run(commands.addActivity({ deal_id: d.deal.id, lead_id: d.deal.lead_id, kind: "note", body: note.trim(), at: null }));
      detail.setData({ ...d, timeline: [a, ...d.timeline] });
      setNote("");
      reloadInsights();
    } catch (e) {
      toastError(e);
    } finally {
      setAdding(false);
    }
  };

  const newProposal = async () => {
    if (!d) return;
    setCreating(true);
    try {
      const p = await run(
        commands.createProposal({ deal_id: d.deal.id, lead_id: d.deal.lead_id, title: `${d.deal.name} proposal`, body: "" }),
      );
      toast("Proposal created", "success");
      refreshStats();
      navigate(`/proposals/${p.id}`);
    } catch (e) {
      toastError(e);
    } finally {
      setCreating(false);
    }
  };

  // A new proposal, opened in the editor while Claude writes it there.
  const writeWithAi = async () => {
    if (!d) return;
    setWriting(true);
    try {
      const title = d.lead ? `Proposal for ${d.lead.company}` : `Proposal: ${d.deal.name}`;
      const p = await run(commands.createProposal({ deal_id: d.deal.id, lead_id: d.deal.lead_id, title, body: "" }));
      refreshStats();
      startGeneration(p.id, d.deal.id);
      navigate(`/proposals/${p.id}`);
    } catch (e) {
      toastError(e);
    } finally {
      setWriting(false);
    }
  };

  // Evidence of Claude's analysis: an activity of the timeline, or one of the deal's calls.
  const resolveEvidence = (ref: string): EvidenceRef => {
    const a = d?.timeline.find((x) => x.id === ref);
    if (a) return { id: ref, kind: "activity", text: `${label(a.kind)} · ${dateShort(a.at)}` };
    const c = d?.calls.find((x) => x.id === ref);
    if (c) return { id: ref, kind: "call", text: c.title };
    return { id: ref, kind: "unknown", text: "Not on this timeline" };
  };
  const showEvidence = (r: EvidenceRef) => {
    if (r.kind === "call") {
      navigate(`/calls/${r.id}`);
      return;
    }
    document.getElementById(`tl-${r.id}`)?.scrollIntoView({ behavior: "smooth", block: "center" });
    setFlash(r.id);
  };
  useEffect(() => {
    if (!flash) return;
    const t = window.setTimeout(() => setFlash(null), 2200);
    return () => window.clearTimeout(t);
  }, [flash]);

  const cardFor = (competitor: string) =>
    d?.battle_cards.find((b) => b.competitor.toLowerCase() === competitor.toLowerCase());
  const timeline = d ? [...d.timeline].sort((a, b) => b.at - a.at) : [];

  return (
    <div className="page" data-testid="deal-detail">
      <PageHeader
        back={{ href: href("/deals"), label: "Deals" }}
        title={d ? (editing ? `Edit ${d.deal.name}` : d.deal.name) : detail.error ? "Deal" : <span className="skeleton skeleton-h1" />}
        sub={
          d &&
          !editing && (
            <span className="meta-row">
              {d.lead ? <a href={href(`/leads/${d.lead.id}`)}>{d.lead.company}</a> : <span className="muted">No company</span>}
              <Badge value={d.deal.stage} />
              {d.deal.owner && <span>Owner: {d.deal.owner}</span>}
            </span>
          )
        }
        actions={
          d &&
          !editing && (
            <>
              {stageSaving && <Spinner />}
              <button
                className="btn"
                data-testid="start-live-call"
                title="Open the live call window: do-not-call check, consent, live transcript and coaching"
                onClick={() => void run(commands.openLiveCallWindow(d.deal.id, null)).catch(toastError)}
              >
                ☏ Call
              </button>
              <select
                className="input"
                aria-label="Stage"
                title="Change the stage (saved at once)"
                data-testid="deal-stage"
                value={stageSaving ?? d.deal.stage}
                disabled={!!stageSaving}
                onChange={(e) => void changeStage(e.target.value as DealStage)}
              >
                {STAGES.map((s) => (
                  <option key={s} value={s}>
                    {label(s)}
                  </option>
                ))}
              </select>
              <button className="btn" onClick={startEdit} disabled={!!stageSaving} data-testid="deal-edit">
                Edit
              </button>
              <BusyButton
                className="btn btn-primary"
                busy={writing}
                busyText="Opening…"
                onClick={() => void writeWithAi()}
                testid="generate-proposal"
                title="Claude writes a new proposal from this deal, its timeline and your content library"
              >
                ✦ Write proposal with AI
              </BusyButton>
            </>
          )
        }
      />
      <ErrorBox error={detail.error} onRetry={detail.reload} />
      {!d && detail.loading && <SkeletonBlock lines={10} />}
      {d && editing && (
        <div className="card card-pad deal-edit-card">
          <DealForm
            initial={dealToForm(d.deal, d.lead ? { id: d.lead.id, company: d.lead.company } : d.deal.lead_id ? { id: d.deal.lead_id, company: "Unknown lead" } : null)}
            saving={saving}
            error={formError}
            localErrors={local}
            submitLabel="Save"
            onSubmit={(f) => void saveEdit(f)}
            onCancel={() => setEditing(false)}
          />
        </div>
      )}
      {d && (
        <>
          {!editing && (
            <div className="stat-cards">
              <div className="stat-card">
                <div className="stat-label">Amount</div>
                <div className="stat-value">{money(d.deal.amount_cents)}</div>
              </div>
              <div className="stat-card">
                <div className="stat-label">Stage</div>
                <div className="stat-value">{label(d.deal.stage)}</div>
              </div>
              <div className="stat-card">
                <div className="stat-label">Close date</div>
                <div className="stat-value">{d.deal.close_date ?? "—"}</div>
              </div>
              <div className="stat-card">
                <div className="stat-label">Competitors</div>
                <div className="chips">
                  {d.deal.competitors.length === 0 && <span className="muted">None known</span>}
                  {d.deal.competitors.map((c) => {
                    const card = cardFor(c);
                    return (
                      <Chip key={c} tone="accent" href={card ? href(`/battle-cards/${card.id}`) : undefined}>
                        {card ? "⚔ " : ""}
                        {c}
                      </Chip>
                    );
                  })}
                </div>
              </div>
            </div>
          )}

          <DealHealth dealId={d.deal.id} insights={insights} resolve={resolveEvidence} onEvidence={showEvidence} cardFor={cardFor} />

          <div className="detail-grid">
            <div className="card card-pad">
              <h3 className="card-title">Timeline</h3>
              <form
                className="note-box"
                onSubmit={(e) => {
                  e.preventDefault();
                  void addNote();
                }}
              >
                <textarea
                  className="input"
                  rows={2}
                  placeholder="Add a note — what happened, what's next…"
                  value={note}
                  onChange={(e) => setNote(e.target.value)}
                  onKeyDown={(e) => {
                    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
                      e.preventDefault();
                      void addNote();
                    }
                  }}
                  data-testid="deal-note"
                />
                <button className="btn btn-primary" disabled={!note.trim() || adding}>
                  {adding ? "Adding…" : "Add note"}
                </button>
              </form>
              {timeline.length === 0 ? (
                <div className="empty-inline">Nothing logged yet.</div>
              ) : (
                <ol className="timeline">
                  {timeline.map((a) => (
                    <li key={a.id} id={`tl-${a.id}`} className={`tl-item tl-${a.kind}${flash === a.id ? " tl-flash" : ""}`}>
                      <span className="tl-icon" title={label(a.kind)}>
                        {KIND_ICON[a.kind] ?? "•"}
                      </span>
                      <div className="tl-body">
                        <div className="tl-head">
                          <span className="strong">{label(a.kind)}</span>
                          {a.author && <span className="muted">{a.author}</span>}
                          <span className="muted" title={dateTime(a.at)}>
                            {relative(a.at)}
                          </span>
                        </div>
                        <div className="tl-text">{a.body}</div>
                      </div>
                    </li>
                  ))}
                </ol>
              )}
            </div>
            <aside className="side-col">
              <div className="card card-pad">
                <h3 className="card-title">Stakeholders</h3>
                {d.deal.stakeholders.length === 0 ? (
                  <div className="empty-inline">No stakeholders mapped yet.</div>
                ) : (
                  <ul className="people">
                    {d.deal.stakeholders.map((s, i) => (
                      <li key={i}>
                        <Avatar name={s.name} />
                        <div className="grow">
                          <div className="strong">{s.name}</div>
                          <div className="muted small">{s.title ?? "—"}</div>
                        </div>
                        {s.role && <span className={`badge role-${s.role}`}>{label(s.role)}</span>}
                      </li>
                    ))}
                  </ul>
                )}
              </div>
              <div className="card card-pad">
                <div className="section-head flush">
                  <h3 className="card-title">Proposals</h3>
                  <button className="btn btn-sm" onClick={newProposal} disabled={creating} data-testid="new-proposal">
                    {creating ? "Creating…" : "+ New proposal"}
                  </button>
                </div>
                {d.proposals.length === 0 ? (
                  <div className="empty-inline">No proposal yet.</div>
                ) : (
                  <ul className="link-list">
                    {d.proposals.map((p) => (
                      <li key={p.id}>
                        <a href={href(`/proposals/${p.id}`)}>{p.title}</a>
                        <span className="link-list-meta">
                          <Badge value={p.status} /> v{p.version}
                        </span>
                      </li>
                    ))}
                  </ul>
                )}
              </div>
              <div className="card card-pad">
                <h3 className="card-title">Calls</h3>
                {d.calls.length === 0 ? (
                  <div className="empty-inline">No calls recorded.</div>
                ) : (
                  <ul className="link-list">
                    {d.calls.map((c) => (
                      <li key={c.id}>
                        <a href={href(`/calls/${c.id}`)}>{c.title}</a>
                        <span className="link-list-meta muted">
                          {dateShort(c.started_at)} · {duration(c.duration_ms)}
                        </span>
                      </li>
                    ))}
                  </ul>
                )}
              </div>
            </aside>
          </div>
        </>
      )}
      {detail.error && !d && errorOf(detail.error).kind === "not_found" && (
        <Empty icon="◆" title="This deal no longer exists" action={<a className="btn" href={href("/deals")}>Back to deals</a>} />
      )}
    </div>
  );
}
