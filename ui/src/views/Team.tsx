// Team sync as the rep sees it: the status pill in the top bar, Settings → Team sync,
// and the conflicts view. Sync itself runs in Rust; this only shows and asks.
import { useCallback, useEffect, useState } from "react";
import { commands, errorOf, events, label, relative, run, dateTime, type CommandError, type ConflictChoice, type SyncConflict, type SyncStatus } from "../api";
import { href } from "../router";
import { Empty, ErrorBox, Field, PageHeader, SkeletonBlock, useApp, useLoad } from "../ui";

/** The live sync status: loaded once, then kept current by the `syncStatusChanged` event
 *  (and a slow poll, so "2 min ago" and the pending count stay true between rounds). */
export function useSyncStatus(): [SyncStatus | null, (s: SyncStatus) => void] {
  const [status, setStatus] = useState<SyncStatus | null>(null);
  useEffect(() => {
    let alive = true;
    const load = () =>
      run(commands.syncStatus()).then(
        (s) => alive && setStatus(s),
        () => undefined,
      );
    void load();
    const timer = window.setInterval(load, 15_000);
    const unlisten = events.syncStatusChanged.listen((e) => alive && setStatus(e.payload));
    return () => {
      alive = false;
      window.clearInterval(timer);
      unlisten.then((f) => f(), () => undefined);
    };
  }, []);
  return [status, setStatus];
}

function waiting(n: number): string {
  return `${n} change${n === 1 ? "" : "s"} waiting`;
}

/** One line for the pill: "Synced 2 min ago", "Offline — 3 changes waiting", "Syncing 40 of 120". */
export function syncLine(s: SyncStatus): string {
  switch (s.state) {
    case "signed_out":
      return "Not syncing";
    case "syncing":
      return s.progress_total ? `Syncing ${s.progress_done ?? 0} of ${s.progress_total}` : "Syncing…";
    case "up_to_date":
      return s.pending > 0 ? `Synced ${relative(s.last_synced_at)} · ${waiting(s.pending)}` : `Synced ${relative(s.last_synced_at)}`;
    case "offline":
      return s.pending > 0 ? `Offline — ${waiting(s.pending)}` : "Offline";
    case "error":
      return "Sync stopped";
  }
}

const PILL_TONE: Record<SyncStatus["state"], string> = {
  signed_out: "pill-unknown",
  syncing: "pill-online",
  up_to_date: "pill-online",
  offline: "pill-offline",
  error: "pill-offline",
};

/** The status pill in the top bar; conflicts add a link to the conflicts view. */
export function SyncPill({ status }: { status: SyncStatus | null }) {
  if (!status || status.state === "signed_out") return null;
  return (
    <>
      {status.conflicts > 0 && (
        <a className="pill pill-offline" href={href("/conflicts")} data-testid="sync-conflicts-pill">
          {status.conflicts} conflict{status.conflicts === 1 ? "" : "s"}
        </a>
      )}
      <a
        className={`pill ${PILL_TONE[status.state]}`}
        href={href("/settings")}
        data-testid="sync-pill"
        data-state={status.state}
        title={status.message ?? (status.last_synced_at ? `Last synced ${dateTime(status.last_synced_at)}` : "Team sync")}
      >
        <span className="pill-dot" />
        {syncLine(status)}
      </a>
    </>
  );
}

/** Settings → Team sync: server, email and password to sign in; status, sync now, sign out. */
export function TeamSyncCard({ initialUrl }: { initialUrl: string | null }) {
  const { toast } = useApp();
  const [status, setStatus] = useSyncStatus();
  // Typed by the rep, else the address last signed in to, else the older setting.
  const [typedUrl, setUrl] = useState<string | null>(null);
  const url = typedUrl ?? status?.server_url ?? initialUrl ?? "";
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [err, setErr] = useState<CommandError | null>(null);

  const act = async (what: () => Promise<SyncStatus>, done?: string) => {
    setBusy(true);
    setErr(null);
    try {
      setStatus(await what());
      if (done) toast(done, "success");
    } catch (e) {
      setErr(errorOf(e));
    } finally {
      setBusy(false);
    }
  };
  const signIn = () =>
    act(async () => {
      try {
        return await run(commands.syncSignIn({ server_url: url.trim(), email: email.trim(), password }));
      } finally {
        // The password never stays in the UI, whether or not sign-in worked.
        setPassword("");
      }
    }, "Signed in: syncing with your team");

  const signedIn = status != null && status.state !== "signed_out";
  return (
    <form
      className="card card-pad form settings-card"
      data-testid="team-sync-card"
      autoComplete="off"
      onSubmit={(e) => {
        e.preventDefault();
        if (!signedIn) void signIn();
      }}
    >
      <div className="section-head flush">
        <h3 className="card-title">Team sync</h3>
        {status && (
          <span className={`badge ${status.state === "up_to_date" ? "tone-green" : status.state === "error" || status.state === "offline" ? "tone-amber" : "tone-gray"}`} data-testid="sync-state">
            {label(status.state)}
          </span>
        )}
      </div>
      {!status && <SkeletonBlock lines={2} />}
      {status && !signedIn && (
        <>
          <p className="muted small">Sign in to your team's Closer server to share leads and deals with your manager. Everything keeps working offline; changes sync when the server can be reached. Your password is sent once and never stored; the sign-in token is kept in the system keyring.</p>
          <ErrorBox error={err} />
          <div className="form-grid">
            <Field label="Server" wide>
              <input className="input" value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://closer.yourcompany.com" data-testid="sync-url" />
            </Field>
            <Field label="Email">
              <input className="input" type="email" value={email} onChange={(e) => setEmail(e.target.value)} data-testid="sync-email" />
            </Field>
            <Field label="Password">
              <input className="input" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} data-testid="sync-password" />
            </Field>
          </div>
          <div className="form-actions">
            <button className="btn btn-primary" disabled={busy || !url.trim() || !email.trim() || !password} data-testid="sync-sign-in">
              {busy ? "Signing in…" : "Sign in"}
            </button>
          </div>
        </>
      )}
      {status && signedIn && (
        <>
          <dl className="kv">
            <dt>Server</dt>
            <dd className="mono">{status.server_url ?? "—"}</dd>
            <dt>Signed in as</dt>
            <dd data-testid="sync-account">
              {status.account ? `${status.account.email} (${label(status.account.role)})` : "—"}
            </dd>
            <dt>Status</dt>
            <dd data-testid="sync-line">{syncLine(status)}</dd>
            <dt>Last synced</dt>
            <dd data-testid="sync-last">{status.last_synced_at ? `${relative(status.last_synced_at)} (${dateTime(status.last_synced_at)})` : "Not yet"}</dd>
            <dt>Waiting to send</dt>
            <dd data-testid="sync-pending">{status.pending}</dd>
            <dt>Conflicts</dt>
            <dd>{status.conflicts > 0 ? <a href={href("/conflicts")}>{status.conflicts} to review</a> : "None"}</dd>
          </dl>
          {status.message && <p className={`small ${status.state === "error" ? "error-text" : "muted"}`} data-testid="sync-message">{status.message}</p>}
          <ErrorBox error={err} />
          <div className="form-actions">
            <button type="button" className="btn btn-primary" disabled={busy} onClick={() => void act(() => run(commands.syncNow()))} data-testid="sync-now">
              Sync now
            </button>
            <button type="button" className="btn" disabled={busy} onClick={() => void act(() => run(commands.syncSignOut()), "Signed out of the team server")} data-testid="sync-sign-out">
              Sign out
            </button>
          </div>
        </>
      )}
    </form>
  );
}

/** A JSON value from a conflict as a rep reads it. */
function shown(json: string): string {
  try {
    const v: unknown = JSON.parse(json);
    if (v == null) return "(empty)";
    if (typeof v === "string") return v || "(empty)";
    if (Array.isArray(v)) return v.length === 0 ? "(none)" : v.map((x) => (typeof x === "string" ? x : JSON.stringify(x))).join(", ");
    return typeof v === "object" ? JSON.stringify(v) : String(v);
  } catch {
    return json;
  }
}

function fieldValue(field: string, json: string): string {
  const text = shown(json);
  if (field === "amount_cents" && /^-?\d+$/.test(text)) return `$${(Number(text) / 100).toLocaleString("en-US")}`;
  return text;
}

/** Both values of every open conflict, with who and when; keep mine or take theirs. */
export function ConflictsView() {
  const { toast } = useApp();
  const load = useCallback(() => run(commands.syncConflicts()), []);
  const list = useLoad(load);
  const [busy, setBusy] = useState<number | null>(null);
  const [err, setErr] = useState<CommandError | null>(null);

  const resolve = async (c: SyncConflict, choice: ConflictChoice) => {
    setBusy(c.id);
    setErr(null);
    try {
      list.setData(await run(commands.resolveSyncConflict({ id: c.id, choice })));
      toast(choice === "keep_mine" ? "Your value is kept" : "Their value is kept", "success");
    } catch (e) {
      setErr(errorOf(e));
    } finally {
      setBusy(null);
    }
  };

  return (
    <div className="page">
      <PageHeader title="Sync conflicts" sub="Fields changed in two places. The newest change won; nothing was lost — pick the value to keep." />
      <ErrorBox error={list.error ?? err} onRetry={list.reload} />
      {!list.data && list.loading && <SkeletonBlock lines={4} />}
      {list.data && list.data.length === 0 && <Empty icon="✓" title="No conflicts">Every change is in sync.</Empty>}
      {list.data && list.data.length > 0 && (
        <div className="card table-card">
          <table className="table">
            <thead>
              <tr>
                <th>Record</th>
                <th>Field</th>
                <th>Yours</th>
                <th>Theirs</th>
                <th>Changed</th>
                <th className="right" />
              </tr>
            </thead>
            <tbody>
              {list.data.map((c) => {
                const mine = c.other_side === "mine" ? c.other_value : c.current_value;
                const theirs = c.other_side === "mine" ? c.current_value : c.other_value;
                return (
                  <tr key={c.id} data-testid="conflict-row">
                    <td className="strong">
                      {c.entity === "deal" ? <a href={href(`/deals/${c.entity_id}`)}>{c.title || "Deal"}</a> : c.entity === "lead" ? <a href={href(`/leads/${c.entity_id}`)}>{c.title || "Lead"}</a> : c.title}
                      <div className="muted small">{label(c.entity)}</div>
                    </td>
                    <td>{label(c.field || "whole record")}</td>
                    <td data-testid="conflict-mine">{fieldValue(c.field, mine)}</td>
                    <td data-testid="conflict-theirs">{fieldValue(c.field, theirs)}</td>
                    <td className="small">
                      {c.refused ? <span className="error-text">Refused by the server: {c.refused}</span> : `${c.other_by === "you" ? "Your change" : `Change by ${c.other_by}`} lost, ${dateTime(c.other_at)}`}
                    </td>
                    <td className="right nowrap">
                      <button className="btn btn-sm" disabled={busy === c.id || c.refused != null} onClick={() => void resolve(c, "keep_mine")} data-testid="conflict-keep-mine">
                        Keep mine
                      </button>{" "}
                      <button className="btn btn-sm" disabled={busy === c.id} onClick={() => void resolve(c, "take_theirs")} data-testid="conflict-take-theirs">
                        Take theirs
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
