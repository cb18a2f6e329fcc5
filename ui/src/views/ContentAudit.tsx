import { useCallback } from "react";
import { commands, count, label, money, pct, run, type ContentAudit, type KindCount } from "../api";
import { href } from "../router";
import { Empty, ErrorBox, PageHeader, SkeletonBlock, useLoad } from "../ui";

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
