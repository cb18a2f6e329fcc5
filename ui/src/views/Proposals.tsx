import { useCallback, useEffect, useState } from "react";
import Markdown from "react-markdown";
import remarkGfm from "remark-gfm";
import {
  commands,
  count,
  dateTime,
  label,
  relative,
  run,
  timeOfDay,
  type Proposal,
  type ProposalStatus,
  type ProposalVersion,
} from "../api";
import { href, navigate } from "../router";
import { Badge, Empty, ErrorBox, Modal, PageHeader, SkeletonBlock, SkeletonRows, Spinner, useApp, useLoad } from "../ui";
import { AutoSaver, type SaveState } from "./autosave";

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

function Editor({ initial }: { initial: Proposal }) {
  const { toast, toastError } = useApp();
  const [title, setTitle] = useState(initial.title);
  const [body, setBody] = useState(initial.body);
  const [status, setStatus] = useState<ProposalStatus>(initial.status);
  const [version, setVersion] = useState(initial.version);
  const [save, setSave] = useState<SaveState>({ kind: "saved", at: initial.updated_at });
  const [busy, setBusy] = useState<"" | "status" | "snapshot">("");
  const [viewing, setViewing] = useState<ProposalVersion | null>(null);
  const [saver] = useState(
    () =>
      new AutoSaver(initial.id, { title: initial.title, body: initial.body }, initial.updated_at, setSave, (r) => setVersion(r.version)),
  );
  const loadVersions = useCallback(() => run(commands.listProposalVersions(initial.id)), [initial.id]);
  const versions = useLoad(loadVersions, { ready: false });

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

  const edit = (t: string, b: string) => {
    setTitle(t);
    setBody(b);
    saver.change({ title: t, body: b });
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

  const words = body.trim() ? body.trim().split(/\s+/).length : 0;

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
              disabled={busy !== ""}
              aria-label="Status"
              data-testid="proposal-status"
            >
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {label(s)}
                </option>
              ))}
            </select>
            <button className="btn" onClick={snapshot} disabled={busy !== ""} data-testid="proposal-snapshot">
              {busy === "snapshot" ? "Saving…" : "Save version"}
            </button>
          </div>
        </div>
        <div className="editor-meta muted small">
          <Badge value={status} /> v{version} · {count(words)} words · markdown
        </div>
      </div>
      <div className="editor-panes">
        <textarea
          className="md-input"
          value={body}
          onChange={(e) => edit(title, e.target.value)}
          placeholder={"# Proposal\n\nWrite in markdown: ## headings, **bold**, - lists, | tables |…"}
          spellCheck
          data-testid="proposal-body"
          aria-label="Proposal body (markdown)"
        />
        <div className="md-preview prose" aria-label="Preview">
          {body.trim() ? <MarkdownView source={body} /> : <div className="muted">The preview appears here as you type.</div>}
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
