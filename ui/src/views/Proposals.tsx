import { useCallback, useEffect, useRef, useState } from "react";
import Markdown from "react-markdown";
import remarkGfm from "remark-gfm";
import {
  commands,
  count,
  dateTime,
  events,
  fileName,
  label,
  relative,
  run,
  timeOfDay,
  usd,
  type Proposal,
  type ProposalGenerated,
  type ProposalStatus,
  type ProposalVersion,
} from "../api";
import { href, navigate } from "../router";
import { Badge, BusyButton, Empty, ErrorBox, INSERT_EVENT, Menu, Modal, PageHeader, SkeletonBlock, SkeletonRows, Spinner, useApp, useLoad } from "../ui";
import { AutoSaver, type SaveState } from "./autosave";
import { forgetGeneration, startGeneration, stopGeneration, useGeneration, type Generation } from "./generation";

const STATUSES: ProposalStatus[] = ["draft", "sent", "accepted", "rejected"];

export function ProposalsList() {
  const { toastError, refreshStats } = useApp();
  const load = useCallback(() => run(commands.listProposals()), []);
  const list = useLoad(load);
  const [status, setStatus] = useState<ProposalStatus | "">("");
  const [creating, setCreating] = useState(false);
  const items = (list.data ?? []).filter((p) => !status || p.status === status);

  const create = async () => {
    setCreating(true);
    try {
      const p = await run(commands.createProposal({ deal_id: null, lead_id: null, title: "Untitled proposal", body: "" }));
      refreshStats();
      navigate(`/proposals/${p.id}`);
    } catch (e) {
      toastError(e);
    } finally {
      setCreating(false);
    }
  };

  return (
    <div className="page">
      <PageHeader
        title="Proposals"
        sub={list.data ? `${count(list.data.length)} proposals` : " "}
        actions={
          <button className="btn btn-primary" onClick={create} disabled={creating}>
            {creating ? "Creating…" : "+ New proposal"}
          </button>
        }
      />
      <div className="toolbar">
        <div className="segmented">
          {(["", ...STATUSES] as const).map((s) => (
            <button key={s || "all"} className={`seg-btn${status === s ? " active" : ""}`} onClick={() => setStatus(s)}>
              {s ? label(s) : "All"}
            </button>
          ))}
        </div>
      </div>
      <ErrorBox error={list.error} onRetry={list.reload} />
      {!list.data && list.loading ? (
        <SkeletonRows cols={5} />
      ) : list.data && items.length === 0 ? (
        <Empty icon="✎" title={status ? `No ${status} proposals` : "No proposals yet"}>
          Open a deal and press “New proposal” to draft one from its context.
        </Empty>
      ) : list.data ? (
        <div className="card table-card">
          <table className="table">
            <thead>
              <tr>
                <th>Title</th>
                <th>Company</th>
                <th>Status</th>
                <th className="num">Version</th>
                <th className="right">Updated</th>
              </tr>
            </thead>
            <tbody>
              {items.map((p) => (
                <tr key={p.id} data-testid="proposal-row" className="clickable" onClick={() => navigate(`/proposals/${p.id}`)}>
                  <td className="strong">
                    <a href={href(`/proposals/${p.id}`)} onClick={(e) => e.stopPropagation()}>
                      {p.title || "Untitled"}
                    </a>
                    {p.deal_name && <div className="muted small">{p.deal_name}</div>}
                  </td>
                  <td>{p.company ?? <span className="muted">—</span>}</td>
                  <td>
                    <Badge value={p.status} />
                  </td>
                  <td className="num">v{p.version}</td>
                  <td className="right muted" title={dateTime(p.updated_at)}>
                    {relative(p.updated_at)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </div>
  );
}

export function ProposalEditor({ id }: { id: string }) {
  const load = useCallback(() => run(commands.getProposal(id)), [id]);
  const p = useLoad(load);
  return (
    <div className="page page-wide">
      {p.error && <PageHeader back={{ href: href("/proposals"), label: "Proposals" }} title="Proposal" />}
      <ErrorBox error={p.error} onRetry={p.reload} />
      {!p.data && p.loading && <SkeletonBlock lines={14} />}
      {p.data && <Editor initial={p.data} />}
    </div>
  );
}

function MarkdownView({ source }: { source: string }) {
  return (
    <Markdown
      remarkPlugins={[remarkGfm]}
      components={{
        a: ({ href: to, children }) => (
          <a href={to} target="_blank" rel="noreferrer noopener">
            {children}
          </a>
        ),
      }}
    >
      {source}
    </Markdown>
  );
}

/** How the last generation (or polish) ended, shown until dismissed or the next one. */
type Outcome = { kind: "done"; result: ProposalGenerated } | { kind: "failed"; message: string } | { kind: "polished" };

const EXPORTS = [
  { ext: "pdf", label: "PDF" },
  { ext: "docx", label: "Word" },
  { ext: "md", label: "Markdown" },
] as const;

const OFFLINE_PREFIX = "Drafted offline from your content library.";

/** The line under the editor's title while Claude writes, and how it ended. */
function GenerationStatus({ gen, outcome, onDismiss }: { gen: Generation | undefined; outcome: Outcome | null; onDismiss: () => void }) {
  if (gen?.state === "streaming") {
    return (
      <div className="gen-status gen-busy" data-testid="generation-status" role="status" aria-live="polite">
        <Spinner />
        <span className="gen-head">{gen.stopping ? "Stopping…" : "Writing with Claude…"}</span>
        {gen.text && <span className="gen-note">{count(gen.text.length)} characters so far</span>}
      </div>
    );
  }
  if (!outcome) return null;
  let tone = "gen-ok";
  let head: string;
  let note: string | null = null;
  if (outcome.kind === "failed") {
    tone = "gen-error";
    head = "Claude could not write this proposal";
    note = outcome.message;
  } else if (outcome.kind === "polished") {
    head = "✓ Polished by Claude — the text before is kept in Versions";
  } else {
    const r = outcome.result;
    note = r.notice;
    switch (r.source) {
      case "claude":
        head = `✓ Written by Claude${r.cost_usd > 0 ? ` · ${usd(r.cost_usd)}` : ""}`;
        break;
      case "cache":
        head = "✓ Written by Claude (same request answered from the cache, no cost)";
        break;
      case "offline_draft":
        tone = "gen-warn";
        head = r.polish_queued ? "Drafted offline from your content library — AI polish queued" : "Drafted offline from your content library";
        if (note?.startsWith(OFFLINE_PREFIX)) note = note.slice(OFFLINE_PREFIX.length).trim() || null;
        break;
      case "cancelled":
        tone = "gen-warn";
        head = "Stopped; the text so far was kept";
        break;
    }
  }
  return (
    <div className={`gen-status ${tone}`} data-testid="generation-status" role={tone === "gen-error" ? "alert" : "status"} aria-live="polite">
      <span className="gen-head">{head}</span>
      {note && <span className="gen-note">{note}</span>}
      <button className="icon-btn gen-dismiss" onClick={onDismiss} aria-label="Dismiss">
        ✕
      </button>
    </div>
  );
}

function Editor({ initial }: { initial: Proposal }) {
  const { toast, toastError } = useApp();
  const [title, setTitle] = useState(initial.title);
  const [body, setBody] = useState(initial.body);
  const [status, setStatus] = useState<ProposalStatus>(initial.status);
  const [version, setVersion] = useState(initial.version);
  const [save, setSave] = useState<SaveState>({ kind: "saved", at: initial.updated_at });
  const [busy, setBusy] = useState<"" | "status" | "snapshot" | "generate" | "export">("");
  const [viewing, setViewing] = useState<ProposalVersion | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [confirmGenerate, setConfirmGenerate] = useState(false);
  const [polish, setPolish] = useState<Proposal | null>(null);
  const [saver] = useState(
    () =>
      new AutoSaver(initial.id, { title: initial.title, body: initial.body }, initial.updated_at, setSave, (r) => setVersion(r.version)),
  );
  const loadVersions = useCallback(() => run(commands.listProposalVersions(initial.id)), [initial.id]);
  const versions = useLoad(loadVersions, { ready: false });
  const reloadVersions = versions.reload;
  const gen = useGeneration(initial.id);
  const streaming = gen?.state === "streaming";
  // While Claude writes, the editor shows the stream and autosave stays out of the way:
  // nothing is typed (read-only), and Rust saves the final text itself.
  const shown = streaming ? gen.text : body;
  const bodyRef = useRef<HTMLTextAreaElement>(null);
  const previewRef = useRef<HTMLDivElement>(null);
  const streamingRef = useRef(streaming);
  useEffect(() => {
    streamingRef.current = streaming;
  }, [streaming]);

  // Leaving the editor (route change, window closing) saves what is pending.
  useEffect(() => {
    const onUnload = () => saver.flush();
    window.addEventListener("beforeunload", onUnload);
    window.addEventListener("pagehide", onUnload);
    return () => {
      window.removeEventListener("beforeunload", onUnload);
      window.removeEventListener("pagehide", onUnload);
      saver.flush();
    };
  }, [saver]);

  /** The proposal as saved by Rust becomes the editor's state. */
  const apply = useCallback(
    (p: Proposal) => {
      setTitle(p.title);
      setBody(p.body);
      setStatus(p.status);
      setVersion(p.version);
      saver.reset({ title: p.title, body: p.body }, p.updated_at);
    },
    [saver],
  );

  // A generation that ended (here, or while this editor was closed) replaces the text.
  useEffect(() => {
    if (!gen || gen.state === "streaming") return;
    if (gen.state === "done" && gen.result) {
      apply(gen.result.proposal);
      setOutcome({ kind: "done", result: gen.result });
      setPolish(null);
      reloadVersions();
    } else {
      setOutcome({ kind: "failed", message: gen.error ?? "The proposal could not be written." });
    }
    forgetGeneration(gen.proposalId, gen.streamId);
  }, [gen, apply, reloadVersions]);

  // The text grows at the bottom: keep it in view.
  useEffect(() => {
    if (!streaming) return;
    for (const el of [bodyRef.current, previewRef.current]) if (el) el.scrollTop = el.scrollHeight;
  }, [streaming, shown]);

  // Claude polished this proposal's offline draft (queued work done): fetch it at once,
  // before any pending autosave lands; use it unless the rep has unsaved typing (then ask).
  useEffect(() => {
    let live = true;
    const un = events.aiJobsCompleted.listen((e) => {
      if (!e.payload.polished_proposals.includes(initial.id)) return;
      run(commands.getProposal(initial.id)).then(
        (p) => {
          if (!live) return;
          if (!streamingRef.current && saver.clean) {
            apply(p);
            setOutcome({ kind: "polished" });
            reloadVersions();
          } else {
            setPolish(p);
          }
        },
        (err: unknown) => {
          if (live) toastError(err);
        },
      );
    });
    return () => {
      live = false;
      un.then(
        (f) => f(),
        () => undefined,
      );
    };
  }, [initial.id, toastError, saver, apply, reloadVersions]);

  const edit = (t: string, b: string) => {
    setTitle(t);
    setBody(b);
    saver.change({ title: t, body: b });
  };

  // "Use in proposal" from the search palette: the excerpt goes in at the cursor.
  const editRef = useRef(edit);
  editRef.current = edit;
  const stateRef = useRef({ title, body, streaming });
  stateRef.current = { title, body, streaming };
  useEffect(() => {
    const on = (e: Event) => {
      const text = (e as CustomEvent<string>).detail;
      const { title: t, body: b, streaming: busy } = stateRef.current;
      if (busy || typeof text !== "string") return;
      const el = bodyRef.current;
      const at = el && document.activeElement === el ? el.selectionStart : b.length;
      const before = b.slice(0, at).replace(/\s*$/, "");
      const next = `${before}${before ? "\n\n" : ""}${text.trim()}\n\n${b.slice(at).replace(/^\s*/, "")}`;
      editRef.current(t, next.trimEnd() + "\n");
    };
    window.addEventListener(INSERT_EVENT, on);
    return () => window.removeEventListener(INSERT_EVENT, on);
  }, []);

  // The rep's text is saved and frozen as a version first, then the polish replaces it.
  const takePolish = async () => {
    if (!polish) return;
    const polished = polish;
    setPolish(null);
    try {
      await saver.whenIdle();
      const v = await run(commands.snapshotProposal(initial.id));
      setVersion(v.version);
      edit(title, polished.body);
      setOutcome({ kind: "polished" });
      reloadVersions();
    } catch (e) {
      setPolish(polished);
      toastError(e);
    }
  };

  const changeStatus = async (s: ProposalStatus) => {
    setBusy("status");
    try {
      await saver.whenIdle();
      const updated = await run(commands.setProposalStatus(initial.id, s));
      setStatus(updated.status);
      setVersion(updated.version);
      toast(`Marked as ${label(updated.status).toLowerCase()}`, "success");
      versions.reload();
    } catch (e) {
      toastError(e);
    } finally {
      setBusy("");
    }
  };

  const snapshot = async () => {
    setBusy("snapshot");
    try {
      await saver.whenIdle();
      const v = await run(commands.snapshotProposal(initial.id));
      setVersion(v.version);
      toast(`Version ${v.version} saved`, "success");
      versions.reload();
    } catch (e) {
      toastError(e);
    } finally {
      setBusy("");
    }
  };

  const generate = async () => {
    const dealId = initial.deal_id;
    setConfirmGenerate(false);
    if (!dealId || streaming) return;
    setOutcome(null);
    setPolish(null);
    setBusy("generate");
    try {
      // Rust writes over the saved text (keeping it as a version): save the title first.
      await saver.whenIdle();
      startGeneration(initial.id, dealId);
    } finally {
      setBusy("");
    }
  };

  const askGenerate = () => {
    if (body.trim()) setConfirmGenerate(true);
    else void generate();
  };

  const stop = () => {
    stopGeneration(initial.id).catch(toastError);
  };

  const exportAs = async (ext: string) => {
    setBusy("export");
    try {
      await saver.whenIdle();
      if (saver.hasFailed) toast("Your latest edits are not saved: the export has the last saved text.", "error");
      const path = await run(commands.exportProposal(initial.id, fileName(title, ext)));
      if (path) toast(`Exported to ${path}`, "success");
    } catch (e) {
      toastError(e);
    } finally {
      setBusy("");
    }
  };

  const words = shown.trim() ? shown.trim().split(/\s+/).length : 0;

  return (
    <div className="editor">
      <div className="editor-top">
        <a className="back-link" href={href("/proposals")}>
          ← Proposals
        </a>
        <div className="editor-bar">
          <input
            className="title-input"
            value={title}
            placeholder="Proposal title"
            onChange={(e) => edit(e.target.value, body)}
            readOnly={streaming}
            data-testid="proposal-title"
            aria-label="Title"
          />
          <div className="editor-controls">
            <span
              className={`save-status save-${save.kind}`}
              data-testid="save-status"
              role="status"
              aria-live="polite"
            >
              {save.kind === "saving" && (
                <>
                  <Spinner /> Saving…
                </>
              )}
              {save.kind === "saved" && <>✓ Saved {timeOfDay(save.at)}</>}
              {save.kind === "error" && (
                <>
                  {save.message}{" "}
                  <button className="link-btn" onClick={() => saver.retry()}>
                    Retry
                  </button>
                </>
              )}
            </span>
            <select
              className="input"
              value={status}
              onChange={(e) => void changeStatus(e.target.value as ProposalStatus)}
              disabled={busy !== "" || streaming}
              aria-label="Status"
              data-testid="proposal-status"
            >
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {label(s)}
                </option>
              ))}
            </select>
            {streaming ? (
              <button className="btn btn-danger-ghost" onClick={stop} disabled={gen.stopping} data-testid="stop-generation">
                {gen.stopping ? (
                  <>
                    <Spinner /> Stopping…
                  </>
                ) : (
                  "■ Stop"
                )}
              </button>
            ) : initial.deal_id ? (
              <BusyButton
                className="btn btn-ai"
                busy={busy === "generate"}
                busyText="Saving…"
                disabled={busy !== ""}
                onClick={askGenerate}
                testid="generate-proposal"
                title="Claude writes this proposal from the deal, its timeline and your content library"
              >
                ✦ Generate with AI
              </BusyButton>
            ) : (
              <button className="btn btn-ai" disabled title="Only a proposal made from a deal can be written with AI: open the deal and press “Write proposal with AI”.">
                ✦ Generate with AI
              </button>
            )}
            <Menu
              label={
                busy === "export" ? (
                  <>
                    <Spinner /> Exporting…
                  </>
                ) : (
                  "Export ▾"
                )
              }
              testid="export-proposal"
              disabled={busy !== "" || streaming}
              title="Export as PDF, Word or Markdown"
              items={EXPORTS.map((x) => ({
                key: x.ext,
                label: `Export ${x.label} (.${x.ext})`,
                testid: `export-proposal-${x.ext}`,
                onPick: () => void exportAs(x.ext),
              }))}
            />
            <button className="btn" onClick={snapshot} disabled={busy !== "" || streaming} data-testid="proposal-snapshot">
              {busy === "snapshot" ? "Saving…" : "Save version"}
            </button>
          </div>
        </div>
        <div className="editor-meta muted small">
          <Badge value={status} /> v{version} · {count(words)} words · markdown
        </div>
        <GenerationStatus gen={gen} outcome={outcome} onDismiss={() => setOutcome(null)} />
        {polish && !streaming && (
          <div className="gen-status gen-warn" role="status">
            <span className="gen-head">Claude polished this proposal while you were editing.</span>
            <span className="gen-note">Use the polished text (yours stays in Versions), or keep yours and discard the polish.</span>
            <button className="btn btn-sm" onClick={() => void takePolish()}>
              Use the polished text
            </button>
            <button className="btn btn-sm btn-ghost" onClick={() => setPolish(null)}>
              Keep mine
            </button>
          </div>
        )}
      </div>
      <div className="editor-panes">
        <textarea
          ref={bodyRef}
          className={`md-input${streaming ? " md-streaming" : ""}`}
          value={shown}
          onChange={(e) => edit(title, e.target.value)}
          readOnly={streaming}
          aria-busy={streaming}
          placeholder={streaming ? "Claude is reading the deal…" : "# Proposal\n\nWrite in markdown: ## headings, **bold**, - lists, | tables |…"}
          spellCheck={!streaming}
          data-testid="proposal-body"
          aria-label="Proposal body (markdown)"
        />
        <div className="md-preview prose" aria-label="Preview" ref={previewRef}>
          {shown.trim() ? <MarkdownView source={shown} /> : <div className="muted">{streaming ? "The preview fills in as Claude writes." : "The preview appears here as you type."}</div>}
        </div>
        <aside className="versions">
          <h3 className="card-title">Versions</h3>
          <ErrorBox error={versions.error} onRetry={versions.reload} />
          {!versions.data && versions.loading && <Spinner />}
          {versions.data && versions.data.length === 0 && <div className="empty-inline small">No saved versions yet.</div>}
          <ul className="version-list">
            {(versions.data ?? [])
              .slice()
              .sort((a, b) => b.version - a.version)
              .map((v) => (
                <li key={v.version}>
                  <button className="version-item" onClick={() => setViewing(v)}>
                    <span className="strong">v{v.version}</span>
                    <Badge value={v.status} />
                    <span className="muted small">{dateTime(v.saved_at)}</span>
                  </button>
                </li>
              ))}
          </ul>
        </aside>
      </div>
      {confirmGenerate && (
        <Modal
          title="Write this proposal with Claude?"
          onClose={() => setConfirmGenerate(false)}
          footer={
            <>
              <button className="btn" onClick={() => setConfirmGenerate(false)}>
                Cancel
              </button>
              <button className="btn btn-primary" onClick={() => void generate()} data-testid="confirm-generate">
                Write with Claude
              </button>
            </>
          }
        >
          <p>Claude replaces the text in the editor with a new proposal written from the deal. The current text is kept in Versions, so you can restore it.</p>
        </Modal>
      )}
      {viewing && (
        <Modal
          title={`Version ${viewing.version} · ${dateTime(viewing.saved_at)}`}
          onClose={() => setViewing(null)}
          wide
          footer={
            <>
              <button className="btn" onClick={() => setViewing(null)}>
                Close
              </button>
              <button
                className="btn btn-primary"
                disabled={streaming}
                onClick={() => {
                  edit(viewing.title, viewing.body);
                  setViewing(null);
                  toast(`Restored version ${viewing.version} into the editor`, "info");
                }}
              >
                Restore this version
              </button>
            </>
          }
        >
          <h2 className="version-title">{viewing.title}</h2>
          <div className="prose version-body">
            <MarkdownView source={viewing.body} />
          </div>
        </Modal>
      )}
    </div>
  );
}
