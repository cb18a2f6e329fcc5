import { useCallback, useSyncExternalStore } from "react";
import { Channel, commands, messageOf, run, runPlain, type ProposalGenerated } from "../api";

/**
 * Proposal generations, kept outside the editor: one started from a deal's page runs while
 * the editor opens, and an editor closed mid-stream finds it again when reopened (Rust keeps
 * writing and saves the text either way).
 */
export type Generation = {
  readonly proposalId: string;
  readonly streamId: string;
  /** The text streamed so far. */
  readonly text: string;
  readonly state: "streaming" | "done" | "failed";
  /** Stop was pressed; the backend has not answered yet. */
  readonly stopping: boolean;
  readonly result: ProposalGenerated | null;
  readonly error: string | null;
};

const gens = new Map<string, Generation>();
const listeners = new Map<string, Set<() => void>>();

function set(g: Generation): void {
  gens.set(g.proposalId, g);
  listeners.get(g.proposalId)?.forEach((f) => f());
}

function update(proposalId: string, streamId: string, patch: Partial<Generation>): void {
  const cur = gens.get(proposalId);
  if (cur && cur.streamId === streamId) set({ ...cur, ...patch });
}

/** Starts writing `proposalId` with Claude from its deal (no-op while one already runs). */
export function startGeneration(proposalId: string, dealId: string): void {
  if (gens.get(proposalId)?.state === "streaming") return;
  const streamId = crypto.randomUUID();
  set({ proposalId, streamId, text: "", state: "streaming", stopping: false, result: null, error: null });

  // Chunks arrive many per second: they are appended at once and shown every ~40 ms.
  let text = "";
  let timer: number | null = null;
  const show = () => {
    timer = null;
    update(proposalId, streamId, { text });
  };
  const channel = new Channel<string>();
  channel.onmessage = (chunk) => {
    text += chunk;
    if (timer == null) timer = window.setTimeout(show, 40);
  };
  run(commands.generateProposal(dealId, proposalId, streamId, channel)).then(
    (result) => {
      if (timer != null) window.clearTimeout(timer);
      update(proposalId, streamId, { text: result.proposal.body, state: "done", stopping: false, result });
    },
    (e: unknown) => {
      if (timer != null) window.clearTimeout(timer);
      update(proposalId, streamId, { state: "failed", stopping: false, error: messageOf(e) });
    },
  );
}

/**
 * Stops the running generation of `proposalId`; the text so far is kept. Rust registers the
 * stream only once the deal's context is read, so an early Stop is repeated until it lands.
 */
export async function stopGeneration(proposalId: string): Promise<void> {
  const g = gens.get(proposalId);
  if (!g || g.state !== "streaming") return;
  update(proposalId, g.streamId, { stopping: true });
  for (let i = 0; i < 40; i++) {
    if (await runPlain(commands.cancelGeneration(g.streamId))) return;
    await new Promise((r) => window.setTimeout(r, 250));
    if (gens.get(proposalId)?.streamId !== g.streamId || gens.get(proposalId)?.state !== "streaming") return;
  }
}

/** The editor took the finished result: forget it. */
export function forgetGeneration(proposalId: string, streamId: string): void {
  const cur = gens.get(proposalId);
  if (cur && cur.streamId === streamId && cur.state !== "streaming") gens.delete(proposalId);
}

/** The generation of one proposal (running, or finished and not yet shown), live. */
export function useGeneration(proposalId: string): Generation | undefined {
  const subscribe = useCallback(
    (onChange: () => void) => {
      let s = listeners.get(proposalId);
      if (!s) listeners.set(proposalId, (s = new Set()));
      s.add(onChange);
      return () => {
        s.delete(onChange);
        if (s.size === 0) listeners.delete(proposalId);
      };
    },
    [proposalId],
  );
  const snapshot = useCallback(() => gens.get(proposalId), [proposalId]);
  return useSyncExternalStore(subscribe, snapshot);
}
