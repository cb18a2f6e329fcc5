import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from "react";
import { commands, messageOf, run, type SearchHit, type SearchResults, type TextSpan } from "../api";
import { navigate } from "../router";
import { insertIntoProposal, Spinner, useApp } from "../ui";

type Kind = SearchHit["kind"];
const GROUPS: Array<{ kind: Kind; label: string }> = [
  { kind: "battle_card", label: "Battle cards" },
  { kind: "content", label: "Content" },
  { kind: "deal", label: "Deals" },
  { kind: "lead", label: "Leads" },
];

function pathOf(hit: SearchHit): string {
  switch (hit.kind) {
    case "battle_card":
      return `/battle-cards/${hit.id}`;
    case "content":
      return `/content/${hit.id}`;
    case "deal":
      return `/deals/${hit.id}`;
    default:
      return `/leads/${hit.id}`;
  }
}

function Spans({ spans }: { spans: TextSpan[] }) {
  return (
    <>
      {spans.map((s, k) => (s.hit ? <mark key={k}>{s.text}</mark> : <span key={k}>{s.text}</span>))}
    </>
  );
}

/** Claude's second look at the content results: pending, done (hits replaced) or why not. */
type Rerank =
  | { state: "idle" }
  | { state: "pending" }
  | { state: "done"; stale: boolean; understood: string[] }
  | { state: "failed"; why: string };

/** A facet of the results: what they are, and the content's kind, industry and persona. */
type FacetGroup = "Type" | "Kind" | "Industry" | "Persona";
type Facet = { group: FacetGroup; value: string; count: number };
const FACET_GROUPS: FacetGroup[] = ["Type", "Kind", "Industry", "Persona"];

function facetValues(h: SearchHit, group: FacetGroup): string[] {
  switch (group) {
    case "Type":
      return [GROUPS.find((g) => g.kind === h.kind)?.label ?? h.kind];
    case "Kind":
      return h.kind === "content" ? [h.subtitle] : [];
    case "Industry":
      return h.detail?.industries ?? [];
    case "Persona":
      return h.detail?.personas ?? [];
  }
}

/** The facets of `hits` with their counts; a group with one value only is left out. */
function facetsOf(hits: SearchHit[]): Facet[] {
  const out: Facet[] = [];
  for (const group of FACET_GROUPS) {
    const counts = new Map<string, number>();
    for (const h of hits) for (const v of facetValues(h, group)) counts.set(v, (counts.get(v) ?? 0) + 1);
    if (counts.size < 2) continue;
    const values = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    for (const [value, count] of values.slice(0, 6)) out.push({ group, value, count });
  }
  return out;
}

const facetKey = (f: { group: FacetGroup; value: string }) => `${f.group}:${f.value}`;

/** A hit passes when, in every group with a chosen value, it has one of the chosen values. */
function passes(h: SearchHit, chosen: Set<string>): boolean {
  for (const group of FACET_GROUPS) {
    const wanted = [...chosen].filter((k) => k.startsWith(`${group}:`));
    if (wanted.length === 0) continue;
    if (!facetValues(h, group).some((v) => wanted.includes(facetKey({ group, value: v })))) return false;
  }
  return true;
}

/**
 * The search palette. Local results (hybrid keyword + meaning search, offline) appear as
 * you type; when online, a pause in typing asks Claude to judge the content results, which
 * then gain a line on how to use them in the open deal. `dealId` is the deal on screen.
 */
/** The markdown "Use in proposal" inserts: the asset's name and its best passage. */
function excerptOf(h: SearchHit): string {
  const passage = (h.detail?.passages[0] ?? h.snippet).map((s) => s.text).join("").trim();
  return `> **${h.title}** (${h.subtitle.toLowerCase()})\n>\n> ${passage.replace(/\n+/g, " ")}`;
}

export function SearchPalette({
  onClose,
  dealId,
  online,
  proposalOpen,
}: {
  onClose: () => void;
  dealId: string | null;
  online: boolean;
  proposalOpen: boolean;
}) {
  const { toast } = useApp();
  const [q, setQ] = useState("");
  const [res, setRes] = useState<SearchResults | null>(null);
  const [rerank, setRerank] = useState<Rerank>({ state: "idle" });
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [sel, setSel] = useState(0);
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const seq = useRef(0);
  const listRef = useRef<HTMLDivElement>(null);

  // Search as you type, 80 ms debounce; an answer to an older query is ignored.
  useEffect(() => {
    const my = ++seq.current;
    const text = q.trim();
    if (!text) {
      setRes(null);
      setError(null);
      setBusy(false);
      return;
    }
    setBusy(true);
    setRerank({ state: "idle" });
    setChosen(new Set());
    let rerankTimer: number | undefined;
    const t = window.setTimeout(() => {
      run(commands.search(text, 30, dealId)).then(
        (r) => {
          if (my !== seq.current) return;
          setRes(r);
          setError(null);
          setSel(0);
          setBusy(false);
          const hasContent = r.hits.some((h) => h.kind === "content");
          // Claude's rerank only for phrases (a word or two is a lookup) and only online.
          if (!hasContent || text.split(/\s+/).length < 3) return;
          if (!online) {
            setRerank({ state: "failed", why: "Offline: showing the matched passages." });
            return;
          }
          rerankTimer = window.setTimeout(() => {
            if (my !== seq.current) return;
            setRerank({ state: "pending" });
            run(commands.rerankSearch(text, dealId)).then(
              (rr) => {
                if (my !== seq.current) return;
                setRes((prev) =>
                  prev ? { ...prev, hits: [...rr.hits, ...prev.hits.filter((h) => h.kind !== "content")] } : prev,
                );
                setRerank({ state: "done", stale: rr.stale, understood: rr.understood });
              },
              (e: unknown) => {
                if (my !== seq.current) return;
                setRerank({ state: "failed", why: `${messageOf(e)} Showing the matched passages.` });
              },
            );
          }, 500);
        },
        (e: unknown) => {
          if (my !== seq.current) return;
          setError(messageOf(e));
          setBusy(false);
        },
      );
    }, 80);
    return () => {
      window.clearTimeout(t);
      if (rerankTimer !== undefined) window.clearTimeout(rerankTimer);
    };
  }, [q, dealId, online]);

  const facets = useMemo(() => facetsOf(res?.hits ?? []), [res]);
  const ordered = useMemo(() => {
    const hits = (res?.hits ?? []).filter((h) => passes(h, chosen));
    return GROUPS.map((g) => ({ ...g, hits: hits.filter((h) => h.kind === g.kind) })).filter((g) => g.hits.length > 0);
  }, [res, chosen]);
  const toggle = (f: Facet) => {
    setSel(0);
    setChosen((prev) => {
      const next = new Set(prev);
      const k = facetKey(f);
      if (next.has(k)) next.delete(k);
      else next.add(k);
      return next;
    });
  };
  const flat = useMemo(() => ordered.flatMap((g) => g.hits), [ordered]);

  const open = (hit: SearchHit | undefined) => {
    if (!hit) return;
    onClose();
    navigate(pathOf(hit));
  };

  useEffect(() => {
    listRef.current?.querySelector(`[data-index="${sel}"]`)?.scrollIntoView({ block: "nearest" });
  }, [sel]);

  const onKey = (e: KeyboardEvent) => {
    if (e.key === "ArrowDown") {
      e.preventDefault();
      setSel((s) => (flat.length ? (s + 1) % flat.length : 0));
    } else if (e.key === "ArrowUp") {
      e.preventDefault();
      setSel((s) => (flat.length ? (s - 1 + flat.length) % flat.length : 0));
    } else if (e.key === "Enter") {
      e.preventDefault();
      open(flat[sel]);
    } else if (e.key === "Escape") {
      e.preventDefault();
      onClose();
    }
  };

  let index = -1;
  return (
    <div
      className="overlay overlay-top"
      onMouseDown={(e) => {
        if (e.target === e.currentTarget) onClose();
      }}
    >
      <div className="palette" role="dialog" aria-modal="true" aria-label="Search">
        <div className="palette-input-row">
          <span className="search-glyph" aria-hidden>
            ⌕
          </span>
          <input
            autoFocus
            data-testid="search-input"
            className="palette-input"
            placeholder="Ask for content in your words, or find a battle card, deal or lead…"
            value={q}
            onChange={(e) => setQ(e.target.value)}
            onKeyDown={onKey}
            aria-label="Search"
            spellCheck={false}
          />
          {busy && <Spinner />}
          <kbd>Esc</kbd>
        </div>
        {facets.length > 0 && (
          <div className="palette-facets" data-testid="search-facets" aria-label="Filter the results">
            {FACET_GROUPS.filter((g) => facets.some((f) => f.group === g)).map((g) => (
              <div key={g} className="palette-facet-group">
                <span className="palette-facet-label">{g}</span>
                {facets
                  .filter((f) => f.group === g)
                  .map((f) => {
                    const on = chosen.has(facetKey(f));
                    return (
                      <button
                        key={facetKey(f)}
                        type="button"
                        className={`chip chip-toggle${on ? " on" : ""}`}
                        aria-pressed={on}
                        data-testid="search-facet"
                        onClick={() => toggle(f)}
                      >
                        {f.value} <span className="chip-count">{f.count}</span>
                      </button>
                    );
                  })}
              </div>
            ))}
          </div>
        )}
        {rerank.state === "done" && rerank.understood.length > 0 && (
          <div className="palette-note palette-understood" data-testid="search-understood">
            Claude read this as: {rerank.understood.slice(0, 8).join(" · ")}
          </div>
        )}
        <div className="palette-results" ref={listRef}>
          {error && <div className="palette-note error-text">{error}</div>}
          {!error && !q.trim() && (
            <div className="palette-note">
              Ask for content in your own words, or type a competitor, a deal or a company. <kbd>↑</kbd> <kbd>↓</kbd> to move, <kbd>Enter</kbd> to open.
            </div>
          )}
          {res?.note && <div className="palette-note" data-testid="search-note">{res.note}</div>}
          {!error && q.trim() && res && flat.length === 0 && !busy && (
            <div className="palette-note">
              {chosen.size > 0 ? (
                <>
                  No result has every filter you chose.{" "}
                  <button type="button" className="link" onClick={() => setChosen(new Set())}>
                    Clear filters
                  </button>
                </>
              ) : (
                <>No results for “{q.trim()}”.</>
              )}
            </div>
          )}
          {ordered.map((g) => (
            <div key={g.kind} className="palette-group">
              <div className="palette-group-label">{g.label}</div>
              {g.hits.map((h) => {
                index += 1;
                const i = index;
                return (
                  <button
                    key={`${h.kind}:${h.id}`}
                    data-testid="search-result"
                    data-index={i}
                    className={`palette-item${i === sel ? " selected" : ""}`}
                    onMouseEnter={() => setSel(i)}
                    onClick={() => open(h)}
                  >
                    <div className="palette-item-title">
                      {h.title}
                      {h.subtitle && <span className="palette-item-sub">{h.subtitle}</span>}
                      {h.detail?.relevance != null && (
                        <span className={`relevance relevance-${h.detail.relevance}`} title="Claude's judgment (0-3)">
                          ✦ {["not relevant", "related", "useful", "best fit"][h.detail.relevance] ?? ""}
                        </span>
                      )}
                    </div>
                    {h.detail && h.detail.matched.length > 0 && (
                      <div className="chips">
                        {h.detail.matched.map((m) => (
                          <span key={m} className="chip">
                            {m}
                          </span>
                        ))}
                      </div>
                    )}
                    {h.snippet.length > 0 && (
                      <div className="palette-snippet">
                        <Spans spans={h.snippet} />
                      </div>
                    )}
                    {h.detail && (
                      <div className="palette-why" data-testid="search-why">
                        {h.detail.why}
                        {h.detail.how_to_use && <div className="palette-how">→ {h.detail.how_to_use}</div>}
                        {h.detail.source_path && (
                          <div className="palette-path">
                            {h.detail.source_path}{" "}
                            {/^(\/|[A-Za-z]:[\\/])/.test(h.detail.source_path) && (
                            <span
                              role="button"
                              tabIndex={-1}
                              className="link"
                              data-testid="open-source-file"
                              onClick={(e) => {
                                e.stopPropagation();
                                run(commands.openContentFile(h.id)).then(
                                  () => toast("Opening the file…", "info"),
                                  (err: unknown) => toast(messageOf(err), "error"),
                                );
                              }}
                            >
                              Open file
                            </span>
                            )}
                          </div>
                        )}
                      </div>
                    )}
                    {h.kind === "content" && (
                      <span
                        role="button"
                        tabIndex={-1}
                        className="palette-use"
                        data-testid="use-in-proposal"
                        onClick={(e) => {
                          e.stopPropagation();
                          if (proposalOpen) {
                            insertIntoProposal(excerptOf(h));
                            toast(`Added “${h.title}” to the proposal`, "success");
                            onClose();
                          } else {
                            void navigator.clipboard?.writeText(excerptOf(h)).then(
                              () => toast("Copied: paste it into a proposal", "info"),
                              () => toast("Open a proposal first, then use this again", "info"),
                            );
                          }
                        }}
                      >
                        {proposalOpen ? "Use in proposal" : "Copy excerpt"}
                      </span>
                    )}
                  </button>
                );
              })}
            </div>
          ))}
        </div>
        {res && flat.length > 0 && (
          <div className="palette-foot">
            {flat.length} result{flat.length === 1 ? "" : "s"} · {res.took_ms.toFixed(1)} ms
            {res.semantic ? " · by meaning and words" : " · by words"}
            {rerank.state === "pending" && " · asking Claude…"}
            {rerank.state === "done" && (rerank.stale ? " · ranked by Claude (saved answer)" : " · ranked by Claude")}
            {rerank.state === "failed" && <span className="palette-foot-note"> · {rerank.why}</span>}
          </div>
        )}
      </div>
    </div>
  );
}
