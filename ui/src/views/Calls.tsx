import { useCallback, useState } from "react";
import { commands, count, dateTime, duration, errorOf, mmss, run, type CallAnalysis, type CallConsent, type CallMoment, type CommandError, type TranscriptSegment } from "../api";
import { href, navigate } from "../router";
import { BusyButton, Chip, Empty, ErrorBox, PageHeader, SkeletonBlock, SkeletonRows, useApp, useLoad } from "../ui";

function sentimentLabel(s: number | null | undefined): { text: string; tone: string } {
  if (s == null) return { text: "—", tone: "gray" };
  if (s >= 0.35) return { text: "Positive", tone: "green" };
  if (s <= -0.2) return { text: "Negative", tone: "red" };
  return { text: "Neutral", tone: "amber" };
}

export function CallsList() {
  const load = useCallback(() => run(commands.listCalls()), []);
  const list = useLoad(load);
  const items = [...(list.data ?? [])].sort((a, b) => b.started_at - a.started_at);
  return (
    <div className="page">
      <PageHeader title="Calls" sub={list.data ? `${count(list.data.length)} recorded calls` : " "} />
      <ErrorBox error={list.error} onRetry={list.reload} />
      {!list.data && list.loading ? (
        <SkeletonRows cols={5} />
      ) : list.data && items.length === 0 ? (
        <Empty icon="☏" title="No calls yet">
          Recorded calls appear here with their transcript and analysis.
        </Empty>
      ) : list.data ? (
        <div className="card table-card">
          <table className="table">
            <thead>
              <tr>
                <th>Call</th>
                <th>Deal</th>
                <th>When</th>
                <th className="num">Length</th>
                <th>Sentiment</th>
              </tr>
            </thead>
            <tbody>
              {items.map((c) => {
                const s = sentimentLabel(c.sentiment);
                return (
                  <tr key={c.id} className="clickable" data-testid="call-row" onClick={() => navigate(`/calls/${c.id}`)}>
                    <td className="strong">
                      <a href={href(`/calls/${c.id}`)} onClick={(e) => e.stopPropagation()}>
                        {c.title}
                      </a>
                    </td>
                    <td className="muted">{c.deal_name ?? "—"}</td>
                    <td className="muted">{dateTime(c.started_at)}</td>
                    <td className="num">{duration(c.duration_ms)}</td>
                    <td>
                      <span className={`badge tone-${s.tone}`}>{s.text}</span>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
    </div>
  );
}

const SPEAKER: Record<TranscriptSegment["speaker"], string> = { rep: "Rep", prospect: "Prospect", unknown: "Speaker" };

export function CallDetail({ id }: { id: string }) {
  const { toast } = useApp();
  const load = useCallback(() => run(commands.getCall(id)), [id]);
  const call = useLoad(load);
  const c = call.data;
  const loadReview = useCallback(() => run(commands.callReview(id)), [id]);
  const review = useLoad(loadReview);
  const [find, setFind] = useState("");
  const needle = find.trim().toLowerCase();
  const [analyzing, setAnalyzing] = useState(false);
  const [aiError, setAiError] = useState<CommandError | null>(null);
  // The queued notice stays until the analysis it waits for shows up.
  const [queued, setQueued] = useState<{ notice: string; before: string } | null>(null);
  const analysisKey = JSON.stringify(c?.analysis ?? null);

  const analyze = async () => {
    setAnalyzing(true);
    setAiError(null);
    setQueued(null);
    try {
      const r = await run(commands.analyzeCall(id));
      if (r.analysis && c) {
        call.setData({ ...c, analysis: r.analysis });
        toast("Call analyzed", "success");
      } else if (r.analysis) {
        call.reload();
      }
      if (r.queued) setQueued({ notice: r.notice ?? "Claude cannot be reached right now: the analysis will run when it can, and appear here.", before: analysisKey });
      else if (r.notice) toast(r.notice, "info");
    } catch (e) {
      setAiError(errorOf(e));
    } finally {
      setAnalyzing(false);
    }
  };
  const length = c && c.ended_at ? c.ended_at - c.started_at : c?.segments.length ? c.segments[c.segments.length - 1].end_ms : null;
  return (
    <div className="page page-wide">
      <PageHeader
        back={{ href: href("/calls"), label: "Calls" }}
        title={c ? c.title : call.error ? "Call" : <span className="skeleton skeleton-h1" />}
        sub={
          c && (
            <span className="meta-row">
              <span>{dateTime(c.started_at)}</span>
              <span>{duration(length)}</span>
              {c.deal_id && <a href={href(`/deals/${c.deal_id}`)}>Open deal →</a>}
              {!c.deal_id && c.lead_id && <a href={href(`/leads/${c.lead_id}`)}>Open lead →</a>}
            </span>
          )
        }
        actions={
          c && (
            <BusyButton
              className={c.analysis ? "btn btn-ai" : "btn btn-primary"}
              busy={analyzing}
              busyText="Analyzing…"
              onClick={() => void analyze()}
              disabled={c.segments.length === 0}
              testid="analyze-call"
              title={c.segments.length === 0 ? "There is no transcript to analyze" : "Claude reads the transcript: summary, sentiment, objections, next actions, follow-up email"}
            >
              ✦ {c.analysis ? "Analyze again" : "Analyze call"}
            </BusyButton>
          )
        }
      />
      <ErrorBox error={call.error} onRetry={call.reload} />
      {!c && call.loading && <SkeletonBlock lines={12} />}
      {c && (
        <div className="call-grid">
          <section className="card transcript">
            <h3 className="card-title pad">Transcript</h3>
            {c.segments.length > 0 && (
              <div className="pad">
                <input
                  className="input review-search"
                  type="search"
                  placeholder="Search the transcript"
                  aria-label="Search the transcript"
                  data-testid="transcript-search"
                  value={find}
                  onChange={(e) => setFind(e.target.value)}
                />
                {needle && <span className="muted small">{c.segments.filter((s) => s.text.toLowerCase().includes(needle)).length} matching segments</span>}
              </div>
            )}
            {c.segments.length === 0 ? (
              <div className="empty-inline pad">No transcript for this call.</div>
            ) : (
              <ol className="segments">
                {c.segments
                  .filter((s) => !needle || s.text.toLowerCase().includes(needle))
                  .map((s, i) => (
                    <li key={i} className={`seg seg-${s.speaker}`}>
                      <span className="seg-time">{mmss(s.start_ms)}</span>
                      <span className="seg-speaker">{SPEAKER[s.speaker] ?? s.speaker}</span>
                      <p className="seg-text">{highlight(s.text, needle)}</p>
                    </li>
                  ))}
              </ol>
            )}
          </section>
          <aside className="side-col">
            {review.data && <Moments moments={review.data.moments} consent={review.data.consent} />}
            {aiError && (
              <div className="error-box" role="alert">
                <div>
                  <strong>{aiError.kind === "ai" ? "Claude could not analyze this call" : "Something went wrong"}</strong>
                  <div>{aiError.message}</div>
                </div>
              </div>
            )}
            {queued && queued.before === analysisKey && (
              <div className="notice-box" role="status" data-testid="analysis-queued">
                <strong>Analysis queued</strong>
                <div>{queued.notice}</div>
              </div>
            )}
            {c.analysis ? (
              <Analysis a={c.analysis} />
            ) : (
              <div className="card card-pad empty-inline">This call has not been analyzed yet. Press “Analyze call” for a summary, the sentiment, objections, next actions and a follow-up email.</div>
            )}
          </aside>
        </div>
      )}
    </div>
  );
}

function highlight(text: string, needle: string) {
  if (!needle) return text;
  const i = text.toLowerCase().indexOf(needle);
  if (i < 0) return text;
  return (
    <>
      {text.slice(0, i)}
      <mark>{text.slice(i, i + needle.length)}</mark>
      {text.slice(i + needle.length)}
    </>
  );
}

const ACTION: Record<CallMoment["action"], string> = { shown: "shown", dismissed: "dismissed", pinned: "pinned", used: "used it", marked: "marked" };

function Moments({ moments, consent }: { moments: CallMoment[]; consent: CallConsent }) {
  return (
    <div className="card card-pad" data-testid="call-moments">
      <h3 className="card-title">Coaching moments</h3>
      <p className="muted small">
        Consent: {consent.state.replace("_", " ")}
        {consent.dnc ? (consent.dnc.listed ? " · on the do-not-call list" : " · do-not-call check passed") : ""}
      </p>
      {moments.length === 0 ? (
        <p className="muted small">No card was shown on this call.</p>
      ) : (
        <ol className="segments">
          {moments.map((m) => (
            <li key={m.id} className="seg">
              <span className="seg-time">{mmss(m.at_ms)}</span>
              <span className="seg-speaker">{m.kind.replace("objection:", "").replace("alert:", "alert: ")}</span>
              <p className="seg-text">
                {m.text} <span className="muted small">({ACTION[m.action]})</span>
              </p>
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}

function Analysis({ a }: { a: CallAnalysis }) {
  const { toast, toastError } = useApp();
  const [copied, setCopied] = useState(false);
  const s = sentimentLabel(a.sentiment);
  const pos = Math.round(((Math.max(-1, Math.min(1, a.sentiment)) + 1) / 2) * 100);
  const copy = async () => {
    if (!a.follow_up_email) return;
    try {
      await navigator.clipboard.writeText(a.follow_up_email);
      setCopied(true);
      toast("Follow-up email copied", "success");
    } catch (e) {
      toastError(e);
    }
  };
  return (
    <>
      <div className="card card-pad">
        <h3 className="card-title">Summary</h3>
        <p className="analysis-summary">{a.summary || <span className="muted">—</span>}</p>
        <div className="sentiment">
          <div className="sentiment-head">
            <span className="muted small">Sentiment</span>
            <span className={`badge tone-${s.tone}`}>
              {s.text} ({a.sentiment.toFixed(2)})
            </span>
          </div>
          <div
            className="sentiment-track"
            role="meter"
            aria-label="Sentiment from −1 (hostile) to 1 (enthusiastic)"
            aria-valuemin={-1}
            aria-valuemax={1}
            aria-valuenow={a.sentiment}
            title={`${a.sentiment.toFixed(2)} on a scale from −1 (hostile) to 1 (enthusiastic)`}
          >
            <span className="sentiment-marker" style={{ left: `${pos}%` }} />
          </div>
          <div className="sentiment-scale muted small" aria-hidden>
            <span>−1 hostile</span>
            <span>neutral</span>
            <span>enthusiastic +1</span>
          </div>
        </div>
        {a.topics.length > 0 && (
          <div className="chips topics">
            {a.topics.map((t) => (
              <Chip key={t}>{t}</Chip>
            ))}
          </div>
        )}
      </div>
      <div className="card card-pad">
        <h3 className="card-title">Objections</h3>
        {a.objections.length === 0 ? (
          <div className="empty-inline">None raised.</div>
        ) : (
          <ul className="objections-met">
            {a.objections.map((o, i) => (
              <li key={i} className={o.handled ? "handled" : "unhandled"}>
                <span className="om-mark" aria-label={o.handled ? "Handled" : "Not handled"}>
                  {o.handled ? "✓" : "✗"}
                </span>
                <div>
                  <div className="strong">{o.objection}</div>
                  {o.note && <div className="muted small">{o.note}</div>}
                </div>
              </li>
            ))}
          </ul>
        )}
      </div>
      <div className="card card-pad">
        <h3 className="card-title">Next actions</h3>
        {a.next_actions.length === 0 ? (
          <div className="empty-inline">None.</div>
        ) : (
          <ul className="checklist">
            {a.next_actions.map((n, i) => (
              <li key={i}>{n}</li>
            ))}
          </ul>
        )}
      </div>
      {a.follow_up_email && (
        <div className="card card-pad">
          <div className="section-head flush">
            <h3 className="card-title">Follow-up email</h3>
            <button className="btn btn-sm" onClick={copy}>
              {copied ? "Copied ✓" : "Copy"}
            </button>
          </div>
          <pre className="email">{a.follow_up_email}</pre>
        </div>
      )}
    </>
  );
}
