import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { commands, events, messageOf, money, run, type Connectivity, type WorkspaceStats } from "./api";
import { href, useRoute, type Route } from "./router";
import { AppContext, Toasts, type Toast } from "./ui";
import { SearchPalette } from "./views/SearchPalette";
import { LeadDetail, LeadsList, NewLead } from "./views/Leads";
import { DealDetailView, DealsList, NewDeal } from "./views/Deals";
import { BattleCardView, BattleCardsGrid } from "./views/BattleCards";
import { ContentDetail, ContentList } from "./views/Content";
import { ProposalEditor, ProposalsList } from "./views/Proposals";
import { CallDetail, CallsList } from "./views/Calls";
import { SettingsView } from "./views/Settings";

type NavItem = { key: string; label: string; path: string; icon: string; count?: (s: WorkspaceStats) => number };

const NAV: NavItem[] = [
  { key: "leads", label: "Leads", path: "/leads", icon: "◎", count: (s) => s.leads },
  { key: "deals", label: "Deals", path: "/deals", icon: "◆", count: (s) => s.deals },
  { key: "battle-cards", label: "Battle cards", path: "/battle-cards", icon: "⚔", count: (s) => s.battle_cards },
  { key: "content", label: "Content", path: "/content", icon: "▤", count: (s) => s.content_items },
  { key: "proposals", label: "Proposals", path: "/proposals", icon: "✎", count: (s) => s.proposals },
  { key: "calls", label: "Calls", path: "/calls", icon: "☏", count: (s) => s.calls },
];

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
    default:
      return <LeadsList />;
  }
}

export function App() {
  const route = useRoute();
  const [toasts, setToasts] = useState<Toast[]>([]);
  const [stats, setStats] = useState<WorkspaceStats | null>(null);
  const [conn, setConn] = useState<Connectivity | null>(null);
  const [userName, setUserName] = useState("");
  const [reloadKey, setReloadKey] = useState(0);
  const [searchOpen, setSearchOpen] = useState(false);
  const nextToast = useRef(1);

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

  // Start-up: stats, settings (for the owner name), connectivity, and the app's events.
  useEffect(() => {
    refreshStats();
    run(commands.getSettings()).then((s) => setUserName(s.user_name), toastError);
    run(commands.connectivity()).then(setConn, toastError);
    const unlisten: Array<Promise<() => void>> = [
      events.connectivityChanged.listen((e) => setConn({ online: e.payload.online, checked_at: e.payload.checked_at })),
      events.workspaceChanged.listen(() => {
        setReloadKey((k) => k + 1);
        refreshStats();
        toast("Workspace reloaded", "info");
      }),
    ];
    return () => {
      unlisten.forEach((p) => p.then((f) => f(), () => undefined));
    };
  }, [refreshStats, toast, toastError]);

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
    () => ({ toast, toastError, stats, refreshStats, userName }),
    [toast, toastError, stats, refreshStats, userName],
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
              <span>Search content, battle cards, leads…</span>
              <kbd>Ctrl K</kbd>
            </button>
            <div className="topbar-right">
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
      {searchOpen && <SearchPalette onClose={closeSearch} />}
      <Toasts toasts={toasts} dismiss={dismiss} />
    </AppContext.Provider>
  );
}
