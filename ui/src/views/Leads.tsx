import { useCallback, useEffect, useState } from "react";
import {
  commands,
  count,
  dateTime,
  emptyToNull,
  errorOf,
  events,
  label,
  markReady,
  plurals,
  relative,
  run,
  type CommandError,
  type Contact,
  type ImportPreview,
  type ImportProgress,
  type ImportReport,
  type Lead,
  type LeadDraft,
  type LeadScore,
  type LeadScoringReport,
  type LeadQuery,
  type LeadStatus,
  type RowError,
} from "../api";
import { href, navigate } from "../router";
import {
  Avatar,
  Badge,
  BusyButton,
  Empty,
  ErrorBox,
  Field,
  Modal,
  PageHeader,
  ScoreBar,
  SkeletonBlock,
  SkeletonRows,
  Spinner,
  useApp,
  useDebounced,
  useLoad,
  Pager,
  FormErrors,
} from "../ui";

export const LEAD_STATUSES: LeadStatus[] = ["new", "contacted", "qualified", "proposal", "won", "lost"];
const PAGE = 50;
type Sort = LeadQuery["sort"];
type Dir = LeadQuery["dir"];

// ---- AI scores ----------------------------------------------------------------------------

/** "Budget 20 · Authority 15 · Need 22 · Timeline 18 — rationale" */
export function scoreTooltip(s: LeadScore): string {
  const b = s.breakdown;
  const parts = `Budget ${b.budget} · Authority ${b.authority} · Need ${b.need} · Timeline ${b.timeline}`;
  return s.rationale ? `${parts} — ${s.rationale}` : parts;
}

/** The toast after scoring: what was scored, queued, failed, and the backend's sentence. */
function scoringMessage(r: LeadScoringReport, asked: number): { text: string; kind: "success" | "info" | "error" } {
  const parts: string[] = [];
  if (r.scored > 0) parts.push(`Scored ${r.scored} lead${r.scored === 1 ? "" : "s"}`);
  if (r.queued > 0) parts.push(`${r.queued} queued until Claude can be reached`);
  if (r.failed > 0) parts.push(`${r.failed} could not be scored`);
  if (parts.length === 0) parts.push(`None of the ${asked} leads could be scored`);
  let text = parts.join(" · ") + ".";
  if (r.notice) text += ` ${plurals(r.notice)}`;
  const kind = r.failed > 0 && r.scored === 0 ? "error" : r.failed > 0 || r.queued > 0 ? "info" : "success";
  return { text, kind };
}

const BANT: Array<[string, keyof LeadScore["breakdown"]]> = [
  ["Budget", "budget"],
  ["Authority", "authority"],
  ["Need", "need"],
  ["Timeline", "timeline"],
];

// ---- list ---------------------------------------------------------------------------

export function LeadsList() {
  const { stats, toast, toastError } = useApp();
  const [scoring, setScoring] = useState(0);
  // The list rows carry the score only: the BANT breakdown for a row's tooltip is fetched
  // the first time the pointer rests on it.
  const [details, setDetails] = useState<Record<string, LeadScore | string | undefined>>({});
  const [text, setText] = useState("");
  const [status, setStatus] = useState<LeadStatus | "">("");
  const [sort, setSort] = useState<Sort>("updated_at");
  const [dir, setDir] = useState<Dir>("desc");
  const [offset, setOffset] = useState(0);
  const [importing, setImporting] = useState(false);
  const q = useDebounced(text, 150);

  const load = useCallback(
    () =>
      run(
        commands.listLeads({
          text: emptyToNull(q),
          status: status || null,
          sort,
          dir,
          offset,
          limit: PAGE,
        }),
      ),
    [q, status, sort, dir, offset],
  );
  const page = useLoad(load);

  const sortBy = (s: Sort) => {
    if (s === sort) setDir(dir === "asc" ? "desc" : "asc");
    else {
      setSort(s);
      setDir(s === "company" ? "asc" : "desc");
    }
    setOffset(0);
  };
  const arrow = (s: Sort) => (s === sort ? (dir === "asc" ? " ↑" : " ↓") : "");
  const items = page.data?.items ?? [];
  const total = page.data?.total ?? 0;
  const filtered = !!q.trim() || !!status;

  const scorePage = async () => {
    const ids = items.map((l) => l.id);
    if (ids.length === 0) return;
    setScoring(ids.length);
    try {
      const r = await run(commands.scoreLeads(ids));
      const m = scoringMessage(r, ids.length);
      toast(m.text, m.kind);
      setDetails({});
      page.reload();
    } catch (e) {
      toastError(e);
    } finally {
      setScoring(0);
    }
  };

  const wantDetail = (id: string, score: number | null) => {
    if (score == null || details[id] !== undefined) return;
    setDetails((m) => ({ ...m, [id]: "Loading the breakdown…" }));
    run(commands.getLead(id)).then(
      (l) => setDetails((m) => ({ ...m, [id]: l.score ?? "Not scored yet" })),
      (e: unknown) => setDetails((m) => ({ ...m, [id]: `Breakdown unavailable: ${errorOf(e).message}` })),
    );
  };
  const tooltip = (id: string, score: number | null): string => {
    if (score == null) return "Not scored yet: press “Score with AI”";
    const d = details[id];
    if (d === undefined) return `Score ${score} / 100`;
    return typeof d === "string" ? d : d.score === score ? scoreTooltip(d) : `Score ${score} / 100`;
  };

  return (
    <div className="page">
      <PageHeader
        title="Leads"
        sub={page.data ? `${count(total)} ${filtered ? "matching" : "in your workspace"}` : stats ? `${count(stats.leads)} in your workspace` : " "}
        actions={
          <>
            <BusyButton
              className="btn btn-ai"
              busy={scoring > 0}
              busyText={`Scoring ${scoring} lead${scoring === 1 ? "" : "s"}…`}
              disabled={items.length === 0 || page.loading}
              onClick={() => void scorePage()}
              testid="score-leads"
              title="Claude scores the leads on this page (budget, authority, need, timeline)"
            >
              ✦ Score with AI
            </BusyButton>
            <button className="btn" onClick={() => setImporting(true)}>
              Import CSV
            </button>
            <a className="btn btn-primary" href={href("/leads/new")} data-testid="new-lead-button">
              + New lead
            </a>
          </>
        }
      />
      <div className="toolbar">
        <input
          className="input input-search"
          placeholder="Filter by company, domain or contact…"
          value={text}
          data-testid="leads-filter"
          onChange={(e) => {
            setText(e.target.value);
            setOffset(0);
          }}
        />
        <select
          className="input"
          value={status}
          aria-label="Status"
          onChange={(e) => {
            setStatus(e.target.value as LeadStatus | "");
            setOffset(0);
          }}
        >
          <option value="">All statuses</option>
          {LEAD_STATUSES.map((s) => (
            <option key={s} value={s}>
              {label(s)}
            </option>
          ))}
        </select>
        {page.loading && page.data && <Spinner />}
      </div>
      <ErrorBox error={page.error} onRetry={page.reload} />
      {!page.data && page.loading ? (
        <SkeletonRows cols={8} />
      ) : page.data && items.length === 0 ? (
        filtered ? (
          <Empty icon="⌕" title="No leads match">
            Try another word or clear the status filter.
          </Empty>
        ) : (
          <Empty
            icon="◎"
            title="No leads yet"
            action={
              <>
                <button className="btn" onClick={() => setImporting(true)}>
                  Import a CSV
                </button>
                <a className="btn btn-primary" href={href("/leads/new")}>
                  Add a lead
                </a>
              </>
            }
          >
            Import a Salesforce or HubSpot export, or add your first lead by hand.
          </Empty>
        )
      ) : page.data ? (
        <div className="card table-card">
          <table className="table">
            <thead>
              <tr>
                <th className="sortable" onClick={() => sortBy("company")}>
                  Company{arrow("company")}
                </th>
                <th>Industry</th>
                <th className="num">Employees</th>
                <th>Status</th>
                <th className="sortable" onClick={() => sortBy("score")}>
                  Score{arrow("score")}
                </th>
                <th>Owner</th>
                <th>Primary contact</th>
                <th className="sortable right" onClick={() => sortBy("updated_at")}>
                  Updated{arrow("updated_at")}
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((l) => (
                <tr key={l.id} data-testid="lead-row" className="clickable" onClick={() => navigate(`/leads/${l.id}`)}>
                  <td className="strong">
                    <a href={href(`/leads/${l.id}`)} onClick={(e) => e.stopPropagation()}>
                      {l.company}
                    </a>
                  </td>
                  <td className="muted">{l.industry ?? "—"}</td>
                  <td className="num">{count(l.employee_count)}</td>
                  <td>
                    <Badge value={l.status} />
                  </td>
                  <td data-testid="lead-score" title={tooltip(l.id, l.score)} onMouseEnter={() => wantDetail(l.id, l.score)}>
                    <ScoreBar score={l.score} />
                  </td>
                  <td>{l.owner ?? <span className="muted">—</span>}</td>
                  <td>{l.primary_contact ?? <span className="muted">—</span>}</td>
                  <td className="right muted" title={dateTime(l.updated_at)}>
                    {relative(l.updated_at)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager offset={offset} shown={items.length} total={total} pageSize={PAGE} onChange={setOffset} />
        </div>
      ) : null}
      {importing && (
        <ImportDialog
          onClose={() => setImporting(false)}
          onImported={() => {
            setOffset(0);
            page.reload();
          }}
        />
      )}
    </div>
  );
}

// ---- form (new and detail) ----------------------------------------------------------

type FormState = {
  company: string;
  domain: string;
  industry: string;
  employees: string;
  status: LeadStatus;
  owner: string;
  source: string;
  contacts: Array<{ name: string; title: string; email: string; phone: string }>;
};

function toForm(l: Lead | LeadDraft | null, owner: string): FormState {
  return {
    company: l?.company ?? "",
    domain: l?.domain ?? "",
    industry: l?.industry ?? "",
    employees: l?.employee_count != null ? String(l.employee_count) : "",
    status: l?.status ?? "new",
    owner: l ? (l.owner ?? "") : owner,
    source: l?.source ?? "",
    contacts: (l?.contacts ?? []).map((c) => ({ name: c.name, title: c.title ?? "", email: c.email ?? "", phone: c.phone ?? "" })),
  };
}

function toDraft(f: FormState): { draft: LeadDraft | null; local: Record<string, string> } {
  const local: Record<string, string> = {};
  let employees: number | null = null;
  if (f.employees.trim()) {
    const n = Number(f.employees.replace(/[,\s]/g, ""));
    if (!Number.isInteger(n)) local.employee_count = "enter a whole number";
    else employees = n;
  }
  if (Object.keys(local).length) return { draft: null, local };
  const contacts: Contact[] = f.contacts
    .filter((c) => c.name.trim() || c.email.trim())
    .map((c) => ({ name: c.name.trim(), title: emptyToNull(c.title), email: emptyToNull(c.email), phone: emptyToNull(c.phone) }));
  return {
    draft: {
      company: f.company.trim(),
      domain: emptyToNull(f.domain),
      industry: emptyToNull(f.industry),
      employee_count: employees,
      contacts,
      source: emptyToNull(f.source),
      status: f.status,
      owner: emptyToNull(f.owner),
    },
    local,
  };
}

function fieldMap(err: CommandError | null): Record<string, string> {
  const m: Record<string, string> = {};
  for (const f of err?.fields ?? []) m[f.field] = m[f.field] ? `${m[f.field]}; ${f.reason}` : f.reason;
  return m;
}

function LeadForm(props: {
  initial: FormState;
  saving: boolean;
  error: CommandError | null;
  localErrors: Record<string, string>;
  submitLabel: string;
  onSubmit: (f: FormState) => void;
  onCancel?: () => void;
}) {
  const [f, setF] = useState<FormState>(props.initial);
  const errs = { ...fieldMap(props.error), ...props.localErrors };
  const set = <K extends keyof FormState>(k: K, v: FormState[K]) => setF((s) => ({ ...s, [k]: v }));
  const setContact = (i: number, k: keyof FormState["contacts"][number], v: string) =>
    setF((s) => ({ ...s, contacts: s.contacts.map((c, j) => (j === i ? { ...c, [k]: v } : c)) }));
  const unmatched = props.error?.fields.filter((x) => !isKnownField(x.field)) ?? [];

  return (
    <form
      className="form"
      onSubmit={(e) => {
        e.preventDefault();
        props.onSubmit(f);
      }}
    >
      <FormErrors error={props.error} unmatched={unmatched} />
      <div className="form-grid">
        <Field label="Company" error={errs.company} wide>
          <input className="input" data-testid="lead-company" value={f.company} onChange={(e) => set("company", e.target.value)} placeholder="Acme Corp" autoFocus={!props.initial.company} />
        </Field>
        <Field label="Domain" error={errs.domain}>
          <input className="input" data-testid="lead-domain" value={f.domain} onChange={(e) => set("domain", e.target.value)} placeholder="acme.com" />
        </Field>
        <Field label="Industry" error={errs.industry}>
          <input className="input" data-testid="lead-industry" value={f.industry} onChange={(e) => set("industry", e.target.value)} placeholder="Manufacturing" />
        </Field>
        <Field label="Employees" error={errs.employee_count}>
          <input className="input" inputMode="numeric" value={f.employees} onChange={(e) => set("employees", e.target.value)} placeholder="250" />
        </Field>
        <Field label="Status" error={errs.status}>
          <select className="input" value={f.status} onChange={(e) => set("status", e.target.value as LeadStatus)}>
            {LEAD_STATUSES.map((s) => (
              <option key={s} value={s}>
                {label(s)}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Owner" error={errs.owner}>
          <input className="input" value={f.owner} onChange={(e) => set("owner", e.target.value)} placeholder="Who works this lead" />
        </Field>
        <Field label="Source" error={errs.source}>
          <input className="input" value={f.source} onChange={(e) => set("source", e.target.value)} placeholder="Webinar, referral, outbound…" />
        </Field>
      </div>

      <div className="section-head">
        <h3>Contacts</h3>
        <button type="button" className="btn btn-sm" onClick={() => set("contacts", [...f.contacts, { name: "", title: "", email: "", phone: "" }])}>
          + Add contact
        </button>
      </div>
      {f.contacts.length === 0 ? (
        <div className="empty-inline">No contacts yet. Add the people you talk to at this company.</div>
      ) : (
        <div className="contacts-edit">
          {f.contacts.map((c, i) => (
            <div className="contact-row" key={i}>
              <Field label="Name" error={errs[`contacts[${i}].name`]}>
                <input className="input" value={c.name} onChange={(e) => setContact(i, "name", e.target.value)} placeholder="Full name" />
              </Field>
              <Field label="Title" error={errs[`contacts[${i}].title`]}>
                <input className="input" value={c.title} onChange={(e) => setContact(i, "title", e.target.value)} placeholder="VP Sales" />
              </Field>
              <Field label="Email" error={errs[`contacts[${i}].email`]}>
                <input className="input" type="email" value={c.email} onChange={(e) => setContact(i, "email", e.target.value)} placeholder="name@company.com" />
              </Field>
              <Field label="Phone" error={errs[`contacts[${i}].phone`]}>
                <input className="input" value={c.phone} onChange={(e) => setContact(i, "phone", e.target.value)} />
              </Field>
              <button
                type="button"
                className="icon-btn contact-remove"
                aria-label="Remove contact"
                title="Remove contact"
                onClick={() => set("contacts", f.contacts.filter((_, j) => j !== i))}
              >
                ✕
              </button>
            </div>
          ))}
        </div>
      )}

      <div className="form-actions">
        {props.onCancel && (
          <button type="button" className="btn" onClick={props.onCancel}>
            Cancel
          </button>
        )}
        <button type="submit" className="btn btn-primary" data-testid="lead-save" disabled={props.saving}>
          {props.saving ? "Saving…" : props.submitLabel}
        </button>
      </div>
    </form>
  );
}

const KNOWN = new Set(["company", "domain", "industry", "employee_count", "status", "owner", "source"]);
function isKnownField(field: string): boolean {
  return KNOWN.has(field) || /^contacts\[\d+\]\.(name|title|email|phone)$/.test(field);
}

export function NewLead() {
  const { userName, toast, refreshStats } = useApp();
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<CommandError | null>(null);
  const [local, setLocal] = useState<Record<string, string>>({});
  useEffect(() => {
    // A form is a first view too: nothing to load.
    markReady();
  }, []);

  const submit = async (f: FormState) => {
    const { draft, local: le } = toDraft(f);
    setLocal(le);
    if (!draft) return;
    setSaving(true);
    setError(null);
    try {
      const lead = await run(commands.createLead(draft));
      toast(`${lead.company} created`, "success");
      refreshStats();
      navigate(`/leads/${lead.id}`);
    } catch (e) {
      setError(errorOf(e));
    } finally {
      setSaving(false);
    }
  };

  return (
    <div className="page page-narrow">
      <PageHeader title="New lead" back={{ href: href("/leads"), label: "Leads" }} />
      <div className="card card-pad">
        <LeadForm
          key={userName}
          initial={toForm(null, userName)}
          saving={saving}
          error={error}
          localErrors={local}
          submitLabel="Create lead"
          onSubmit={submit}
          onCancel={() => history.back()}
        />
      </div>
    </div>
  );
}

// ---- detail -------------------------------------------------------------------------

export function LeadDetail({ id }: { id: string }) {
  const { toast, toastError, refreshStats } = useApp();
  const [scoring, setScoring] = useState(false);
  const load = useCallback(() => run(commands.getLead(id)), [id]);
  const lead = useLoad(load);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<CommandError | null>(null);
  const [local, setLocal] = useState<Record<string, string>>({});
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [deleting, setDeleting] = useState(false);

  const submit = async (f: FormState) => {
    const { draft, local: le } = toDraft(f);
    setLocal(le);
    if (!draft) return;
    setSaving(true);
    setError(null);
    try {
      const saved = await run(commands.updateLead(id, draft));
      lead.setData(saved);
      toast("Lead saved", "success");
    } catch (e) {
      setError(errorOf(e));
    } finally {
      setSaving(false);
    }
  };

  const doDelete = async () => {
    setDeleting(true);
    try {
      await run(commands.deleteLead(id));
      toast("Lead deleted", "success");
      refreshStats();
      navigate("/leads");
    } catch (e) {
      setError(errorOf(e));
      setConfirmDelete(false);
    } finally {
      setDeleting(false);
    }
  };

  const rescore = async () => {
    setScoring(true);
    try {
      const r = await run(commands.scoreLeads([id]));
      const m = scoringMessage(r, 1);
      toast(m.text, m.kind);
      lead.reload();
    } catch (e) {
      toastError(e);
    } finally {
      setScoring(false);
    }
  };

  const l = lead.data;
  return (
    <div className="page" data-testid="lead-detail">
      <PageHeader
        back={{ href: href("/leads"), label: "Leads" }}
        title={l ? l.company : lead.error ? "Lead" : <span className="skeleton skeleton-h1" />}
        sub={
          l && (
            <span className="meta-row">
              <Badge value={l.status} />
              {l.domain && <span>{l.domain}</span>}
              {l.industry && <span>{l.industry}</span>}
              <span className="muted">Updated {relative(l.updated_at)}</span>
            </span>
          )
        }
        actions={
          l && (
            <>
              <button className="btn btn-danger-ghost" onClick={() => setConfirmDelete(true)}>
                Delete
              </button>
              <a className="btn btn-primary" href={href(`/deals/new?lead=${encodeURIComponent(l.id)}`)} data-testid="lead-new-deal">
                + New deal
              </a>
            </>
          )
        }
      />
      <ErrorBox error={lead.error} onRetry={lead.reload} />
      {!l && lead.loading && <SkeletonBlock lines={8} />}
      {l && (
        <div className="detail-grid">
          <div className="card card-pad">
            <LeadForm
              key={l.updated_at}
              initial={toForm(l, "")}
              saving={saving}
              error={error}
              localErrors={local}
              submitLabel="Save"
              onSubmit={submit}
            />
          </div>
          <aside className="side-col">
            <div className="card card-pad" data-testid="lead-score-card">
              <div className="section-head flush">
                <h3 className="card-title">Lead score</h3>
                <BusyButton className="btn btn-sm btn-ai" busy={scoring} busyText="Scoring…" onClick={() => void rescore()} testid="score-lead">
                  ✦ {l.score ? "Score again" : "Score with AI"}
                </BusyButton>
              </div>
              {l.score ? (
                <>
                  <div className="big-score" title={scoreTooltip(l.score)}>
                    <span className={`big-score-num score-${l.score.score >= 70 ? "good" : l.score.score >= 40 ? "mid" : "low"}`}>{l.score.score}</span>
                    <span className="muted">/ 100</span>
                  </div>
                  <div className="bant">
                    {BANT.map(([name, k]) => {
                      const v = l.score?.breakdown[k] ?? 0;
                      return (
                        <div className="bant-row" key={k}>
                          <span className="bant-label">{name}</span>
                          <span className="bant-track" role="meter" aria-label={name} aria-valuemin={0} aria-valuemax={100} aria-valuenow={v}>
                            <span className="bant-fill" style={{ width: `${Math.max(0, Math.min(100, v))}%` }} />
                          </span>
                          <span className="bant-num">{v}</span>
                        </div>
                      );
                    })}
                  </div>
                  {l.score.rationale && <p className="rationale">{l.score.rationale}</p>}
                  <div className="muted small" title={dateTime(l.score.scored_at)}>
                    Scored {relative(l.score.scored_at)} · {dateTime(l.score.scored_at)}
                  </div>
                </>
              ) : (
                <div className="empty-inline">Not scored yet. Claude rates budget, authority, need and timeline from the lead and its activity.</div>
              )}
            </div>
            <div className="card card-pad">
              <h3 className="card-title">People</h3>
              {l.contacts.length === 0 ? (
                <div className="empty-inline">No contacts.</div>
              ) : (
                <ul className="people">
                  {l.contacts.map((c, i) => (
                    <li key={i}>
                      <Avatar name={c.name} />
                      <div>
                        <div className="strong">{c.name}</div>
                        <div className="muted small">{[c.title, c.email, c.phone].filter(Boolean).join(" · ") || "—"}</div>
                      </div>
                    </li>
                  ))}
                </ul>
              )}
            </div>
            <div className="card card-pad small muted">
              <div>Source: {l.source ?? "—"}</div>
              <div>Created {dateTime(l.created_at)}</div>
            </div>
          </aside>
        </div>
      )}
      {confirmDelete && l && (
        <Modal
          title="Delete lead?"
          onClose={() => setConfirmDelete(false)}
          footer={
            <>
              <button className="btn" onClick={() => setConfirmDelete(false)}>
                Cancel
              </button>
              <button className="btn btn-danger" onClick={doDelete} disabled={deleting} data-testid="confirm-delete">
                {deleting ? "Deleting…" : "Delete lead"}
              </button>
            </>
          }
        >
          <p>
            <strong>{l.company}</strong> and its {l.contacts.length} contact{l.contacts.length === 1 ? "" : "s"} will be removed from this workspace. This cannot be undone.
          </p>
        </Modal>
      )}
    </div>
  );
}

// ---- CSV import ---------------------------------------------------------------------

function RowErrors({ rows, truncated }: { rows: RowError[]; truncated?: boolean }) {
  return (
    <div className="row-errors">
      <table className="table table-compact">
        <thead>
          <tr>
            <th className="num">Line</th>
            <th>Column</th>
            <th>Problem</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={i}>
              <td className="num">{r.line}</td>
              <td>{r.column ?? <span className="muted">—</span>}</td>
              <td>{r.reason}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {truncated && <div className="muted small pad-s">More problems were found than are shown here.</div>}
    </div>
  );
}

type ImportPhase =
  | { step: "choose" }
  | { step: "previewing" }
  | { step: "preview"; preview: ImportPreview }
  | { step: "importing"; preview: ImportPreview }
  | { step: "done"; report: ImportReport };

function ImportDialog({ onClose, onImported }: { onClose: () => void; onImported: () => void }) {
  const { toast, refreshStats } = useApp();
  const [path, setPath] = useState("");
  const [phase, setPhase] = useState<ImportPhase>({ step: "choose" });
  const [error, setError] = useState<CommandError | null>(null);
  const [progress, setProgress] = useState<ImportProgress | null>(null);

  useEffect(() => {
    const un = events.importProgress.listen((e) => setProgress({ done: e.payload.done, total: e.payload.total }));
    return () => {
      un.then((f) => f(), () => undefined);
    };
  }, []);

  const preview = async (p: string) => {
    if (!p.trim()) return;
    setError(null);
    setPhase({ step: "previewing" });
    try {
      const pv = await run(commands.previewLeadImport(p.trim()));
      setPhase({ step: "preview", preview: pv });
    } catch (e) {
      setError(errorOf(e));
      setPhase({ step: "choose" });
    }
  };

  const browse = async () => {
    try {
      const picked = await run(commands.pickCsvFile());
      if (picked) {
        setPath(picked);
        void preview(picked);
      }
    } catch (e) {
      setError(errorOf(e));
    }
  };

  const doImport = async (pv: ImportPreview) => {
    setError(null);
    setProgress({ done: 0, total: pv.row_count });
    setPhase({ step: "importing", preview: pv });
    try {
      const report = await run(commands.importLeads(pv.path));
      setPhase({ step: "done", report });
      toast(`Imported ${report.imported} leads`, "success");
      refreshStats();
      onImported();
    } catch (e) {
      setError(errorOf(e));
      setPhase({ step: "preview", preview: pv });
    }
  };

  const pv = phase.step === "preview" || phase.step === "importing" ? phase.preview : null;
  const canImport = phase.step === "preview" && phase.preview.errors.length === 0;
  const pct = progress && progress.total > 0 ? Math.min(100, Math.round((progress.done / progress.total) * 100)) : 0;

  return (
    <Modal
      title="Import leads from CSV"
      onClose={onClose}
      wide
      footer={
        phase.step === "done" ? (
          <button className="btn btn-primary" onClick={onClose}>
            Done
          </button>
        ) : (
          <>
            <button className="btn" onClick={onClose} disabled={phase.step === "importing"}>
              Cancel
            </button>
            <button className="btn btn-primary" disabled={!canImport} onClick={() => pv && doImport(pv)} data-testid="import-run">
              {phase.step === "importing" ? "Importing…" : pv ? `Import ${count(pv.lead_count)} leads` : "Import"}
            </button>
          </>
        )
      }
    >
      {phase.step !== "done" && (
        <form
          className="path-row"
          onSubmit={(e) => {
            e.preventDefault();
            void preview(path);
          }}
        >
          <input
            className="input mono"
            placeholder="/path/to/export.csv"
            value={path}
            onChange={(e) => setPath(e.target.value)}
            data-testid="import-path"
            disabled={phase.step === "importing"}
          />
          <button type="button" className="btn" onClick={browse} disabled={phase.step === "importing"}>
            Browse…
          </button>
          <button type="submit" className="btn" disabled={!path.trim() || phase.step === "importing" || phase.step === "previewing"}>
            Preview
          </button>
        </form>
      )}

      {error && (
        <div className="error-box" role="alert">
          <div>
            <strong>{phase.step === "preview" ? "Import failed" : "Cannot read this file"}</strong>
            <div>{error.message}</div>
          </div>
        </div>
      )}
      {error && error.rows.length > 0 && <RowErrors rows={error.rows} />}

      {phase.step === "choose" && !error && (
        <div className="empty-inline">Pick a CSV exported from Salesforce or HubSpot, or any file with a header row (Company, Email…). Nothing is written until you press Import.</div>
      )}
      {phase.step === "previewing" && (
        <div className="empty-inline">
          <Spinner /> Reading the file…
        </div>
      )}

      {pv && (
        <div className="import-preview">
          <div className="kv-row">
            <div>
              <span className="kv-k">Format</span>
              <span className="kv-v">{label(pv.format)}</span>
            </div>
            <div>
              <span className="kv-k">Encoding</span>
              <span className="kv-v">{pv.encoding}</span>
            </div>
            <div>
              <span className="kv-k">Rows</span>
              <span className="kv-v">{count(pv.row_count)}</span>
            </div>
            <div>
              <span className="kv-k">Leads</span>
              <span className="kv-v">{count(pv.lead_count)}</span>
            </div>
            <div>
              <span className="kv-k">Problems</span>
              <span className={`kv-v ${pv.errors.length ? "error-text" : "ok-text"}`}>{pv.errors.length ? `${pv.errors.length}${pv.errors_truncated ? "+" : ""}` : "None"}</span>
            </div>
          </div>

          {phase.step === "importing" && (
            <div className="progress-wrap">
              <div className="progress">
                <div className="progress-fill" style={{ width: `${pct}%` }} />
              </div>
              <div className="muted small">
                {progress ? `${count(progress.done)} of ${count(progress.total)} rows` : "Starting…"} · {pct}%
              </div>
            </div>
          )}

          {pv.errors.length > 0 && (
            <>
              <h4 className="sub-title error-text">Fix these rows before importing</h4>
              <RowErrors rows={pv.errors} truncated={pv.errors_truncated} />
            </>
          )}

          <h4 className="sub-title">Column mapping</h4>
          <table className="table table-compact">
            <thead>
              <tr>
                <th className="num">#</th>
                <th>Column in file</th>
                <th>Imported as</th>
              </tr>
            </thead>
            <tbody>
              {pv.columns.map((c) => (
                <tr key={c.column} className={c.field ? "" : "row-ignored"}>
                  <td className="num">{c.column}</td>
                  <td className="mono">{c.header}</td>
                  <td>{c.field ? label(c.field) : <span className="badge tone-gray">ignored</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>

          {pv.sample.length > 0 && (
            <>
              <h4 className="sub-title">Sample ({pv.sample.length} leads)</h4>
              <div className="scroll-x">
                <table className="table table-compact">
                  <thead>
                    <tr>
                      <th>Company</th>
                      <th>Domain</th>
                      <th>Industry</th>
                      <th className="num">Employees</th>
                      <th>Status</th>
                      <th>Contacts</th>
                    </tr>
                  </thead>
                  <tbody>
                    {pv.sample.map((s, i) => (
                      <tr key={i}>
                        <td className="strong">{s.company}</td>
                        <td>{s.domain ?? "—"}</td>
                        <td>{s.industry ?? "—"}</td>
                        <td className="num">{count(s.employee_count)}</td>
                        <td>
                          <Badge value={s.status} />
                        </td>
                        <td>{s.contacts.map((c) => c.name + (c.email ? ` <${c.email}>` : "")).join(", ") || "—"}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </>
          )}
        </div>
      )}

      {phase.step === "done" && (
        <div className="import-done">
          <div className="done-icon">✓</div>
          <div className="done-title">
            {count(phase.report.imported)} leads imported from {count(phase.report.rows)} rows
          </div>
          <div className="muted">
            {label(phase.report.format)} format · {phase.report.took_ms.toFixed(0)} ms
            {phase.report.ignored_columns.length > 0 && <> · ignored: {phase.report.ignored_columns.join(", ")}</>}
          </div>
        </div>
      )}
    </Modal>
  );
}
