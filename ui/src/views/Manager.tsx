// The manager view: the team's pipeline by stage and rep, every deal's health by rep,
// the health trend, and the deals with the most money at risk. Everything comes from
// the local cache (what sync pulled), so it works offline.
import { useCallback, useMemo, useState } from "react";
import { commands, label, money, run, type DealStage, type HealthTrendPoint, type TeamDeal, type TeamOverview } from "../api";
import { href, navigate } from "../router";
import { Badge, Empty, ErrorBox, PageHeader, SkeletonBlock, useLoad } from "../ui";

const STAGES: DealStage[] = ["discovery", "qualification", "proposal", "negotiation", "closed_won", "closed_lost"];
const TEAM = "Team";
const PALETTE = ["#5b4cf5", "#067647", "#b54708", "#175cd3", "#b42318", "#7a5af8", "#0e9384", "#c11574"];

function tone(score: number): string {
  return score >= 70 ? "tone-green" : score >= 40 ? "tone-amber" : "tone-red";
}

function HealthBadge({ d }: { d: TeamDeal }) {
  return (
    <span className={`badge ${tone(d.health)}`} title={d.source === "ai" ? "Claude's latest analysis" : "Local explainable score"} data-testid="team-health">
      {d.health}
      {d.source === "ai" ? " ✦" : ""}
    </span>
  );
}

/** The trend as an SVG line chart: one line per rep, the team's thicker. */
function TrendChart({ points }: { points: HealthTrendPoint[] }) {
  const days = useMemo(() => Array.from(new Set(points.map((p) => p.day))), [points]);
  const reps = useMemo(() => {
    const names = Array.from(new Set(points.map((p) => p.rep))).filter((r) => r !== TEAM);
    return [TEAM, ...names];
  }, [points]);
  const [hidden, setHidden] = useState<Set<string>>(new Set());
  if (days.length === 0) return <p className="muted">No health history yet: it builds up as deals are scored.</p>;
  const W = 760;
  const H = 220;
  const P = { l: 34, r: 12, t: 10, b: 24 };
  const x = (i: number) => P.l + (days.length === 1 ? 0 : (i * (W - P.l - P.r)) / (days.length - 1));
  const y = (v: number) => P.t + ((100 - v) * (H - P.t - P.b)) / 100;
  const index = new Map(days.map((d, i) => [d, i]));
  return (
    <div data-testid="team-trend">
      <svg viewBox={`0 0 ${W} ${H}`} width="100%" role="img" aria-label="Average deal health per day">
        {[0, 25, 50, 75, 100].map((v) => (
          <g key={v}>
            <line x1={P.l} x2={W - P.r} y1={y(v)} y2={y(v)} stroke="var(--border)" />
            <text x={P.l - 6} y={y(v) + 4} fontSize="10" textAnchor="end" fill="var(--text-3)">
              {v}
            </text>
          </g>
        ))}
        {[0, Math.floor((days.length - 1) / 2), days.length - 1].map((i) => (
          <text key={i} x={x(i)} y={H - 6} fontSize="10" textAnchor="middle" fill="var(--text-3)">
            {days[i]?.slice(5)}
          </text>
        ))}
        {reps
          .filter((r) => !hidden.has(r))
          .map((rep) => {
            const color = rep === TEAM ? "var(--text)" : PALETTE[(reps.indexOf(rep) - 1) % PALETTE.length];
            const path = points
              .filter((p) => p.rep === rep)
              .map((p, k) => `${k === 0 ? "M" : "L"}${x(index.get(p.day) ?? 0).toFixed(1)},${y(p.average_health).toFixed(1)}`)
              .join(" ");
            return <path key={rep} d={path} fill="none" stroke={color} strokeWidth={rep === TEAM ? 2.5 : 1.5} opacity={rep === TEAM ? 1 : 0.8} />;
          })}
      </svg>
      <div className="chips">
        {reps.map((rep) => (
          <button
            key={rep}
            type="button"
            className={`chip${hidden.has(rep) ? "" : " chip-accent"}`}
            onClick={() =>
              setHidden((h) => {
                const n = new Set(h);
                if (n.has(rep)) n.delete(rep);
                else n.add(rep);
                return n;
              })
            }
          >
            <span style={{ color: rep === TEAM ? "var(--text)" : PALETTE[(reps.indexOf(rep) - 1) % PALETTE.length] }}>●</span> {rep}
          </button>
        ))}
      </div>
    </div>
  );
}

function Pipeline({ o }: { o: TeamOverview }) {
  const reps = Array.from(new Set(o.pipeline.map((c) => c.rep))).sort();
  const cell = (rep: string, stage: DealStage) => o.pipeline.find((c) => c.rep === rep && c.stage === stage);
  return (
    <div className="card table-card">
      <table className="table table-compact" data-testid="team-pipeline">
        <thead>
          <tr>
            <th>Rep</th>
            {STAGES.map((s) => (
              <th key={s} className="num">
                {label(s)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {reps.map((rep) => (
            <tr key={rep}>
              <td className="strong">{rep}</td>
              {STAGES.map((s) => {
                const c = cell(rep, s);
                return (
                  <td key={s} className="num">
                    {c ? (
                      <>
                        {money(c.amount_cents)}
                        <div className="muted small">
                          {c.deals} deal{c.deals === 1 ? "" : "s"}
                        </div>
                      </>
                    ) : (
                      <span className="muted">—</span>
                    )}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function ManagerView() {
  const [days, setDays] = useState(30);
  // useLoad runs it again when sync (or anything else) changed data behind the view.
  const load = useCallback(() => run(commands.teamOverview(days)), [days]);
  const o = useLoad(load);
  const data = o.data;
  return (
    <div className="page" data-testid="manager-view">
      <PageHeader
        title="Team"
        sub="Pipeline, deal health and risk across the team, from this computer's copy (works offline)."
        actions={
          <select className="input" value={days} onChange={(e) => setDays(Number(e.target.value))} aria-label="Trend period">
            <option value={14}>Last 14 days</option>
            <option value={30}>Last 30 days</option>
            <option value={90}>Last 90 days</option>
          </select>
        }
      />
      <ErrorBox error={o.error} onRetry={o.reload} />
      {!data && o.loading && <SkeletonBlock lines={8} />}
      {data && data.pipeline.length === 0 && <Empty icon="◆" title="No team deals yet">Deals appear here once your team syncs.</Empty>}
      {data && data.pipeline.length > 0 && (
        <>
          <div className="stat-cards">
            <div className="stat-card">
              <div className="stat-label">Open pipeline</div>
              <div className="stat-value">{money(data.reps.reduce((a, r) => a + r.open_amount_cents, 0))}</div>
            </div>
            <div className="stat-card">
              <div className="stat-label">Open deals</div>
              <div className="stat-value">{data.reps.reduce((a, r) => a + r.open_deals, 0)}</div>
            </div>
            <div className="stat-card">
              <div className="stat-label">Amount at risk</div>
              <div className="stat-value">{money(data.risks.reduce((a, d) => a + d.at_risk_cents, 0))}</div>
            </div>
            <div className="stat-card">
              <div className="stat-label">Reps</div>
              <div className="stat-value">{data.reps.length}</div>
            </div>
          </div>

          <h3 className="section-title">Risk list</h3>
          <p className="muted small">Open deals by amount at risk: amount × (1 − health). Click a deal for its timeline.</p>
          <div className="card table-card">
            <table className="table" data-testid="team-risks">
              <thead>
                <tr>
                  <th>Deal</th>
                  <th>Rep</th>
                  <th>Stage</th>
                  <th className="num">Amount</th>
                  <th className="num">Health</th>
                  <th className="num">At risk</th>
                </tr>
              </thead>
              <tbody>
                {data.risks.slice(0, 15).map((d) => (
                  <tr key={d.id} className="clickable" data-testid="risk-row" data-deal={d.id} onClick={() => navigate(`/deals/${d.id}`)}>
                    <td className="strong">
                      <a href={href(`/deals/${d.id}`)} onClick={(e) => e.stopPropagation()}>
                        {d.name}
                      </a>
                      {d.company && <div className="muted small">{d.company}</div>}
                    </td>
                    <td>{d.rep}</td>
                    <td>
                      <Badge value={d.stage} />
                    </td>
                    <td className="num" data-testid="risk-amount">
                      {money(d.amount_cents)}
                    </td>
                    <td className="num">
                      <HealthBadge d={d} />
                    </td>
                    <td className="num strong">{money(d.at_risk_cents)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>

          <h3 className="section-title">Health trend</h3>
          <div className="card card-pad">
            <TrendChart points={data.trend} />
          </div>

          <h3 className="section-title">Pipeline by stage and rep</h3>
          <Pipeline o={data} />

          <h3 className="section-title">Deal health by rep</h3>
          {data.reps.map((r) => (
            <div key={r.rep} className="card table-card" data-testid="rep-health">
              <div className="section-head card-pad">
                <h3 className="card-title">{r.rep}</h3>
                <span className="muted small">
                  {r.open_deals} open · {money(r.open_amount_cents)} · average health <span className={`badge ${tone(r.average_health)}`}>{r.average_health}</span>
                </span>
              </div>
              <table className="table table-compact">
                <tbody>
                  {r.deals.map((d) => (
                    <tr key={d.id} className="clickable" data-testid="rep-deal-row" onClick={() => navigate(`/deals/${d.id}`)}>
                      <td className="strong">
                        <a href={href(`/deals/${d.id}`)} onClick={(e) => e.stopPropagation()}>
                          {d.name}
                        </a>
                      </td>
                      <td>
                        <Badge value={d.stage} />
                      </td>
                      <td className="num">{money(d.amount_cents)}</td>
                      <td className="num">
                        <HealthBadge d={d} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ))}
        </>
      )}
    </div>
  );
}
