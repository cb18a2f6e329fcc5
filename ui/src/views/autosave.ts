import { commands, messageOf, run, type ProposalEdit, type ProposalSaved } from "../api";

export type SaveState = { kind: "saved"; at: number } | { kind: "saving" } | { kind: "error"; message: string };

const DEBOUNCE_MS = 250;
const MAX_WAIT_MS = 1000;

const same = (a: ProposalEdit, b: ProposalEdit) => a.title === b.title && a.body === b.body;

/**
 * Autosave for one proposal: saves ~250 ms after typing stops, and never later than 1 s
 * after the first unsaved keystroke. At most one save is in flight; edits made meanwhile
 * are queued and only the latest is sent when the running save ends.
 */
export class AutoSaver {
  private debounceTimer: number | null = null;
  private maxTimer: number | null = null;
  private inFlight = false;
  private latest: ProposalEdit;
  private saved: ProposalEdit;
  private failed = false;
  private savedAt: number;
  private idleWaiters: Array<() => void> = [];
  private readonly id: string;
  private readonly onState: (s: SaveState) => void;
  private readonly onSaved: (r: ProposalSaved) => void;

  constructor(id: string, initial: ProposalEdit, savedAt: number, onState: (s: SaveState) => void, onSaved: (r: ProposalSaved) => void) {
    this.id = id;
    this.latest = initial;
    this.saved = initial;
    this.savedAt = savedAt;
    this.onState = onState;
    this.onSaved = onSaved;
  }

  /** Everything typed has reached the database. */
  get clean(): boolean {
    return !this.inFlight && same(this.latest, this.saved);
  }

  change(edit: ProposalEdit): void {
    this.latest = edit;
    this.failed = false;
    if (this.clean) {
      this.clearTimers();
      this.onState({ kind: "saved", at: this.savedAt });
      return;
    }
    this.onState({ kind: "saving" });
    if (this.maxTimer == null) this.maxTimer = window.setTimeout(() => this.flush(), MAX_WAIT_MS);
    if (this.debounceTimer != null) window.clearTimeout(this.debounceTimer);
    this.debounceTimer = window.setTimeout(() => this.flush(), DEBOUNCE_MS);
  }

  /** Saves now if anything is unsaved (or queues it behind the running save). */
  flush(): void {
    this.clearTimers();
    if (this.inFlight) return; // the running save re-checks when it ends
    if (same(this.latest, this.saved)) {
      this.settle();
      return;
    }
    const sending = this.latest;
    this.inFlight = true;
    this.onState({ kind: "saving" });
    run(commands.saveProposal(this.id, sending)).then(
      (r) => {
        this.inFlight = false;
        this.saved = sending;
        this.savedAt = Date.now();
        this.onSaved(r);
        if (!same(this.latest, this.saved)) this.flush();
        else {
          this.onState({ kind: "saved", at: this.savedAt });
          this.settle();
        }
      },
      (e: unknown) => {
        this.inFlight = false;
        this.failed = true;
        this.onState({ kind: "error", message: `Not saved: ${messageOf(e)}` });
        this.settle();
      },
    );
  }

  /** Flushes and resolves once nothing is in flight (saved, or failed). */
  whenIdle(): Promise<void> {
    return new Promise((resolve) => {
      this.idleWaiters.push(resolve);
      this.flush();
    });
  }

  /**
   * The text in the database changed under the editor (Claude wrote it, a polish arrived):
   * take it as both the latest and the saved state, dropping any pending timer. Callers
   * make sure nothing is in flight (`whenIdle`) before the change started.
   */
  reset(edit: ProposalEdit, savedAt: number): void {
    this.clearTimers();
    this.latest = edit;
    this.saved = edit;
    this.savedAt = savedAt;
    this.failed = false;
    if (!this.inFlight) {
      this.onState({ kind: "saved", at: savedAt });
      this.settle();
    }
  }

  /** Retry after an error. */
  retry(): void {
    this.failed = false;
    this.flush();
  }

  get hasFailed(): boolean {
    return this.failed;
  }

  private settle(): void {
    if (this.inFlight) return;
    const w = this.idleWaiters;
    this.idleWaiters = [];
    w.forEach((f) => f());
  }

  private clearTimers(): void {
    if (this.debounceTimer != null) window.clearTimeout(this.debounceTimer);
    if (this.maxTimer != null) window.clearTimeout(this.maxTimer);
    this.debounceTimer = null;
    this.maxTimer = null;
  }
}
