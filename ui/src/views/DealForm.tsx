// The deal form, shared by "New deal" and the deal detail's Edit mode, with its two
// pickers: a searchable lead picker and competitor chips.
import { useEffect, useId, useRef, useState, type KeyboardEvent } from "react";
import {
  commands,
  emptyToNull,
  label,
  messageOf,
  money,
  run,
  type CommandError,
  type Deal,
  type DealDraft,
  type DealStage,
  type LeadSummary,
  type Stakeholder,
} from "../api";
import { Field, Spinner, useDebounced, FormErrors } from "../ui";

export const STAGES: DealStage[] = ["discovery", "qualification", "proposal", "negotiation", "closed_won", "closed_lost"];
export const STAKEHOLDER_ROLES = ["champion", "economic_buyer", "decision_maker", "influencer", "blocker", "user"];

/** The lead a deal belongs to, as the form shows it. */
export type LeadRef = { id: string; company: string };

type StakeholderRow = { name: string; title: string; role: string };

export type DealFormState = {
  name: string;
  lead: LeadRef | null;
  /** Dollars as typed ("25,000", "25k", "1200.50"). */
  amount: string;
  stage: DealStage;
  /** `YYYY-MM-DD` or "". */
  closeDate: string;
  competitors: string[];
  owner: string;
  stakeholders: StakeholderRow[];
};

export function newDealForm(owner: string, lead: LeadRef | null): DealFormState {
  return { name: "", lead, amount: "", stage: "discovery", closeDate: "", competitors: [], owner, stakeholders: [] };
}

export function dealToForm(deal: Deal, lead: LeadRef | null): DealFormState {
  const c = deal.amount_cents;
  return {
    name: deal.name,
    lead,
    amount: c % 100 === 0 ? String(c / 100) : (c / 100).toFixed(2),
    stage: deal.stage,
    closeDate: deal.close_date ?? "",
    competitors: [...deal.competitors],
    owner: deal.owner ?? "",
    stakeholders: deal.stakeholders.map((s) => ({ name: s.name, title: s.title ?? "", role: s.role ?? "" })),
  };
}

/** A deal's own fields as a draft (to save it with one field changed). */
export function draftOf(deal: Deal): DealDraft {
  return {
    lead_id: deal.lead_id,
    name: deal.name,
    amount_cents: deal.amount_cents,
    stage: deal.stage,
    close_date: deal.close_date,
    competitors: deal.competitors,
    owner: deal.owner,
    stakeholders: deal.stakeholders,
  };
}

/** "25,000" / "$25k" / "1.2m" / "1200.50" -> cents; null when it is not an amount. "" is 0. */
export function parseDollars(text: string): number | null {
  const t = text.replace(/[$,\s_]/g, "");
  if (t === "") return 0;
  const m = /^(-?(?:\d+(?:\.\d*)?|\.\d+))([km]?)$/i.exec(t);
  if (!m) return null;
  const mult = m[2].toLowerCase() === "k" ? 1_000 : m[2].toLowerCase() === "m" ? 1_000_000 : 1;
  const cents = Math.round(Number(m[1]) * mult * 100);
  return Number.isSafeInteger(cents) ? cents : null;
}

/** The draft to send, or the problems found before sending (keyed like the server's fields). */
export function toDealDraft(f: DealFormState): { draft: DealDraft | null; local: Record<string, string> } {
  const local: Record<string, string> = {};
  const cents = parseDollars(f.amount);
  if (cents == null) local.amount_cents = "enter an amount in dollars, like 25,000";
  f.stakeholders.forEach((s, i) => {
    if (!s.name.trim()) local[`stakeholders[${i}].name`] = "a name is required";
  });
  if (cents == null || Object.keys(local).length) return { draft: null, local };
  const stakeholders: Stakeholder[] = f.stakeholders.map((s) => ({ name: s.name.trim(), title: emptyToNull(s.title), role: emptyToNull(s.role) }));
  return {
    draft: {
      lead_id: f.lead?.id ?? null,
      name: f.name.trim(),
      amount_cents: cents,
      stage: f.stage,
      close_date: emptyToNull(f.closeDate),
      competitors: f.competitors,
      owner: emptyToNull(f.owner),
      stakeholders,
    },
    local,
  };
}

function fieldMap(err: CommandError | null): Record<string, string> {
  const m: Record<string, string> = {};
  for (const f of err?.fields ?? []) {
    // Per-chip problems ("competitors[1]") are shown under the chips as a whole.
    const key = /^competitors\[\d+\]$/.test(f.field) ? "competitors" : f.field;
    m[key] = m[key] ? `${m[key]}; ${f.reason}` : f.reason;
  }
  return m;
}

const KNOWN = new Set(["name", "lead_id", "amount_cents", "stage", "close_date", "competitors", "owner"]);
function isKnownField(field: string): boolean {
  return KNOWN.has(field) || /^competitors\[\d+\]$/.test(field) || /^stakeholders\[\d+\]\.(name|title|role)$/.test(field);
}

function sameName(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

// ---- the form ----------------------------------------------------------------------------

export function DealForm(props: {
  initial: DealFormState;
  saving: boolean;
  error: CommandError | null;
  localErrors: Record<string, string>;
  submitLabel: string;
  onSubmit: (f: DealFormState) => void;
  onCancel?: () => void;
}) {
  const [f, setF] = useState<DealFormState>(props.initial);
  const [competitorText, setCompetitorText] = useState("");
  const [known, setKnown] = useState<string[]>([]);
  const errs = { ...fieldMap(props.error), ...props.localErrors };
  const unmatched = props.error?.fields.filter((x) => !isKnownField(x.field)) ?? [];
  const set = <K extends keyof DealFormState>(k: K, v: DealFormState[K]) => setF((s) => ({ ...s, [k]: v }));
  const setStakeholder = (i: number, k: keyof StakeholderRow, v: string) =>
    setF((s) => ({ ...s, stakeholders: s.stakeholders.map((x, j) => (j === i ? { ...x, [k]: v } : x)) }));

  // Competitor names with a battle card, offered as suggestions (a new name can still be typed).
  useEffect(() => {
    let live = true;
    run(commands.listBattleCards()).then(
      (cards) => {
        if (live) setKnown(cards.map((c) => c.competitor).sort((a, b) => a.localeCompare(b)));
      },
      () => undefined, // suggestions only: without them the field still takes typed names
    );
    return () => {
      live = false;
    };
  }, []);

  const cents = parseDollars(f.amount);

  const submit = () => {
    // Blank stakeholder rows are dropped, and a competitor still in the text box is kept,
    // so the indices of any errors match what is on screen.
    const typed = competitorText.trim();
    const competitors = typed && !f.competitors.some((c) => sameName(c, typed)) ? [...f.competitors, typed] : f.competitors;
    const stakeholders = f.stakeholders.filter((s) => s.name.trim() || s.title.trim() || s.role);
    const next = { ...f, competitors, stakeholders };
    setF(next);
    setCompetitorText("");
    props.onSubmit(next);
  };

  return (
    <form
      className="form"
      data-testid="deal-form"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <FormErrors error={props.error} unmatched={unmatched} />
      <div className="form-grid">
        <Field label="Deal name" error={errs.name}>
          <input
            className="input"
            data-testid="deal-name"
            value={f.name}
            onChange={(e) => set("name", e.target.value)}
            placeholder={f.lead ? `${f.lead.company} — Team rollout` : "Acme Corp — Team rollout"}
            autoFocus={!props.initial.name}
          />
        </Field>
        <Field label="Lead" error={errs.lead_id} hint="The company this deal is with" group>
          <LeadPicker value={f.lead} onChange={(l) => set("lead", l)} />
        </Field>
        <Field label="Amount (USD)" error={errs.amount_cents} hint={f.amount.trim() && cents != null ? money(cents) : "Leave empty if not known yet"}>
          <input
            className="input"
            data-testid="deal-amount"
            inputMode="decimal"
            value={f.amount}
            onChange={(e) => set("amount", e.target.value)}
            placeholder="25,000"
          />
        </Field>
        <Field label="Stage" error={errs.stage}>
          <select className="input" data-testid="deal-form-stage" value={f.stage} onChange={(e) => set("stage", e.target.value as DealStage)}>
            {STAGES.map((s) => (
              <option key={s} value={s}>
                {label(s)}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Close date" error={errs.close_date}>
          <input className="input" type="date" data-testid="deal-close-date" value={f.closeDate} onChange={(e) => set("closeDate", e.target.value)} />
        </Field>
        <Field label="Owner" error={errs.owner}>
          <input className="input" data-testid="deal-owner" value={f.owner} onChange={(e) => set("owner", e.target.value)} placeholder="Who works this deal" />
        </Field>
        <Field label="Competitors" error={errs.competitors} hint="Pick a competitor with a battle card, or type a name and press Enter" wide group>
          <CompetitorChips value={f.competitors} onChange={(v) => set("competitors", v)} text={competitorText} setText={setCompetitorText} known={known} />
        </Field>
      </div>

      <div className="section-head">
        <h3>Stakeholders</h3>
        <button
          type="button"
          className="btn btn-sm"
          data-testid="deal-add-stakeholder"
          onClick={() => set("stakeholders", [...f.stakeholders, { name: "", title: "", role: "" }])}
        >
          + Add stakeholder
        </button>
      </div>
      {f.stakeholders.length === 0 ? (
        <div className="empty-inline">No stakeholders yet. Map the champion, the economic buyer and who could block the deal.</div>
      ) : (
        <div className="contacts-edit">
          {f.stakeholders.map((s, i) => (
            <div className="contact-row stakeholder-row" key={i} data-testid="stakeholder-row">
              <Field label="Name" error={errs[`stakeholders[${i}].name`]}>
                <input className="input" value={s.name} onChange={(e) => setStakeholder(i, "name", e.target.value)} placeholder="Full name" />
              </Field>
              <Field label="Title" error={errs[`stakeholders[${i}].title`]}>
                <input className="input" value={s.title} onChange={(e) => setStakeholder(i, "title", e.target.value)} placeholder="CFO" />
              </Field>
              <Field label="Role" error={errs[`stakeholders[${i}].role`]}>
                <select className="input" value={s.role} onChange={(e) => setStakeholder(i, "role", e.target.value)}>
                  <option value="">No role</option>
                  {(s.role && !STAKEHOLDER_ROLES.includes(s.role) ? [...STAKEHOLDER_ROLES, s.role] : STAKEHOLDER_ROLES).map((r) => (
                    <option key={r} value={r}>
                      {label(r)}
                    </option>
                  ))}
                </select>
              </Field>
              <button
                type="button"
                className="icon-btn contact-remove"
                aria-label="Remove stakeholder"
                title="Remove stakeholder"
                onClick={() => set("stakeholders", f.stakeholders.filter((_, j) => j !== i))}
              >
                ✕
              </button>
            </div>
          ))}
        </div>
      )}

      <div className="form-actions">
        {props.onCancel && (
          <button type="button" className="btn" onClick={props.onCancel} data-testid="deal-cancel">
            Cancel
          </button>
        )}
        <button type="submit" className="btn btn-primary" data-testid="deal-save" disabled={props.saving}>
          {props.saving ? "Saving…" : props.submitLabel}
        </button>
      </div>
    </form>
  );
}

// ---- lead picker ---------------------------------------------------------------------------

function LeadPicker({ value, onChange }: { value: LeadRef | null; onChange: (l: LeadRef | null) => void }) {
  const listId = useId();
  const inputRef = useRef<HTMLInputElement>(null);
  const [text, setText] = useState("");
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const [results, setResults] = useState<LeadSummary[] | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const q = useDebounced(text, 150);

  useEffect(() => {
    if (!open) return;
    let live = true;
    setLoading(true);
    run(commands.listLeads({ text: emptyToNull(q), status: null, sort: "company", dir: "asc", offset: 0, limit: 10 })).then(
      (page) => {
        if (!live) return;
        setResults(page.items);
        // Highlight the first match only once something is typed (Enter then picks it).
        setActive(q.trim() ? 0 : -1);
        setError(null);
        setLoading(false);
      },
      (e: unknown) => {
        if (!live) return;
        setError(messageOf(e));
        setLoading(false);
      },
    );
    return () => {
      live = false;
    };
  }, [q, open]);

  const pick = (l: LeadSummary) => {
    onChange({ id: l.id, company: l.company });
    setText("");
    setOpen(false);
  };

  if (value) {
    return (
      <div className="picked" data-testid="deal-lead-picked">
        <span className="picked-name">{value.company}</span>
        <button
          type="button"
          className="icon-btn"
          aria-label="Remove lead"
          title="Remove lead"
          onClick={() => {
            onChange(null);
            requestAnimationFrame(() => inputRef.current?.focus());
          }}
        >
          ✕
        </button>
      </div>
    );
  }

  const items = results ?? [];
  const onKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === "ArrowDown") {
      e.preventDefault();
      if (!open) setOpen(true);
      else setActive((a) => Math.min(a + 1, items.length - 1));
    } else if (e.key === "ArrowUp") {
      e.preventDefault();
      setActive((a) => Math.max(a - 1, 0));
    } else if (e.key === "Enter") {
      // Never submit the whole form from the search box.
      e.preventDefault();
      if (open && items[active]) pick(items[active]);
    } else if (e.key === "Escape" && open) {
      e.preventDefault();
      setOpen(false);
    }
  };

  return (
    <div className="combo">
      <input
        ref={inputRef}
        className="input"
        data-testid="deal-lead"
        role="combobox"
        aria-label="Lead"
        aria-expanded={open}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={open && items[active] ? `${listId}-${active}` : undefined}
        placeholder="Search companies…"
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          setOpen(true);
        }}
        onFocus={() => setOpen(true)}
        onBlur={() => setOpen(false)}
        onKeyDown={onKey}
      />
      {open && (
        // mousedown would blur the input (and close the list) before the click lands
        <ul className="suggest" id={listId} role="listbox" aria-label="Leads" onMouseDown={(e) => e.preventDefault()}>
          {error ? (
            <li className="suggest-note error-text">{error}</li>
          ) : results == null ? (
            <li className="suggest-note">
              <Spinner /> Searching…
            </li>
          ) : items.length === 0 ? (
            <li className="suggest-note">{q.trim() ? `No lead matches “${q.trim()}”` : "No leads yet"}</li>
          ) : (
            items.map((l, i) => (
              <li
                key={l.id}
                id={`${listId}-${i}`}
                role="option"
                aria-selected={i === active}
                className={`suggest-item${i === active ? " active" : ""}`}
                data-testid="deal-lead-option"
                onMouseEnter={() => setActive(i)}
                onClick={() => pick(l)}
              >
                <span className="strong">{l.company}</span>
                <span className="suggest-sub">{[l.industry, l.primary_contact].filter(Boolean).join(" · ")}</span>
              </li>
            ))
          )}
          {loading && results != null && (
            <li className="suggest-note small">
              <Spinner />
            </li>
          )}
        </ul>
      )}
    </div>
  );
}

// ---- competitor chips ------------------------------------------------------------------------

function CompetitorChips(props: { value: string[]; onChange: (v: string[]) => void; text: string; setText: (t: string) => void; known: string[] }) {
  const { value, onChange, text, setText, known } = props;
  const listId = useId();
  const inputRef = useRef<HTMLInputElement>(null);
  const [open, setOpen] = useState(false);
  // -1: nothing highlighted (Enter in an empty box adds nothing).
  const [active, setActive] = useState(-1);
  const typed = text.trim();

  // Known names not yet on the deal and matching what is typed, then "Add …" for a new name.
  const options: Array<{ name: string; isNew: boolean }> = known
    .filter((k) => !value.some((v) => sameName(v, k)) && k.toLowerCase().includes(typed.toLowerCase()))
    .map((name) => ({ name, isNew: false }));
  if (typed && !known.some((k) => sameName(k, typed)) && !value.some((v) => sameName(v, typed))) options.push({ name: typed, isNew: true });

  const add = (name: string) => {
    const n = name.trim();
    if (n && !value.some((v) => sameName(v, n))) onChange([...value, n]);
    setText("");
    setActive(-1);
  };

  const onKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === "Enter" || (e.key === "," && typed)) {
      e.preventDefault();
      if (e.key === "Enter" && open && options[active]) add(options[active].name);
      else if (typed) add(typed);
    } else if (e.key === "Backspace" && text === "" && value.length > 0) {
      onChange(value.slice(0, -1));
    } else if (e.key === "ArrowDown") {
      e.preventDefault();
      setOpen(true);
      setActive((a) => Math.min(a + 1, options.length - 1));
    } else if (e.key === "ArrowUp") {
      e.preventDefault();
      setActive((a) => Math.max(a - 1, 0));
    } else if (e.key === "Escape" && open) {
      e.preventDefault();
      setOpen(false);
    }
  };

  return (
    <div className="combo">
      <div className="chip-input" onClick={() => inputRef.current?.focus()}>
        {value.map((c) => (
          <span className="chip chip-accent chip-removable" key={c} data-testid="deal-competitor-chip">
            {c}
            <button
              type="button"
              className="chip-x"
              aria-label={`Remove ${c}`}
              title={`Remove ${c}`}
              onClick={(e) => {
                e.stopPropagation();
                onChange(value.filter((v) => v !== c));
              }}
            >
              ✕
            </button>
          </span>
        ))}
        <input
          ref={inputRef}
          className="chip-input-text"
          data-testid="deal-competitor-input"
          role="combobox"
          aria-label="Add competitor"
          aria-expanded={open && options.length > 0}
          aria-controls={listId}
          aria-autocomplete="list"
          aria-activedescendant={open && options[active] ? `${listId}-${active}` : undefined}
          placeholder={value.length ? "Add another…" : "Gong, Outreach…"}
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            setActive(e.target.value.trim() ? 0 : -1);
            setOpen(true);
          }}
          onFocus={() => setOpen(true)}
          onBlur={() => setOpen(false)}
          onKeyDown={onKey}
        />
      </div>
      {open && options.length > 0 && (
        <ul className="suggest" id={listId} role="listbox" aria-label="Competitors" onMouseDown={(e) => e.preventDefault()}>
          {options.map((o, i) => (
            <li
              key={`${o.isNew ? "+" : ""}${o.name}`}
              id={`${listId}-${i}`}
              role="option"
              aria-selected={i === active}
              className={`suggest-item${i === active ? " active" : ""}`}
              data-testid="deal-competitor-option"
              onMouseEnter={() => setActive(i)}
              onClick={() => add(o.name)}
            >
              {o.isNew ? (
                <span>
                  Add “<span className="strong">{o.name}</span>”
                </span>
              ) : (
                <>
                  <span className="strong">{o.name}</span>
                  <span className="suggest-sub">⚔ Battle card</span>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
