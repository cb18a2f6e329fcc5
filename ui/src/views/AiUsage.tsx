import { useCallback, useMemo, useState } from "react";
import {
  commands,
  count,
  dateShort,
  dateTime,
  label,
  latency,
  pct,
  relative,
  run,
  timeOfDay,
  usd,
  type BudgetStatus,
  type CircuitState,
  type FeatureDayCost,
  type QueueItem,
  type UsageReport,
} from "../api";
import { href } from "../router";
import { BusyButton, Empty, ErrorBox, Meter, PageHeader, SkeletonBlock, useApp, useLoad } from "../ui";

const DAY_MS = 86_400_000;

/** Fixed colours for the gateway's features, so a feature keeps its colour between visits. */
const FEATURE_COLORS: Record<string, string> = {
  proposal: "#5b4cf5",
  proposal_polish: "#9e77ed",
  lead_score: "#0e9384",
  deal_analysis: "#f79009",
  call_analysis: "#2e90fa",
  battle_card_refresh: "#ee46bc",
  query_understanding: "#17b26a",
  search_rerank: "#667085",
  summary: "#f04438",
  content_audit: "#dd2590",
};
const SPARE_COLORS = ["#6172f3", "#875bf7", "#15b79e", "#fb6514", "#a15c07", "#4e5ba6"];

function colorOf(feature: string, index: number): string {
  return FEATURE_COLORS[feature] ?? SPARE_COLORS[index % SPARE_COLORS.length];
}

/** `YYYY-MM-DD` (UTC) of a timestamp: the report's days are UTC days. */
function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function dayLabel(day: string): string {
  return new Date(`${day}T00:00:00Z`).toLocaleDateString("en-US", { month: "short", day: "numeric", timeZone: "UTC" });
}

/** An axis amount with as few decimals as it needs (at least two): "$0.05", "$0.125", "$0". */
function axisUsd(v: number): string {
  if (v === 0) return "$0";
  let d = 2;
  while (d < 6 && Math.abs(Number(v.toFixed(d)) - v) > 1e-12) d++;
  return `$${v.toFixed(d)}`;
}

/** A round axis maximum at or above `v` (1, 2, 2.5, 5 × a power of ten). */
function niceCeil(v: number): number {
  if (v <= 0) return 0.01;
  const mag = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * mag >= v - 1e-12) return m * mag;
  return 10 * mag;
}

export function AiUsageView() {
  const load = useCallback(() => run(commands.aiUsage()), []);
  const usage = useLoad(load);
  const u = usage.data;

  return (
    <div className="page" data-testid="ai-usage">
      <PageHeader
        title="AI usage"
        sub={u ? `What Claude cost and did, last 30 days (since ${dateShort(u.since)})` : " "}
        actions={
          <button className="btn" onClick={usage.reload} disabled={usage.loading}>
            {usage.loading && u ? "Refreshing…" : "Refresh"}
          </button>
        }
      />
      <ErrorBox error={usage.error} onRetry={usage.reload} />
      {!u && usage.loading && <SkeletonBlock lines={10} />}
      {u && <Report u={u} reload={usage.reload} />}
    </div>
  );
}

function Report({ u, reload }: { u: UsageReport; reload: () => void }) {
  return (
    <>
      <div className="stat-cards usage-stats">
        <div className="stat-card">
          <div className="stat-label">Spend, 30 days</div>
          <div className="stat-value" data-testid="usage-total-cost">
            {usd(u.total.cost_usd)}
          </div>
          <div className="muted small">{count(u.total.requests)} requests</div>
        </div>
        <div className="stat-card">
          <div className="stat-label">Response cache hit rate</div>
          <div className="stat-value" data-testid="usage-response-cache">
            {pct(u.response_cache_hit_rate)}
          </div>
          <div className="muted small" title="Prompt-cache reads over all input tokens sent to Claude">
            Prompt cache hit rate {pct(u.prompt_cache_hit_rate)} of input tokens
          </div>
        </div>
        <div className="stat-card">
          <div className="stat-label">Claude latency</div>
          <div className="stat-value">
            {latency(u.latency_p50_ms)} <span className="stat-unit">p50</span>
          </div>
          <div className="muted small">p95 {latency(u.latency_p95_ms)} · answers from Claude itself</div>
        </div>
        <div className="stat-card">
          <div className="stat-label">Claude connection</div>
          <CircuitPill c={u.circuit} />
        </div>
      </div>

      <section className="card card-pad usage-section">
        <h3 className="card-title">Cost per feature per day</h3>
        <CostChart u={u} />
      </section>

      <div className="usage-two">
        <section className="card card-pad usage-section">
          <div className="section-head flush">
            <h3 className="card-title">Budgets this month</h3>
            <a className="small" href={href("/settings")}>
              Change in Settings →
            </a>
          </div>
          <Budgets budgets={u.budgets} />
        </section>
        <section className="card card-pad usage-section">
          <Queue queue={u.queue} reload={reload} />
        </section>
      </div>

      <section className="card table-card usage-section">
        <h3 className="card-title pad">Totals per feature</h3>
        {u.features.length === 0 ? (
          <div className="empty-inline pad">No AI requests in the last 30 days.</div>
        ) : (
          <table className="table">
            <thead>
              <tr>
                <th>Feature</th>
                <th className="num">Requests</th>
                <th className="num">Cache hits</th>
                <th className="num">Input tokens</th>
                <th className="num">Output tokens</th>
                <th className="num" title="Tokens written to the prompt cache">
                  Cache write
                </th>
                <th className="num" title="Tokens read from the prompt cache">
                  Cache read
                </th>
                <th className="num">Cost</th>
              </tr>
            </thead>
            <tbody>
              {u.features.map((f, i) => (
                <tr key={f.feature}>
                  <td className="strong">
                    <span className="swatch" style={{ background: colorOf(f.feature, i) }} aria-hidden />
                    {label(f.feature)}
                  </td>
                  <td className="num">{count(f.requests)}</td>
                  <td className="num">{count(f.cache_hits)}</td>
                  <td className="num">{count(f.input_tokens)}</td>
                  <td className="num">{count(f.output_tokens)}</td>
                  <td className="num">{count(f.cache_creation_tokens)}</td>
                  <td className="num">{count(f.cache_read_tokens)}</td>
                  <td className="num strong">{usd(f.cost_usd)}</td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr className="total-row">
                <td>All features</td>
                <td className="num">{count(u.total.requests)}</td>
                <td className="num">{count(u.total.cache_hits)}</td>
                <td className="num">{count(u.total.input_tokens)}</td>
                <td className="num">{count(u.total.output_tokens)}</td>
                <td className="num">{count(u.total.cache_creation_tokens)}</td>
                <td className="num">{count(u.total.cache_read_tokens)}</td>
                <td className="num">{usd(u.total.cost_usd)}</td>
              </tr>
            </tfoot>
          </table>
        )}
      </section>

      <section className="card table-card usage-section">
        <h3 className="card-title pad">Recent requests</h3>
        <Recent u={u} />
      </section>
    </>
  );
}

// ---- chart ------------------------------------------------------------------------------

const W = 960;
const H = 240;
const M = { top: 10, right: 8, bottom: 24, left: 56 };

function CostChart({ u }: { u: UsageReport }) {
  const { days, features, byDay, max } = useMemo(() => {
    const first = utcDay(u.since);
    const today = utcDay(Date.now());
    const days: string[] = [];
    for (let t = Date.parse(`${first}T00:00:00Z`); utcDay(t) <= today; t += DAY_MS) days.push(utcDay(t));
    for (const r of u.cost_by_feature_day) if (!days.includes(r.day)) days.push(r.day);
    days.sort();
    // Legend order: the report's (by cost, highest first), then anything only in the days.
    const features = u.features.map((f) => f.feature);
    for (const r of u.cost_by_feature_day) if (!features.includes(r.feature)) features.push(r.feature);
    const byDay = new Map<string, FeatureDayCost[]>();
    for (const r of u.cost_by_feature_day) {
      if (r.cost_usd <= 0) continue;
      const xs = byDay.get(r.day) ?? [];
      xs.push(r);
      byDay.set(r.day, xs);
    }
    for (const xs of byDay.values()) xs.sort((a, b) => features.indexOf(a.feature) - features.indexOf(b.feature));
    let max = 0;
    for (const xs of byDay.values()) max = Math.max(max, xs.reduce((s, r) => s + r.cost_usd, 0));
    return { days, features, byDay, max: niceCeil(max) };
  }, [u]);

  if (byDay.size === 0) {
    return <Empty icon="✦" title="No AI spend in the last 30 days">Costs appear here per feature and day once Claude is used.</Empty>;
  }

  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const slot = plotW / days.length;
  const barW = Math.max(2, slot * 0.72);
  const y = (v: number) => M.top + plotH - (v / max) * plotH;
  const ticks = [0, max / 4, max / 2, (3 * max) / 4, max];
  const totalOf = (day: string) => (byDay.get(day) ?? []).reduce((s, r) => s + r.cost_usd, 0);
  const dayTitle = (day: string, mark?: string) => {
    const xs = byDay.get(day) ?? [];
    const lines = xs.map((r) => `${r.feature === mark ? "▸ " : "   "}${label(r.feature)}: ${usd(r.cost_usd)}`);
    return [`${dayLabel(day)}: ${usd(totalOf(day))}`, ...lines].join("\n");
  };

  return (
    <div className="chart" data-testid="usage-chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label="Cost per feature per day, last 30 days" className="chart-svg">
        {ticks.map((t, i) => (
          <g key={i}>
            <line x1={M.left} x2={W - M.right} y1={y(t)} y2={y(t)} className={i === 0 ? "chart-axis" : "chart-grid"} />
            <text x={M.left - 6} y={y(t) + 3.5} textAnchor="end" className="chart-label">
              {axisUsd(t)}
            </text>
          </g>
        ))}
        {days.map((day, i) => {
          const x = M.left + i * slot + (slot - barW) / 2;
          let acc = 0;
          const showLabel = i % 5 === 0 || i === days.length - 1;
          return (
            <g key={day}>
              <rect x={M.left + i * slot} y={M.top} width={slot} height={plotH} className="chart-hover">
                <title>{dayTitle(day)}</title>
              </rect>
              {(byDay.get(day) ?? []).map((r) => {
                const y0 = y(acc);
                acc += r.cost_usd;
                const y1 = y(acc);
                return (
                  <rect
                    key={r.feature}
                    x={x}
                    y={y1}
                    width={barW}
                    height={Math.max(0.5, y0 - y1)}
                    fill={colorOf(r.feature, features.indexOf(r.feature))}
                    className="chart-bar"
                  >
                    <title>{dayTitle(day, r.feature)}</title>
                  </rect>
                );
              })}
              {showLabel && (
                <text x={M.left + i * slot + slot / 2} y={H - 6} textAnchor="middle" className="chart-label">
                  {dayLabel(day)}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <ul className="legend">
        {features.map((f, i) => {
          const total = u.features.find((x) => x.feature === f)?.cost_usd;
          return (
            <li key={f}>
              <span className="swatch" style={{ background: colorOf(f, i) }} aria-hidden />
              {label(f)}
              {total != null && <span className="muted"> {usd(total)}</span>}
            </li>
          );
        })}
      </ul>
    </div>
  );
}

// ---- budgets, circuit, queue -------------------------------------------------------------

function CircuitPill({ c }: { c: CircuitState }) {
  const since = c.opened_at != null ? ` since ${relative(c.opened_at)}` : "";
  const text =
    c.status === "closed" ? "Closed: requests go to Claude" : c.status === "open" ? `Open${since}` : `Half-open${since}: probing Claude`;
  const title =
    c.status === "closed"
      ? "Claude answers normally."
      : c.status === "open"
        ? `Claude failed ${c.consecutive_failures} time(s) in a row: answers come from the cache, the secondary endpoint or the offline queue until it is tried again.`
        : "The wait is over: the next request tries Claude again.";
  return (
    <div className="circuit">
      <span className={`pill circuit-${c.status}`} data-testid="circuit-state" title={title}>
        <span className="pill-dot" />
        {text}
      </span>
      {c.status !== "closed" && (
        <div className="muted small">
          {c.consecutive_failures} failure{c.consecutive_failures === 1 ? "" : "s"} in a row
          {c.opened_at != null && <> · opened {dateTime(c.opened_at)}</>}
        </div>
      )}
    </div>
  );
}

function Budgets({ budgets }: { budgets: BudgetStatus[] }) {
  if (budgets.length === 0) {
    return (
      <div className="empty-inline">
        No limits set: Claude may spend without a cap. <a href={href("/settings")}>Set a monthly or per-feature budget</a>.
      </div>
    );
  }
  const sorted = [...budgets].sort((a, b) => (a.scope === "monthly" ? -1 : b.scope === "monthly" ? 1 : b.percent - a.percent));
  return (
    <ul className="budgets">
      {sorted.map((b) => (
        <li key={b.scope} className={`budget budget-${b.state}`} data-testid="budget">
          <div className="budget-head">
            <span className="strong">{b.scope === "monthly" ? "All features (monthly)" : label(b.scope)}</span>
            <span className="budget-nums">
              {usd(b.spent_usd)} of {usd(b.limit_usd)} · {Math.round(b.percent)} %
            </span>
          </div>
          <Meter percent={b.percent} tone={b.state} label={`${label(b.scope)} budget used`} />
          {b.state === "warning" && <div className="budget-note">80 % or more of this budget is spent.</div>}
          {b.state === "exceeded" && <div className="budget-note">Budget reached: these requests are refused until the month ends.</div>}
        </li>
      ))}
    </ul>
  );
}

const QUEUE_TONE: Record<string, string> = { pending: "blue", running: "violet", done: "green", failed: "red" };

function Queue({ queue, reload }: { queue: QueueItem[]; reload: () => void }) {
  const { toast, toastError } = useApp();
  const [running, setRunning] = useState(false);
  const waiting = queue.filter((q) => q.status === "pending" || q.status === "running").length;
  const runNow = async () => {
    setRunning(true);
    try {
      const done = await run(commands.runAiQueue());
      // Finished work is announced by the app's notification; say when nothing could run.
      if (done.completed + done.failed === 0) {
        toast(waiting > 0 ? "Nothing could run yet: Claude is still unreachable. The queue runs by itself when it is back." : "The queue is empty.", "info");
      }
      reload();
    } catch (e) {
      toastError(e);
    } finally {
      setRunning(false);
    }
  };
  return (
    <>
      <div className="section-head flush">
        <h3 className="card-title">Offline queue{waiting > 0 ? ` · ${waiting} waiting` : ""}</h3>
        <BusyButton className="btn btn-sm" busy={running} busyText="Running…" onClick={() => void runNow()} testid="run-ai-queue" disabled={queue.length === 0}>
          Run queue now
        </BusyButton>
      </div>
      {queue.length === 0 ? (
        <div className="empty-inline">Nothing waiting. Work Claude cannot do while you are offline (scores, polish, call analysis) queues here and runs when it is back.</div>
      ) : (
        <div className="scroll-x">
          <table className="table table-compact">
            <thead>
              <tr>
                <th>Kind</th>
                <th>Status</th>
                <th>Created</th>
                <th className="num">Attempts</th>
                <th>Last error</th>
              </tr>
            </thead>
            <tbody>
              {queue.map((q) => (
                <tr key={q.id} data-testid="queue-row">
                  <td>
                    {label(q.kind)}
                    <div className="muted small">{label(q.feature)}</div>
                  </td>
                  <td>
                    <span className={`badge tone-${QUEUE_TONE[q.status] ?? "gray"}`}>{label(q.status)}</span>
                  </td>
                  <td className="muted" title={dateTime(q.created_at)}>
                    {relative(q.created_at)}
                  </td>
                  <td className="num">{q.attempts}</td>
                  <td className="excerpt" title={q.last_error ?? ""}>
                    {q.last_error ?? <span className="muted">—</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

// ---- recent requests -------------------------------------------------------------------

const OUTCOME_TONE: Record<string, string> = {
  ok: "green",
  stale: "amber",
  fallback: "amber",
  queued: "blue",
  error: "red",
  cancelled: "gray",
  budget: "red",
  rate_limited: "amber",
};

function Recent({ u }: { u: UsageReport }) {
  if (u.recent.length === 0) return <div className="empty-inline pad">No requests yet.</div>;
  const today = utcDay(Date.now());
  return (
    <div className="scroll-x">
      <table className="table table-compact recent-table">
        <thead>
          <tr>
            <th>Time</th>
            <th>Feature</th>
            <th>Model</th>
            <th className="num" title="Input → output tokens">
              Tokens
            </th>
            <th className="num">Cost</th>
            <th className="num">Latency</th>
            <th>Cache</th>
            <th>Outcome</th>
            <th className="num">Retries</th>
            <th>Prompt</th>
          </tr>
        </thead>
        <tbody>
          {u.recent.map((r) => (
            <tr key={r.id} data-testid="recent-request">
              <td className="muted" title={dateTime(r.ts)}>
                {utcDay(r.ts) === today ? timeOfDay(r.ts) : dateTime(r.ts)}
              </td>
              <td>{label(r.feature)}</td>
              <td className="mono small" title={r.routing_reason ? `Routing: ${r.routing_reason}` : undefined}>
                {r.model || "—"}
              </td>
              <td
                className="num"
                title={`Estimated input ${count(r.est_input_tokens)} · cache write ${count(r.cache_creation_tokens)} · cache read ${count(r.cache_read_tokens)}`}
              >
                {count(r.input_tokens)} → {count(r.output_tokens)}
              </td>
              <td className="num">{usd(r.cost_usd)}</td>
              <td className="num">{latency(r.latency_ms)}</td>
              <td title={r.served_from ? `Served from: ${label(r.served_from)}` : "Nothing answered"}>
                {r.cache_layer && r.cache_layer !== "none" ? <span className="badge tone-teal">{label(r.cache_layer)}</span> : <span className="muted">—</span>}
              </td>
              <td>
                <span className={`badge tone-${OUTCOME_TONE[r.outcome] ?? "gray"}`} title={r.error ?? (r.request_id ? `Request ${r.request_id}` : undefined)}>
                  {label(r.outcome)}
                </span>
              </td>
              <td className="num" title={`${r.attempts} attempt${r.attempts === 1 ? "" : "s"}`}>
                {r.retries}
              </td>
              <td className="excerpt mono small" title={r.prompt_excerpt}>
                {r.prompt_excerpt || <span className="muted">—</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
