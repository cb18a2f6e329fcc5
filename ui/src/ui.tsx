import { createContext, useCallback, useContext, useEffect, useRef, useState, type ReactNode } from "react";
import { count, errorOf, label, markReady, type CommandError, type FieldError, type WorkspaceStats } from "./api";

// ---- app-wide context: toasts, stats, reload ----------------------------------------

export type Toast = { id: number; kind: "error" | "info" | "success"; text: string };

type AppCtx = {
  toast: (text: string, kind?: Toast["kind"]) => void;
  toastError: (e: unknown) => void;
  stats: WorkspaceStats | null;
  refreshStats: () => void;
  userName: string;
  /**
   * Bumped when data changed behind the view's back (queued AI work done, scores saved):
   * every `useLoad` fetches again in place, keeping the view's own state (filters, page,
   * what is being typed), unlike the remount a workspace reset does.
   */
  epoch: number;
};

export const AppContext = createContext<AppCtx>({
  toast: () => undefined,
  toastError: () => undefined,
  stats: null,
  refreshStats: () => undefined,
  userName: "",
  epoch: 0,
});

export function useApp(): AppCtx {
  return useContext(AppContext);
}

// ---- data loading -----------------------------------------------------------------

export type Load<T> = {
  data: T | null;
  error: CommandError | null;
  loading: boolean;
  reload: () => void;
  setData: (d: T) => void;
};

/**
 * Runs `fn` whenever it changes (wrap it in useCallback), and again when the app's data
 * epoch moves; stale answers are dropped. The last data stays shown while reloading.
 */
export function useLoad<T>(fn: () => Promise<T>, opts: { ready?: boolean } = { ready: true }): Load<T> {
  const { epoch } = useContext(AppContext);
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<CommandError | null>(null);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const markFirstPaint = opts.ready !== false;

  useEffect(() => {
    let live = true;
    setLoading(true);
    fn().then(
      (d) => {
        if (!live) return;
        setData(d);
        setError(null);
        setLoading(false);
        if (markFirstPaint) markReady();
      },
      (e: unknown) => {
        if (!live) return;
        setError(errorOf(e));
        setLoading(false);
        if (markFirstPaint) markReady();
      },
    );
    return () => {
      live = false;
    };
  }, [fn, tick, markFirstPaint, epoch]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, loading, reload, setData };
}

export function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = window.setTimeout(() => setV(value), ms);
    return () => window.clearTimeout(t);
  }, [value, ms]);
  return v;
}

// ---- small components ---------------------------------------------------------------

export function PageHeader(props: { title: ReactNode; sub?: ReactNode; actions?: ReactNode; back?: { href: string; label: string } }) {
  return (
    <header className="page-header">
      <div>
        {props.back && (
          <a className="back-link" href={props.back.href}>
            ← {props.back.label}
          </a>
        )}
        <h1>{props.title}</h1>
        {props.sub && <div className="page-sub">{props.sub}</div>}
      </div>
      {props.actions && <div className="page-actions">{props.actions}</div>}
    </header>
  );
}

export function ErrorBox({ error, onRetry }: { error: CommandError | null; onRetry?: () => void }) {
  if (!error) return null;
  return (
    <div className="error-box" role="alert">
      <div>
        <strong>{error.kind === "not_found" ? "Not found" : "Something went wrong"}</strong>
        <div>{error.message}</div>
        {error.fields.length > 0 && (
          <ul>
            {error.fields.map((f) => (
              <li key={f.field}>
                <code>{f.field}</code>: {f.reason}
              </li>
            ))}
          </ul>
        )}
      </div>
      {onRetry && (
        <button className="btn btn-sm" onClick={onRetry}>
          Retry
        </button>
      )}
    </div>
  );
}

export function Empty({ icon, title, children, action }: { icon?: string; title: string; children?: ReactNode; action?: ReactNode }) {
  return (
    <div className="empty">
      <div className="empty-icon" aria-hidden>
        {icon ?? "◌"}
      </div>
      <div className="empty-title">{title}</div>
      {children && <div className="empty-text">{children}</div>}
      {action && <div className="empty-action">{action}</div>}
    </div>
  );
}

export function SkeletonRows({ rows = 8, cols = 6 }: { rows?: number; cols?: number }) {
  return (
    <div className="skeleton-table" aria-busy="true" aria-label="Loading">
      {Array.from({ length: rows }, (_, r) => (
        <div className="skeleton-row" key={r}>
          {Array.from({ length: cols }, (_, c) => (
            <div className="skeleton" key={c} style={{ width: `${40 + ((r * 7 + c * 13) % 50)}%` }} />
          ))}
        </div>
      ))}
    </div>
  );
}

export function SkeletonBlock({ lines = 5 }: { lines?: number }) {
  return (
    <div className="skeleton-block" aria-busy="true" aria-label="Loading">
      <div className="skeleton skeleton-title" />
      {Array.from({ length: lines }, (_, i) => (
        <div className="skeleton" key={i} style={{ width: `${55 + ((i * 17) % 40)}%` }} />
      ))}
    </div>
  );
}

export function Spinner() {
  return <span className="spinner" aria-label="Working" />;
}

/** A button that shows a spinner and `busyText` while its work runs (and is disabled). */
export function BusyButton(props: {
  busy: boolean;
  busyText: string;
  children: ReactNode;
  onClick: () => void;
  className?: string;
  disabled?: boolean;
  title?: string;
  testid?: string;
}) {
  return (
    <button
      type="button"
      className={props.className ?? "btn"}
      onClick={props.onClick}
      disabled={props.busy || props.disabled}
      aria-busy={props.busy}
      title={props.title}
      data-testid={props.testid}
    >
      {props.busy ? (
        <>
          <Spinner /> {props.busyText}
        </>
      ) : (
        props.children
      )}
    </button>
  );
}

/** A button that opens a small list of actions below it; closes on pick, Escape or outside click. */
export function Menu(props: {
  label: ReactNode;
  items: Array<{ key: string; label: ReactNode; onPick: () => void; testid?: string }>;
  disabled?: boolean;
  testid?: string;
  className?: string;
  title?: string;
}) {
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => {
      if (ref.current && !ref.current.contains(e.target as Node)) setOpen(false);
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") setOpen(false);
    };
    document.addEventListener("mousedown", onDown);
    window.addEventListener("keydown", onKey);
    return () => {
      document.removeEventListener("mousedown", onDown);
      window.removeEventListener("keydown", onKey);
    };
  }, [open]);
  return (
    <div className="menu" ref={ref}>
      <button
        type="button"
        className={props.className ?? "btn"}
        aria-haspopup="menu"
        aria-expanded={open}
        disabled={props.disabled}
        title={props.title}
        data-testid={props.testid}
        onClick={() => setOpen((o) => !o)}
      >
        {props.label}
      </button>
      {open && (
        <ul className="menu-list" role="menu">
          {props.items.map((it) => (
            <li key={it.key} role="none">
              <button
                type="button"
                role="menuitem"
                className="menu-item"
                data-testid={it.testid}
                onClick={() => {
                  setOpen(false);
                  it.onPick();
                }}
              >
                {it.label}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** A horizontal gauge, 0..100 % filled; `tone` colours the fill. */
export function Meter({ percent, tone, label }: { percent: number; tone: "ok" | "warning" | "exceeded" | "accent"; label?: string }) {
  const w = Math.max(0, Math.min(100, percent));
  return (
    <span className="meter" role="meter" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(percent)} aria-label={label}>
      <span className={`meter-fill meter-${tone}`} style={{ width: `${w}%` }} />
    </span>
  );
}

const TONES: Record<string, string> = {
  new: "blue",
  contacted: "violet",
  qualified: "teal",
  proposal: "amber",
  won: "green",
  lost: "red",
  discovery: "blue",
  qualification: "violet",
  negotiation: "amber",
  closed_won: "green",
  closed_lost: "red",
  draft: "gray",
  sent: "blue",
  accepted: "green",
  rejected: "red",
};

export function Badge({ value, text }: { value: string; text?: string }) {
  return <span className={`badge tone-${TONES[value] ?? "gray"}`}>{text ?? label(value)}</span>;
}

export function ScoreBar({ score }: { score: number | null }) {
  if (score == null) return <span className="muted">—</span>;
  const tone = score >= 70 ? "good" : score >= 40 ? "mid" : "low";
  return (
    <span className="score">
      <span className="score-track">
        <span className={`score-fill ${tone}`} style={{ width: `${Math.max(0, Math.min(100, score))}%` }} />
      </span>
      <span className="score-num">{score}</span>
    </span>
  );
}

export function Chip({ children, href, tone }: { children: ReactNode; href?: string; tone?: "accent" | "plain" }) {
  const cls = `chip${tone === "accent" ? " chip-accent" : ""}`;
  return href ? (
    <a className={`${cls} chip-link`} href={href}>
      {children}
    </a>
  ) : (
    <span className={cls}>{children}</span>
  );
}

/**
 * A labelled form field. `group` renders a <div role="group"> instead of a <label>: use it when
 * the field holds several controls (buttons inside a <label> would get the label's clicks).
 */
export function Field(props: { label: string; error?: string; hint?: string; children: ReactNode; wide?: boolean; group?: boolean }) {
  const cls = `field${props.wide ? " field-wide" : ""}${props.error ? " has-error" : ""}`;
  const inner = (
    <>
      <span className="field-label">{props.label}</span>
      {props.children}
      {props.error ? <span className="field-error">{props.error}</span> : props.hint ? <span className="field-hint">{props.hint}</span> : null}
    </>
  );
  return props.group ? (
    <div className={cls} role="group" aria-label={props.label}>
      {inner}
    </div>
  ) : (
    <label className={cls}>{inner}</label>
  );
}

export function Modal({ title, onClose, children, footer, wide }: { title: string; onClose: () => void; children: ReactNode; footer?: ReactNode; wide?: boolean }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") onClose();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [onClose]);
  return (
    <div
      className="overlay"
      onMouseDown={(e) => {
        if (e.target === e.currentTarget) onClose();
      }}
    >
      <div className={`modal${wide ? " modal-wide" : ""}`} role="dialog" aria-modal="true" aria-label={title} ref={ref}>
        <div className="modal-head">
          <h2>{title}</h2>
          <button className="icon-btn" onClick={onClose} aria-label="Close">
            ✕
          </button>
        </div>
        <div className="modal-body">{children}</div>
        {footer && <div className="modal-foot">{footer}</div>}
      </div>
    </div>
  );
}

export function Toasts({ toasts, dismiss }: { toasts: Toast[]; dismiss: (id: number) => void }) {
  return (
    <div className="toasts" aria-live="polite">
      {toasts.map((t) => (
        <div key={t.id} className={`toast toast-${t.kind}`} role={t.kind === "error" ? "alert" : "status"}>
          <span>{t.text}</span>
          <button className="icon-btn" onClick={() => dismiss(t.id)} aria-label="Dismiss">
            ✕
          </button>
        </div>
      ))}
    </div>
  );
}

/** Initials avatar for people. */
export function Avatar({ name }: { name: string }) {
  const initials = name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((w) => w[0]?.toUpperCase())
    .join("");
  let h = 0;
  for (const ch of name) h = (h * 31 + ch.charCodeAt(0)) % 360;
  return (
    <span className="avatar" style={{ background: `hsl(${h} 55% 92%)`, color: `hsl(${h} 45% 32%)` }}>
      {initials || "?"}
    </span>
  );
}

/** "1–50 of 500" with Previous / Next, for the paged list views. */
export function Pager(props: { offset: number; shown: number; total: number; pageSize: number; onChange: (offset: number) => void }) {
  const { offset, shown, total, pageSize, onChange } = props;
  return (
    <div className="pager">
      <span className="muted">
        {count(offset + 1)}–{count(offset + shown)} of {count(total)}
      </span>
      <button className="btn btn-sm" disabled={offset === 0} onClick={() => onChange(Math.max(0, offset - pageSize))}>
        ← Previous
      </button>
      <button className="btn btn-sm" disabled={offset + pageSize >= total} onClick={() => onChange(offset + pageSize)}>
        Next →
      </button>
    </div>
  );
}

/** A form's error: a plain error box, or, when fields were named, a prompt to fix the
 *  highlighted ones plus any named field the form has no input for (`unmatched`). */
export function FormErrors({ error, unmatched }: { error: CommandError | null | undefined; unmatched: FieldError[] }) {
  if (!error) return null;
  if (error.fields.length === 0) return <ErrorBox error={error} />;
  return (
    <div className="error-box" role="alert">
      <div>
        <strong>Please fix the highlighted fields.</strong>
        <div>{error.message}</div>
        {unmatched.length > 0 && (
          <ul>
            {unmatched.map((u) => (
              <li key={u.field}>
                <code>{u.field}</code>: {u.reason}
              </li>
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}

/** The event the search palette's "Use in proposal" sends; the open proposal editor inserts its text. */
export const INSERT_EVENT = "closer:insert-into-proposal";

/** Hands `markdown` to the proposal editor on screen. */
export function insertIntoProposal(markdown: string): void {
  window.dispatchEvent(new CustomEvent(INSERT_EVENT, { detail: markdown }));
}
