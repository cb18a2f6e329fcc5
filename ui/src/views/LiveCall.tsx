// The live call window (a second, always-on-top window, hidden from screen sharing where
// the OS allows): consent step, rolling transcript, the current card, talk ratio, timer.
import { useCallback, useEffect, useRef, useState } from "react";
import { commands, errorOf, events, mmss, run, type CoachCard, type CommandError, type DncCheck, type LiveCallEvent, type LiveCallStarted, type MomentAction, type Speaker, type TalkMetrics } from "../api";
import type { Route } from "../router";

type Line = { key: string; speaker: Speaker; start_ms: number; text: string; partial: boolean };
type Card = { momentId: number; card: CoachCard; pinned: boolean };

const WHO: Record<Speaker, string> = { rep: "You", prospect: "Prospect", unknown: "Speaker" };

export function LiveCallView({ route }: { route: Route }) {
  const dealId = route.query.get("deal") || null;
  const leadId = route.query.get("lead") || null;
  const target = { deal_id: dealId, lead_id: leadId };
  const [check, setCheck] = useState<DncCheck | null>(null);
  const [confirmed, setConfirmed] = useState(false);
  const [started, setStarted] = useState<LiveCallStarted | null>(null);
  const [error, setError] = useState<CommandError | null>(null);
  const [busy, setBusy] = useState(false);
  const [lines, setLines] = useState<Line[]>([]);
  const [card, setCard] = useState<Card | null>(null);
  const [metrics, setMetrics] = useState<TalkMetrics | null>(null);
  const [notices, setNotices] = useState<string[]>([]);
  const [droppedMs, setDroppedMs] = useState(0);
  const [startedAt, setStartedAt] = useState<number | null>(null);
  const [now, setNow] = useState(Date.now());
  const [ended, setEnded] = useState<string | null>(null);
  const bottom = useRef<HTMLDivElement>(null);

  useEffect(() => {
    run(commands.callPrecheck(target)).then(setCheck, (e) => setError(errorOf(e)));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [dealId, leadId]);

  useEffect(() => {
    const un = events.liveCallChanged.listen((e) => onEvent(e.payload));
    return () => {
      void un.then((f) => f());
    };
  }, []);

  useEffect(() => {
    if (!startedAt) return;
    const t = window.setInterval(() => setNow(Date.now()), 500);
    return () => window.clearInterval(t);
  }, [startedAt]);

  useEffect(() => bottom.current?.scrollIntoView({ block: "end" }), [lines]);

  const onEvent = (e: LiveCallEvent) => {
    switch (e.type) {
      case "partial":
        setLines((ls) => [...ls.filter((l) => !(l.partial && l.speaker === e.speaker)), { key: `p-${e.speaker}`, speaker: e.speaker, start_ms: e.start_ms, text: e.text, partial: true }]);
        break;
      case "final":
        setLines((ls) =>
          [...ls.filter((l) => !(l.partial && l.speaker === e.segment.speaker)), { key: `f-${e.seq}`, speaker: e.segment.speaker, start_ms: e.segment.start_ms, text: e.segment.text, partial: false }].sort(
            (a, b) => a.start_ms - b.start_ms,
          ),
        );
        break;
      case "suggestion":
        setCard((c) => (c?.pinned ? c : { momentId: e.moment_id, card: e.card, pinned: false }));
        break;
      case "metrics":
        setMetrics(e.metrics);
        break;
      case "alert":
        setNotices((n) => [...n.slice(-2), e.message]);
        break;
      case "dropped":
        setDroppedMs(e.total_ms);
        break;
      case "device_lost":
        setNotices((n) => [...n.slice(-2), e.message]);
        break;
      case "device_resumed":
        setNotices((n) => [...n.slice(-2), `Listening on “${e.device}” now.`]);
        break;
      case "problem":
        setNotices((n) => [...n.slice(-2), e.message]);
        break;
      case "speech_model":
        if (e.message) setNotices((n) => [...n.slice(-2), e.message ?? ""]);
        break;
      case "ended":
        setEnded(e.analysis_queued ? "Call saved. The analysis will appear on the call and the deal." : "Call saved.");
        break;
    }
  };

  const start = useCallback(async () => {
    setBusy(true);
    setError(null);
    try {
      const s = await run(commands.startCall(target, confirmed));
      setStarted(s);
      setStartedAt(Date.now());
      setLines([]);
      setEnded(null);
    } catch (e) {
      setError(errorOf(e));
    } finally {
      setBusy(false);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [confirmed, dealId, leadId]);

  const stop = useCallback(async () => {
    setBusy(true);
    try {
      await run(commands.stopCall());
      setStarted(null);
      setStartedAt(null);
    } catch (e) {
      setError(errorOf(e));
    } finally {
      setBusy(false);
    }
  }, []);

  const act = async (action: MomentAction) => {
    if (!card) return;
    try {
      await run(commands.setCallMomentAction(card.momentId, action));
    } catch (e) {
      setError(errorOf(e));
    }
    if (action === "pinned") setCard({ ...card, pinned: !card.pinned });
    else setCard(null);
  };

  const mark = useCallback(async () => {
    try {
      await run(commands.markCallMoment(null));
      setNotices((n) => [...n.slice(-2), "Moment marked."]);
    } catch (e) {
      setError(errorOf(e));
    }
  }, []);

  // Ctrl+Shift+L starts or stops the call, Ctrl+Shift+M marks a moment (in this window).
  useEffect(() => {
    const on = (e: KeyboardEvent) => {
      if (!e.ctrlKey || !e.shiftKey) return;
      const k = e.key.toLowerCase();
      if (k === "l") {
        e.preventDefault();
        if (started) void stop();
        else if (confirmed && !check?.listed) void start();
      } else if (k === "m" && started) {
        e.preventDefault();
        void mark();
      }
    };
    window.addEventListener("keydown", on);
    return () => window.removeEventListener("keydown", on);
  }, [started, confirmed, check, start, stop, mark]);

  const ratio = metrics ? Math.round(metrics.rep_talk_ratio * 100) : null;
  const elapsed = startedAt ? now - startedAt : 0;

  if (!started) {
    return (
      <div className="live" data-testid="live-call">
        <h2 className="live-title">Before you record</h2>
        {error && (
          <div className="error-box" role="alert">
            {error.message}
          </div>
        )}
        {ended && <div className="notice-box">{ended}</div>}
        <section className="live-step">
          <h3>Do-not-call check</h3>
          {!check ? (
            <p className="muted">Checking…</p>
          ) : check.listed ? (
            <p className="tone-red" data-testid="dnc-listed">
              {check.listed.phone} is on the do-not-call list{check.listed.reason ? `: ${check.listed.reason}` : ""}. Do not call.
            </p>
          ) : (
            <p data-testid="dnc-clear">{check.checked.length ? `${check.checked.join(", ")}: not on the list.` : "No phone number on the lead to check."}</p>
          )}
        </section>
        <section className="live-step">
          <h3>Consent</h3>
          <label className="check">
            <input type="checkbox" checked={confirmed} onChange={(e) => setConfirmed(e.target.checked)} data-testid="consent" />
            <span>I read the consent announcement: “This call is recorded and transcribed to help me follow up.”</span>
          </label>
        </section>
        <button className="btn btn-primary live-go" disabled={busy || !confirmed || !check || !!check.listed} onClick={() => void start()} data-testid="start-call">
          ● Start recording <kbd>Ctrl+Shift+L</kbd>
        </button>
      </div>
    );
  }

  return (
    <div className="live" data-testid="live-call">
      <header className="live-head">
        <span className="live-dot" aria-hidden />
        <strong>{mmss(elapsed)}</strong>
        <span className="muted small live-dev" title={started.call_audio ?? undefined}>
          {started.microphone}
        </span>
        <button className="btn btn-small" onClick={() => void mark()} title="Mark this moment (Ctrl+Shift+M)">
          ⚑
        </button>
        <button className="btn btn-small btn-danger" disabled={busy} onClick={() => void stop()} data-testid="stop-call" title="End the call (Ctrl+Shift+L)">
          ■ End
        </button>
      </header>
      {!started.coaching && <div className="notice-box small">{started.coaching_off_reason}</div>}
      {droppedMs > 0 && <div className="notice-box small">Transcription fell behind: {(droppedMs / 1000).toFixed(1)} s of audio skipped.</div>}
      {notices.map((n, i) => (
        <div key={i} className="notice-box small">
          {n}
        </div>
      ))}
      <div className="live-ratio" title="Your share of the talking">
        <span className="small muted">You {ratio ?? "—"}%</span>
        <div className="live-bar">
          <span style={{ width: `${ratio ?? 0}%` }} className={ratio != null && ratio > 65 ? "over" : ""} />
        </div>
        <span className="small muted">Prospect {ratio == null ? "—" : 100 - ratio}%</span>
      </div>
      {card && (
        <section className={`live-card ${card.pinned ? "pinned" : ""}`} data-testid="coach-card">
          <h3 data-testid="coach-card-title">{card.card.title}</h3>
          {card.card.evidence.length > 0 && <p className="small muted">“{card.card.evidence.join(" … ")}”</p>}
          <p>{card.card.response}</p>
          <div className="live-card-actions">
            <button className="btn btn-small" onClick={() => void act("dismissed")}>
              Dismiss
            </button>
            <button className="btn btn-small" onClick={() => void act("pinned")}>
              {card.pinned ? "Unpin" : "Pin"}
            </button>
            <button className="btn btn-small btn-primary" onClick={() => void act("used")}>
              Used it
            </button>
          </div>
        </section>
      )}
      <ol className="live-transcript">
        {lines.map((l) => (
          <li key={l.key} className={`seg seg-${l.speaker} ${l.partial ? "partial" : ""}`} data-testid={l.partial ? "transcript-partial" : "transcript-line"} data-speaker={l.speaker}>
            <span className="seg-speaker">{WHO[l.speaker]}</span> {l.text}
          </li>
        ))}
        <div ref={bottom} />
      </ol>
    </div>
  );
}
