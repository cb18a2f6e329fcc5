import { useCallback, useState } from "react";
import {
  commands,
  count,
  label,
  messageOf,
  money,
  pct,
  run,
  type AuditAdvice,
  type ContentAudit,
  type KindCount,
} from "../api";
import { href } from "../router";
import { Empty, ErrorBox, PageHeader, SkeletonBlock, Spinner, useLoad } from "../ui";

type Advice = { state: "idle" } | { state: "pending" } | { state: "done"; advice: AuditAdvice | null } | { state: "failed"; why: string };

const ACTION_LABEL: Record<string, string> = {
  update: "Update",
  retire: "Retire",
  merge: "Merge",
  create: "Create",
  promote: "Promote",
};

/** Claude's next actions for the audit, asked for on demand (one request, in the AI ledger). */
function Recommendations({ titles }: { titles: Map<string, string> }) {
  const [advice, setAdvice] = useState<Advice>({ state: "idle" });
  const ask = () => {
    setAdvice({ state: "pending" });
    run(commands.contentAuditAdvice()).then(
      (a) => setAdvice({ state: "done", advice: a }),
      (e: unknown) => setAdvice({ state: "failed", why: messageOf(e) }),
    );
  };
  return (
    <section className="card card-pad audit-advice" data-testid="audit-advice">
      <div className="card-title-row">
        <h3 className="card-title">Recommendations</h3>
        <button type="button" className="btn btn-sm btn-ai" onClick={ask} disabled={advice.state === "pending"} data-testid="audit-ask-claude">
          {advice.state === "pending" ? <Spinner /> : "✦"} {advice.state === "done" ? "Ask again" : "Ask Claude"}
        </button>
      </div>
      {advice.state === "idle" && (
        <p className="muted small">Claude reads the findings below and says what to do first: what to update, retire, merge, write or promote.</p>
      )}
      {advice.state === "failed" && <p className="error-text small">{advice.why} The findings below are complete without it.</p>}
      {advice.state === "done" && advice.advice == null && <p className="muted small">Nothing to act on: the library is in good shape.</p>}
      {advice.state === "done" && advice.advice && (
        <>
          <ol className="advice-list">
            {advice.advice.recommendations.map((r, i) => (
              <li key={i} className={`advice advice-${r.priority}`}>
                <div className="advice-head">
                  <span className={`chip advice-action`}>{ACTION_LABEL[r.action] ?? r.action}</span>
                  <strong>{r.title}</strong>
                  <span className="muted small"> · {r.priority} priority</span>
                </div>
                <div className="small">{r.detail}</div>
                {r.content_ids.length > 0 && (
                  <div className="small">
                    {r.content_ids.map((id, k) => (
                      <span key={id}>
                        {k > 0 && " · "}
                        <a href={href(`/content/${id}`)}>{titles.get(id) ?? id}</a>
                      </span>
                    ))}
                  </div>
                )}
              </li>
            ))}
          </ol>
          <p className="muted small">
            Written by {advice.advice.model}
            {advice.advice.stale ? " (a saved answer: Claude could not be reached)" : ""}.
          </p>
        </>
      )}
    </section>
  );
}

/** Titles of the audited items by id, for the recommendations' links. */
function titlesOf(a: ContentAudit): Map<string, string> {
  const m = new Map<string, string>();
  for (const s of a.stale) m.set(s.id, s.title);
  for (const d of a.duplicates) {
    m.set(d.a_id, d.a_title);
    m.set(d.b_id, d.b_title);
  }
  for (const p of [...a.top, ...a.under]) m.set(p.id, p.title);
  return m;
}

/** Items per kind as horizontal bars. */
function KindChart({ kinds }: { kinds: KindCount[] }) {
  const max = Math.max(1, ...kinds.map((k) => k.count));
  return (
    <div className="audit-bars" data-testid="audit-chart" aria-label="Items per kind">
      {kinds.map((k) => (
        <div key={k.kind} className="audit-bar-row">
          <span className="audit-bar-label">{label(k.kind)}</span>
          <span className="audit-bar-track">
            <span className="audit-bar" style={{ width: `${(k.count / max) * 100}%` }} />
          </span>
          <span className="audit-bar-value">{k.count}</span>
        </div>
      ))}
    </div>
  );
}

/**
 * The content audit (seed 000, pattern 4): what is out of date, what says the same thing
 * twice, what open deals need that the library does not have, and what wins.
 */
export function ContentAuditView() {
  const load = useCallback(() => run(commands.contentAudit()), []);
  const audit = useLoad(load);
  const a: ContentAudit | null = audit.data;
  return (
    <div className="page" data-testid="content-audit">
      <PageHeader
        title="Content audit"
        sub={a ? `${count(a.items)} items · ${a.stale.length} stale · ${a.duplicates.length} near-duplicates · ${a.gaps.length} gaps` : " "}
        back={{ href: href("/content"), label: "Content" }}
      />
      <ErrorBox error={audit.error} onRetry={audit.reload} />
      {!a && audit.loading && <SkeletonBlock lines={8} />}
      {a && (
        <div className="audit-grid">
          <Recommendations titles={titlesOf(a)} />
          <section className="card card-pad">
            <h3 className="card-title">Library by kind</h3>
            <KindChart kinds={a.by_kind} />
          </section>
          <section className="card card-pad">
            <h3 className="card-title">Gaps open deals need filled</h3>
            {a.gaps.length === 0 ? (
              <Empty title="No gaps">Every open deal's industry and buyer has a case study, a one-pager and an ROI calculator.</Empty>
            ) : (
              <table className="table compact">
                <thead>
                  <tr>
                    <th>Industry</th>
                    <th>Buyer</th>
                    <th>Missing</th>
                    <th className="num">Open deals</th>
                    <th className="num">Pipeline</th>
                  </tr>
                </thead>
                <tbody>
                  {a.gaps.slice(0, 12).map((g) => (
                    <tr key={`${g.industry}/${g.persona}/${g.kind}`}>
                      <td>{g.industry}</td>
                      <td>{g.persona}</td>
                      <td>{label(g.kind)}</td>
                      <td className="num">{g.open_deals}</td>
                      <td className="num">{money(g.open_amount_cents)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            {a.gaps.length > 12 && <p className="muted small">and {a.gaps.length - 12} smaller gaps</p>}
          </section>
          <section className="card card-pad">
            <h3 className="card-title">Out of date</h3>
            <ul className="issue-list">
              {a.stale.slice(0, 15).map((s) => (
                <li key={s.id}>
                  <a href={href(`/content/${s.id}`)}>{s.title}</a>
                  <div className="muted small">{s.reasons.join(" · ")}</div>
                </li>
              ))}
            </ul>
            {a.stale.length > 15 && <p className="muted small">and {a.stale.length - 15} more</p>}
          </section>
          <section className="card card-pad">
            <h3 className="card-title">Near-duplicates</h3>
            <ul className="issue-list">
              {a.duplicates.slice(0, 12).map((d) => (
                <li key={`${d.a_id}/${d.b_id}`}>
                  <a href={href(`/content/${d.a_id}`)}>{d.a_title}</a> ≈ <a href={href(`/content/${d.b_id}`)}>{d.b_title}</a>
                  <span className="muted small"> · {pct(d.similarity)} alike</span>
                </li>
              ))}
            </ul>
          </section>
          <section className="card card-pad">
            <h3 className="card-title">Top performers</h3>
            <ul className="issue-list">
              {a.top.map((p) => (
                <li key={p.id}>
                  <a href={href(`/content/${p.id}`)}>{p.title}</a>
                  <div className="muted small">
                    won {p.deals_won} of {p.deals_influenced} deals ({pct(p.win_rate)}) · used {p.uses}×
                  </div>
                </li>
              ))}
            </ul>
          </section>
          <section className="card card-pad">
            <h3 className="card-title">Under-performers</h3>
            <ul className="issue-list">
              {a.under.map((p) => (
                <li key={p.id}>
                  <a href={href(`/content/${p.id}`)}>{p.title}</a>
                  <div className="muted small">
                    used {p.uses}× · won {p.deals_won} of {p.deals_influenced} deals
                  </div>
                </li>
              ))}
            </ul>
          </section>
        </div>
      )}
    </div>
  );
}
