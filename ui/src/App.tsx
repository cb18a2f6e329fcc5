import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { commands, events, messageOf, money, plurals, run, type AiJobsDone, type Connectivity, type IndexStatus, type WorkspaceStats } from "./api";
import { href, useRoute, type Route } from "./router";
import { AppContext, Toasts, type Toast } from "./ui";
import { SearchPalette } from "./views/SearchPalette";
import { LeadDetail, LeadsList, NewLead } from "./views/Leads";
import { DealDetailView, DealsList, NewDeal } from "./views/Deals";
import { BattleCardView, BattleCardsGrid } from "./views/BattleCards";
import { ContentDetail, ContentList } from "./views/Content";
import { ProposalEditor, ProposalsList } from "./views/Proposals";
import { CallDetail, CallsList } from "./views/Calls";
import { LiveCallView } from "./views/LiveCall";
import { IndexProgress, SettingsView } from "./views/Settings";
import { AiUsageView } from "./views/AiUsage";
import { ContentAuditView } from "./views/ContentAudit";
import { ConflictsView, SyncPill, useSyncStatus } from "./views/Team";
import { ManagerView } from "./views/Manager";

type NavItem = { key: string; label: string; path: string; icon: string; count?: (s: WorkspaceStats) => number };

const NAV: NavItem[] = [
  { key: "leads", label: "Leads", path: "/leads", icon: "◎", count: (s) => s.leads },
  { key: "deals", label: "Deals", path: "/deals", icon: "◆", count: (s) => s.deals },
  { key: "battle-cards", label: "Battle cards", path: "/battle-cards", icon: "⚔", count: (s) => s.battle_cards },
  { key: "content", label: "Content", path: "/content", icon: "▤", count: (s) => s.content_items },
  { key: "proposals", label: "Proposals", path: "/proposals", icon: "✎", count: (s) => s.proposals },
  { key: "calls", label: "Calls", path: "/calls", icon: "☏", count: (s) => s.calls },
];

/** Workspace changes that only refresh data in place (no remount, no "reloaded" toast). */
const SOFT_REASONS = new Set(["lead scores", "queued AI work", "content library", "sync"]);

/** The notification for queued AI work that finished, e.g. "Back online: scores for 10 leads are ready." */
function aiJobsMessage(done: AiJobsDone): { text: string; kind: "success" | "error" | "info" } {
  const summary = plurals(done.summary.trim());
  if (done.completed === 0) {
    return { text: summary || `${done.failed} queued AI task${done.failed === 1 ? "" : "s"} could not be applied.`, kind: "error" };
  }
  const single = !summary.includes(",") && !/^scores\b/i.test(summary);
  let text = `Back online: ${summary || `${done.completed} AI task${done.completed === 1 ? "" : "s"}`} ${single ? "is" : "are"} ready.`;
  if (done.failed > 0) text += ` ${done.failed} other task${done.failed === 1 ? "" : "s"} could not be applied.`;
  return { text, kind: done.failed > 0 ? "info" : "success" };
}

function View({ route }: { route: Route }) {
  const [section, id] = route.parts;
  switch (section) {
    case "leads":
      if (id === "new") return <NewLead />;
      return id ? <LeadDetail id={id} /> : <LeadsList />;
    case "deals": {
      if (id === "new") {
        const leadId = route.query.get("lead");
        return <NewDeal key={leadId ?? ""} leadId={leadId} />;
      }
      return id ? <DealDetailView id={id} /> : <DealsList />;
    }
    case "battle-cards":
      return id ? <BattleCardView id={id} /> : <BattleCardsGrid />;
    case "content":
      return id ? <ContentDetail id={id} /> : <ContentList />;
    case "proposals":
      return id ? <ProposalEditor id={id} /> : <ProposalsList />;
    case "calls":
      return id ? <CallDetail id={id} /> : <CallsList />;
    case "settings":
      return <SettingsView />;
    case "ai-usage":
      return <AiUsageView />;
    case "content-audit":
      return <ContentAuditView />;
    case "team":
      return <ManagerView />;
    case "conflicts":
      return <ConflictsView />;
    default:
      return <LeadsList />;
  }
}

export function App() {
  const route = useRoute();
  return route.parts[0] === "live-call" ? <LiveCallView route={route} /> : <Shell />;
}

function Shell() {
  const route = useRoute();
  const [toasts, setToasts] = useState<Toast[]>([]);
  const [stats, setStats] = useState<WorkspaceStats | null>(null);
  const [conn, setConn] = useState<Connectivity | null>(null);
  const [userName, setUserName] = useState("");
  const [reloadKey, setReloadKey] = useState(0);
  const [epoch, setEpoch] = useState(0);
  const refreshTimer = useRef<number | null>(null);
  const [searchOpen, setSearchOpen] = useState(false);
  const [indexStatus, setIndexStatus] = useState<IndexStatus | null>(null);
  const nextToast = useRef(1);
  const [sync] = useSyncStatus();
  // The manager view: for managers and admins, and in the demo (not signed in).
  const showTeam = sync == null || sync.state === "signed_out" || (sync.account != null && sync.account.role !== "rep");

  const dismiss = useCallback((id: number) => setToasts((ts) => ts.filter((t) => t.id !== id)), []);
  const toast = useCallback(
    (text: string, kind: Toast["kind"] = "info") => {
      const id = nextToast.current++;
      setToasts((ts) => [...ts.slice(-3), { id, kind, text }]);
      window.setTimeout(() => dismiss(id), kind === "error" ? 8000 : 3500);
    },
    [dismiss],
  );
  const toastError = useCallback((e: unknown) => toast(messageOf(e), "error"), [toast]);

  const refreshStats = useCallback(() => {
    run(commands.workspaceStats()).then(setStats, toastError);
  }, [toastError]);

  // Data changed behind the current view: fetch again in place (several events in a row
  // — AI jobs done, then the workspace change that follows — make one refresh).
  const softRefresh = useCallback(() => {
    if (refreshTimer.current != null) return;
    refreshTimer.current = window.setTimeout(() => {
      refreshTimer.current = null;
      setEpoch((n) => n + 1);
      refreshStats();
    }, 150);
  }, [refreshStats]);

  // Start-up: stats, settings (for the owner name), connectivity, and the app's events.
  useEffect(() => {
    refreshStats();
    run(commands.getSettings()).then((s) => setUserName(s.user_name), toastError);
    run(commands.connectivity()).then(setConn, toastError);
    const unlisten: Array<Promise<() => void>> = [
      events.connectivityChanged.listen((e) => setConn({ online: e.payload.online, checked_at: e.payload.checked_at })),
      events.workspaceChanged.listen((e) => {
        if (SOFT_REASONS.has(e.payload.reason)) {
          softRefresh();
          return;
        }
        setReloadKey((k) => k + 1);
        refreshStats();
        toast("Workspace reloaded", "info");
      }),
      events.indexStatusChanged.listen((e) => setIndexStatus(e.payload)),
      events.aiJobsCompleted.listen((e) => {
        const m = aiJobsMessage(e.payload);
        toast(m.text, m.kind);
        softRefresh();
      }),
    ];
    return () => {
      unlisten.forEach((p) => p.then((f) => f(), () => undefined));
    };
  }, [refreshStats, softRefresh, toast, toastError]);

  useEffect(
    () => () => {
      if (refreshTimer.current != null) window.clearTimeout(refreshTimer.current);
    },
    [],
  );

  // Ctrl+K / Cmd+K, or "/" outside a text field, opens the search palette.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement | null;
      const typing = !!t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable);
      if ((e.key === "k" || e.key === "K") && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        setSearchOpen(true);
      } else if (e.key === "/" && !typing && !e.ctrlKey && !e.metaKey && !e.altKey) {
        e.preventDefault();
        setSearchOpen(true);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  const ctx = useMemo(
    () => ({ toast, toastError, stats, refreshStats, userName, epoch }),
    [toast, toastError, stats, refreshStats, userName, epoch],
  );
  const section = route.parts[0] ?? "leads";
  const closeSearch = useCallback(() => setSearchOpen(false), []);

  return (
    <AppContext.Provider value={ctx}>
      <div className="shell">
        <aside className="sidebar">
          <div className="brand">
            <span className="brand-mark">C</span>
            <span className="brand-name">Closer</span>
          </div>
          <nav className="nav">
            {NAV.map((n) => (
              <a
                key={n.key}
                href={href(n.path)}
                data-testid={`nav-${n.key}`}
                className={`nav-link${section === n.key ? " active" : ""}`}
                aria-current={section === n.key ? "page" : undefined}
              >
                <span className="nav-icon" aria-hidden>
                  {n.icon}
                </span>
                <span className="nav-label">{n.label}</span>
                {stats && n.count && <span className="nav-count">{n.count(stats)}</span>}
              </a>
            ))}
          </nav>
          {stats && (
            <div className="pipeline">
              <div className="pipeline-label">Open pipeline</div>
              <div className="pipeline-value">{money(stats.open_pipeline_cents)}</div>
            </div>
          )}
          <div className="nav nav-bottom">
            {showTeam && (
              <a
                href={href("/team")}
                data-testid="nav-team"
                className={`nav-link${section === "team" ? " active" : ""}`}
                aria-current={section === "team" ? "page" : undefined}
              >
                <span className="nav-icon" aria-hidden>
                  ▦
                </span>
                <span className="nav-label">Team</span>
              </a>
            )}
            <a
              href={href("/ai-usage")}
              data-testid="nav-ai-usage"
              className={`nav-link${section === "ai-usage" ? " active" : ""}`}
              aria-current={section === "ai-usage" ? "page" : undefined}
            >
              <span className="nav-icon" aria-hidden>
                ✦
              </span>
              <span className="nav-label">AI usage</span>
            </a>
            <a
              href={href("/settings")}
              data-testid="nav-settings"
              className={`nav-link${section === "settings" ? " active" : ""}`}
              aria-current={section === "settings" ? "page" : undefined}
            >
              <span className="nav-icon" aria-hidden>
                ⚙
              </span>
              <span className="nav-label">Settings</span>
            </a>
            {userName && (
              <div className="me">
                <span className="me-dot" />
                {userName}
              </div>
            )}
          </div>
        </aside>
        <div className="main">
          <div className="topbar">
            <button className="search-trigger" onClick={() => setSearchOpen(true)} data-testid="search-open">
              <span className="search-glyph" aria-hidden>
                ⌕
              </span>
              <span>Search content, battle cards, deals, leads…</span>
              <kbd>Ctrl K</kbd>
            </button>
            <div className="topbar-right">
              <IndexProgress status={indexStatus} />
              <SyncPill status={sync} />
              <span
                data-testid="connectivity"
                className={`pill ${conn == null ? "pill-unknown" : conn.online ? "pill-online" : "pill-offline"}`}
                title={conn ? `Checked ${new Date(conn.checked_at).toLocaleTimeString()}` : "Checking…"}
              >
                <span className="pill-dot" />
                {conn == null ? "Checking…" : conn.online ? "Online" : "Offline"}
              </span>
            </div>
          </div>
          <main className="content" key={`${route.path}#${reloadKey}`}>
            <View route={route} />
          </main>
        </div>
      </div>
      {searchOpen && (
        <SearchPalette
          onClose={closeSearch}
          dealId={route.parts[0] === "deals" && route.parts[1] ? route.parts[1] : null}
          online={conn?.online ?? false}
          proposalOpen={route.parts[0] === "proposals" && !!route.parts[1]}
        />
      )}
      <Toasts toasts={toasts} dismiss={dismiss} />
    </AppContext.Provider>
  );
}
