// The one place the UI meets Rust: everything goes through the tauri-specta bindings.
import { commands, type CommandError } from "./bindings.gen";

type Result<T, E> = { status: "ok"; data: T } | { status: "error"; error: E };

export { commands, events } from "./bindings.gen";
export type * from "./bindings.gen";
/** Streams from Rust (proposal text): views create them here, never from tauri directly. */
export { Channel } from "@tauri-apps/api/core";

/** A failed command, carrying the structured error Rust sent. */
export class ApiError extends Error {
  readonly error: CommandError;
  constructor(error: CommandError) {
    super(error.message);
    this.error = error;
  }
}

function asCommandError(e: unknown): CommandError {
  if (e && typeof e === "object" && "message" in e && "kind" in e) {
    const ce = e as Partial<CommandError>;
    return {
      kind: ce.kind ?? "internal",
      message: String(ce.message ?? "Something went wrong"),
      fields: ce.fields ?? [],
      rows: ce.rows ?? [],
    } as CommandError;
  }
  const message = e instanceof Error ? e.message : typeof e === "string" ? e : "Something went wrong";
  return { kind: "internal", message, fields: [], rows: [] } as CommandError;
}

/** Awaits a command and returns its data, or throws an ApiError (never swallows). */
export async function run<T>(p: Promise<Result<T, CommandError>>): Promise<T> {
  let r: Result<T, CommandError>;
  try {
    r = await p;
  } catch (e) {
    throw new ApiError(asCommandError(e));
  }
  if (r.status === "ok") return r.data;
  throw new ApiError(asCommandError(r.error));
}

/** For the few commands that return their value bare (no Result): rejections become ApiErrors. */
export async function runPlain<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    throw new ApiError(asCommandError(e));
  }
}

export function errorOf(e: unknown): CommandError {
  return e instanceof ApiError ? e.error : asCommandError(e);
}

export function messageOf(e: unknown): string {
  return errorOf(e).message;
}

// ---- first paint -------------------------------------------------------------------

let readyMarked = false;

/** Called by the first view once it has rendered with data: marks first paint, once. */
export function markReady(): void {
  if (readyMarked) return;
  readyMarked = true;
  requestAnimationFrame(() => {
    document.getElementById("root")?.setAttribute("data-ready", "true");
    document.documentElement.setAttribute("data-ready", "true");
    void commands.appReady().catch(() => undefined);
  });
}

// ---- formatting ---------------------------------------------------------------------

const money0 = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", maximumFractionDigits: 0 });
export function money(cents: number): string {
  return money0.format(Math.round(cents / 100));
}

/** AI spend in dollars: "$12.34", "$0.0123" (four decimals below a dollar), "<$0.0001". */
export function usd(n: number | null | undefined): string {
  if (n == null || !Number.isFinite(n)) return "—";
  if (n === 0) return "$0.00";
  const a = Math.abs(n);
  const sign = n < 0 ? "-" : "";
  if (a < 0.0001) return `${sign}<$0.0001`;
  if (a < 1) return `${sign}$${a.toFixed(4)}`;
  return `${sign}$${a.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

/** A 0..1 ratio as "42 %". */
export function pct(ratio: number | null | undefined): string {
  if (ratio == null || !Number.isFinite(ratio)) return "—";
  const v = ratio * 100;
  return `${v > 0 && v < 1 ? v.toFixed(1) : Math.round(v)} %`;
}

/** A latency: "840 ms", "2.4 s". */
export function latency(ms: number | null | undefined): string {
  if (ms == null) return "—";
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** "10 lead(s)" -> "10 leads", "1 lead(s)" -> "1 lead" in the backend's sentences. */
export function plurals(text: string): string {
  return text.replace(/\b(\d+) ([A-Za-z][\w-]*)\(s\)/g, (_, n: string, w: string) => `${n} ${w}${n === "1" ? "" : "s"}`);
}

/** A title as a file name (no path separators or characters the OS refuses). */
export function fileName(title: string, ext: string): string {
  const clean = Array.from(title, (ch) => (ch.charCodeAt(0) < 32 || '\\/:*?"<>|'.includes(ch) ? " " : ch)).join("");
  const base = clean.replace(/\s+/g, " ").trim().slice(0, 120) || "Proposal";
  return `${base}.${ext}`;
}

const num = new Intl.NumberFormat("en-US");
export function count(n: number | null | undefined): string {
  return n == null ? "—" : num.format(n);
}

export function dateShort(ms: number | null | undefined): string {
  if (ms == null) return "—";
  return new Date(ms).toLocaleDateString("en-US", { month: "short", day: "numeric", year: "numeric" });
}

export function dateTime(ms: number | null | undefined): string {
  if (ms == null) return "—";
  return new Date(ms).toLocaleString("en-US", { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
}

export function timeOfDay(ms: number): string {
  return new Date(ms).toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

/** "3 min ago", "yesterday", or a date. */
export function relative(ms: number | null | undefined): string {
  if (ms == null) return "—";
  const diff = Date.now() - ms;
  const min = Math.round(diff / 60000);
  if (min < 1) return "just now";
  if (min < 60) return `${min} min ago`;
  const h = Math.round(min / 60);
  if (h < 24) return `${h} h ago`;
  const d = Math.round(h / 24);
  if (d === 1) return "yesterday";
  if (d < 14) return `${d} days ago`;
  return dateShort(ms);
}

export function mmss(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  return `${String(Math.floor(s / 60)).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}`;
}

export function duration(ms: number | null | undefined): string {
  if (ms == null) return "—";
  const m = Math.round(ms / 60000);
  return m < 60 ? `${m} min` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** snake_case enum value as words: "closed_won" -> "Closed won". */
const ACRONYMS = new Set(["roi", "tco", "cfo", "cio", "cto", "cro", "ceo", "ciso", "soc"]);

/** `roi_calculator` -> "ROI calculator": snake_case enum values as words. */
export function label(v: string | null | undefined): string {
  if (!v) return "—";
  const s = v
    .split("_")
    .map((w) => (ACRONYMS.has(w.toLowerCase()) ? w.toUpperCase() : w))
    .join(" ");
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export function emptyToNull(s: string): string | null {
  const t = s.trim();
  return t === "" ? null : t;
}
