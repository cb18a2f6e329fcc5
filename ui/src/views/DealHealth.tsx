import { useCallback, useState } from "react";
import {
  commands,
  dateTime,
  errorOf,
  label,
  relative,
  run,
  type BattleCardSummary,
  type CommandError,
  type DealAnalysis,
  type DealInsights,
  type HealthBand,
  type Level,
  type LocalHealth,
} from "../api";
import { href } from "../router";
import { BusyButton, Chip, ErrorBox, SkeletonBlock, useLoad, type Load } from "../ui";

/** What a timeline id (activity or call) of the analysis points at, for its link. */
export type EvidenceRef = { id: string; text: string; kind: "activity" | "call" | "unknown" };

const BAND_TEXT: Record<HealthBand, string> = { healthy: "Healthy", at_risk: "At risk", critical: "Critical" };
const LEVEL_TONE: Record<Level, string> = { high: "red", medium: "amber", low: "gray" };
const STRENGTH_TONE: Record<string, string> = { strong: "green", moderate: "teal", weak: "gray" };
const STANCE_TONE: Record<string, string> = { supportive: "green", neutral: "gray", opposed: "red", unknown: "gray" };

/** Claude's 0..100 score on the same bands as the local one. */
function bandOf(score: number): HealthBand {
  return score >= 70 ? "healthy" : score >= 40 ? "at_risk" : "critical";
}

function signed(n: number): string {
  return n > 0 ? `+${n}` : n < 0 ? `−${Math.abs(n)}` : "0";
}

/**
 * The deal's health: the score computed on the laptop (always there, explained factor by
 * factor) and, beside it, Claude's full reading of the deal when the rep asks for one.
 */
export function DealHealth(props: {
  dealId: string;
  insights: Load<DealInsights>;
  resolve: (id: string) => EvidenceRef;
  onEvidence: (ref: EvidenceRef) => void;
  cardFor: (competitor: string) => BattleCardSummary | undefined;
}) {
  const { dealId, insights } = props;
  const [analyzing, setAnalyzing] = useState(false);
  const [error, setError] = useState<CommandError | null>(null);
  const data = insights.data;

  const analyze = async () => {
    setAnalyzing(true);
    setError(null);
    try {
      insights.setData(await run(commands.analyzeDeal(dealId)));
    } catch (e) {
      setError(errorOf(e));
    } finally {
      setAnalyzing(false);
    }
  };

  return (
    <section className="card card-pad health-card" data-testid="deal-health" aria-label="Deal health">
      <ErrorBox error={insights.error} onRetry={insights.reload} />
      {!data && insights.loading && <SkeletonBlock lines={4} />}
      {data && (
        <div className="health-grid">
          <LocalHealthView local={data.local} />
          <div className="health-ai">
            <div className="section-head flush">
              <h3 className="card-title">Claude’s analysis</h3>
              <BusyButton
                className="btn btn-sm btn-ai"
                busy={analyzing}
                busyText="Claude is reading the deal…"
                onClick={() => void analyze()}
                testid="analyze-deal"
                title="Claude reads the whole timeline, calls and battle cards of this deal"
              >
                ✦ {data.analysis ? "Analyze again" : "Analyze with Claude"}
              </BusyButton>
            </div>
            {error && (
              <div className="error-box" role="alert">
                <div>
                  <strong>{error.kind === "ai" ? "Claude could not analyze this deal" : "Something went wrong"}</strong>
                  <div>{error.message}</div>
                </div>
              </div>
            )}
            {data.analysis ? (
              <AnalysisView a={data.analysis} resolve={props.resolve} onEvidence={props.onEvidence} cardFor={props.cardFor} />
            ) : (
              !error && (
                <div className="empty-inline">
                  Claude reads the timeline, the calls and the battle cards of this deal, and tells you its buying signals, risks (with the notes that show them), what to do next, which content to send and who matters.
                </div>
              )
            )}
          </div>
        </div>
      )}
    </section>
  );
}

function LocalHealthView({ local }: { local: LocalHealth }) {
  const factors = [...local.factors].sort((a, b) => Math.abs(b.points) - Math.abs(a.points));
  return (
    <div className="health-local" data-testid="local-health">
      <h3 className="card-title">Health</h3>
      <div className={`health-score band-${local.band}`}>
        <span className="health-num" data-testid="local-health-score">
          {local.score}
        </span>
        <span className="muted">/ 100</span>
        <span className={`badge band-badge band-${local.band}`}>{BAND_TEXT[local.band] ?? label(local.band)}</span>
      </div>
      <div className="muted small health-how">Computed on this laptop from the stage, activity and close date — no AI.</div>
      {factors.length === 0 ? (
        <div className="empty-inline small">Nothing pulls this score up or down.</div>
      ) : (
        <ul className="factors">
          {factors.map((f) => (
            <li key={f.key} title={f.detail}>
              <span className={`factor-points ${f.points > 0 ? "pos" : f.points < 0 ? "neg" : ""}`}>{signed(f.points)}</span>
              <span className="factor-text">
                <span className="strong">{f.label}</span>
                <span className="muted small">{f.detail}</span>
              </span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function EvidenceChips({ ids, resolve, onEvidence }: { ids: string[]; resolve: (id: string) => EvidenceRef; onEvidence: (r: EvidenceRef) => void }) {
  if (ids.length === 0) return null;
  return (
    <span className="chips evidence">
      {ids.map((id) => {
        const r = resolve(id);
        return r.kind === "unknown" ? (
          <span key={id} className="chip" title={`Not on this deal's timeline (${id})`}>
            {r.text}
          </span>
        ) : (
          <button key={id} type="button" className="chip chip-btn" onClick={() => onEvidence(r)} title={r.kind === "call" ? "Open the call" : "Show it in the timeline"}>
            {r.kind === "call" ? "☏ " : "↳ "}
            {r.text}
          </button>
        );
      })}
    </span>
  );
}

function AnalysisView({
  a,
  resolve,
  onEvidence,
  cardFor,
}: {
  a: DealAnalysis;
  resolve: (id: string) => EvidenceRef;
  onEvidence: (r: EvidenceRef) => void;
  cardFor: (competitor: string) => BattleCardSummary | undefined;
}) {
  const band = bandOf(a.deal_health_score);
  const actions = [...a.next_actions].sort((x, y) => x.priority - y.priority);
  return (
    <div className="analysis" data-testid="deal-analysis">
      <div className="analysis-head">
        <span className={`health-score band-${band}`}>
          <span className="health-num">{a.deal_health_score}</span>
          <span className="muted">/ 100</span>
        </span>
        <span className="badge tone-violet">{label(a.confidence)} confidence</span>
        {a.stale && (
          <span className="badge tone-amber" data-testid="analysis-stale" title="Claude could not be reached: this is the last analysis it made">
            From cache (Claude unreachable)
          </span>
        )}
        <span className="muted small analysis-meta">
          {a.analyzed_at != null && <span title={dateTime(a.analyzed_at)}>Analyzed {relative(a.analyzed_at)}</span>}
          {a.model && <span className="mono">{a.model}</span>}
        </span>
      </div>
      {a.summary && <p className="analysis-summary">{a.summary}</p>}

      <div className="analysis-grid">
        <div className="analysis-block">
          <h4 className="sub-title">Risks</h4>
          {a.risks.length === 0 ? (
            <div className="empty-inline small">No risks seen.</div>
          ) : (
            <ul className="insight-list">
              {a.risks.map((r, i) => (
                <li key={i} className="insight">
                  <span className="insight-tag">
                    <span className={`badge tone-${LEVEL_TONE[r.severity] ?? "gray"}`}>{label(r.severity)}</span>
                  </span>
                  <div className="insight-body">
                    <span className="strong">{r.risk}</span>
                    {r.recommended_action && <span className="small">→ {r.recommended_action}</span>}
                    <EvidenceChips ids={r.evidence} resolve={resolve} onEvidence={onEvidence} />
                  </div>
                </li>
              ))}
            </ul>
          )}
        </div>
        <div className="analysis-block">
          <h4 className="sub-title">Buying signals</h4>
          {a.buying_signals.length === 0 ? (
            <div className="empty-inline small">No buying signals yet.</div>
          ) : (
            <ul className="insight-list">
              {a.buying_signals.map((s, i) => (
                <li key={i} className="insight">
                  <span className="insight-tag">
                    <span className={`badge tone-${STRENGTH_TONE[s.strength] ?? "gray"}`}>{label(s.strength)}</span>
                  </span>
                  <div className="insight-body">
                    <span>{s.signal}</span>
                    <span className="insight-line muted small">
                      {s.timestamp && <span>{s.timestamp}</span>}
                      {s.source && <EvidenceChips ids={[s.source]} resolve={resolve} onEvidence={onEvidence} />}
                    </span>
                  </div>
                </li>
              ))}
            </ul>
          )}
        </div>
        <div className="analysis-block">
          <h4 className="sub-title">Next actions</h4>
          {actions.length === 0 ? (
            <div className="empty-inline small">Nothing suggested.</div>
          ) : (
            <ol className="insight-list next-actions">
              {actions.map((n, i) => (
                <li key={i} className="insight insight-action">
                  <span className="insight-tag">
                    <span className="prio" title={`Priority ${n.priority} (1 first)`}>
                      {n.priority}
                    </span>
                  </span>
                  <div className="insight-body">
                    <span className="strong">{n.action}</span>
                    <span className="insight-line small">
                      {n.timing && <span className="timing">◷ {n.timing}</span>}
                      {n.rationale && <span className="muted">{n.rationale}</span>}
                    </span>
                  </div>
                </li>
              ))}
            </ol>
          )}
        </div>
        <div className="analysis-block">
          <h4 className="sub-title">Content to send</h4>
          {a.content_recommendations.length === 0 ? (
            <div className="empty-inline small">No content recommended.</div>
          ) : (
            <ul className="insight-list">
              {[...a.content_recommendations]
                .sort((x, y) => y.relevance_score - x.relevance_score)
                .map((c, i) => (
                  <li key={`${c.content_id}-${i}`}>
                    <div className="insight-line">
                      <ContentLink id={c.content_id} />
                      <span className="chip" title="Relevance">
                        {c.relevance_score}%
                      </span>
                    </div>
                    {c.reason && <div className="muted small">{c.reason}</div>}
                  </li>
                ))}
            </ul>
          )}
        </div>
      </div>

      {a.stakeholder_map.length > 0 && (
        <>
          <h4 className="sub-title">Stakeholder map</h4>
          <div className="scroll-x">
            <table className="table table-compact">
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Title</th>
                  <th>Role</th>
                  <th>Influence</th>
                  <th>Stance</th>
                </tr>
              </thead>
              <tbody>
                {a.stakeholder_map.map((s, i) => (
                  <tr key={i}>
                    <td className="strong">{s.name}</td>
                    <td>{s.title || <span className="muted">—</span>}</td>
                    <td>
                      <span className={`badge role-${s.role}`}>{label(s.role)}</span>
                    </td>
                    <td>
                      <span className={`badge tone-${s.influence === "high" ? "violet" : s.influence === "medium" ? "blue" : "gray"}`}>{label(s.influence)}</span>
                    </td>
                    <td>
                      <span className={`badge tone-${STANCE_TONE[s.stance] ?? "gray"}`}>{label(s.stance)}</span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}

      {a.competitive_threats.length > 0 && (
        <>
          <h4 className="sub-title">Competitive threats</h4>
          <ul className="insight-list">
            {a.competitive_threats.map((t, i) => {
              const card = cardFor(t.competitor);
              return (
                <li key={i}>
                  <div className="insight-line">
                    <Chip tone="accent" href={card ? href(`/battle-cards/${card.id}`) : undefined}>
                      {card ? "⚔ " : ""}
                      {t.competitor}
                    </Chip>
                    <span>{t.threat}</span>
                  </div>
                  {t.response && <div className="small">→ {t.response}</div>}
                </li>
              );
            })}
          </ul>
        </>
      )}
    </div>
  );
}

/** A content item recommended by id: its title, linked (the analysis names only the id). */
function ContentLink({ id }: { id: string }) {
  const load = useCallback(() => run(commands.getContent(id)), [id]);
  const item = useLoad(load, { ready: false });
  if (item.error) {
    return (
      <span className="muted" title={item.error.message}>
        {item.error.kind === "not_found" ? "An item no longer in the library" : "Content item"}
      </span>
    );
  }
  return <a href={href(`/content/${id}`)}>{item.data ? item.data.title : "Content item…"}</a>;
}
