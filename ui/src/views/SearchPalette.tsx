import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from "react";
import { commands, messageOf, run, type SearchHit, type SearchResults } from "../api";
import { navigate } from "../router";
import { Spinner } from "../ui";

type Kind = SearchHit["kind"];
const GROUPS: Array<{ kind: Kind; label: string }> = [
  { kind: "battle_card", label: "Battle cards" },
  { kind: "content", label: "Content" },
  { kind: "lead", label: "Leads" },
];

function pathOf(hit: SearchHit): string {
  switch (hit.kind) {
    case "battle_card":
      return `/battle-cards/${hit.id}`;
    case "content":
      return `/content/${hit.id}`;
    default:
      return `/leads/${hit.id}`;
  }
}

export function SearchPalette({ onClose }: { onClose: () => void }) {
  const [q, setQ] = useState("");
  const [res, setRes] = useState<SearchResults | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [sel, setSel] = useState(0);
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
    const t = window.setTimeout(() => {
      run(commands.search(text, 30)).then(
        (r) => {
          if (my !== seq.current) return;
          setRes(r);
          setError(null);
          setSel(0);
          setBusy(false);
        },
        (e: unknown) => {
          if (my !== seq.current) return;
          setError(messageOf(e));
          setBusy(false);
        },
      );
    }, 80);
    return () => window.clearTimeout(t);
  }, [q]);

  const ordered = useMemo(() => {
    const hits = res?.hits ?? [];
    return GROUPS.map((g) => ({ ...g, hits: hits.filter((h) => h.kind === g.kind) })).filter((g) => g.hits.length > 0);
  }, [res]);
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
            placeholder="Search battle cards, content and leads…"
            value={q}
            onChange={(e) => setQ(e.target.value)}
            onKeyDown={onKey}
            aria-label="Search"
            spellCheck={false}
          />
          {busy && <Spinner />}
          <kbd>Esc</kbd>
        </div>
        <div className="palette-results" ref={listRef}>
          {error && <div className="palette-note error-text">{error}</div>}
          {!error && !q.trim() && (
            <div className="palette-note">
              Type a competitor, a product, an objection or a company. <kbd>↑</kbd> <kbd>↓</kbd> to move, <kbd>Enter</kbd> to open.
            </div>
          )}
          {!error && q.trim() && res && flat.length === 0 && !busy && (
            <div className="palette-note">No results for “{q.trim()}”.</div>
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
                    </div>
                    {h.snippet.length > 0 && (
                      <div className="palette-snippet">
                        {h.snippet.map((s, k) => (s.hit ? <mark key={k}>{s.text}</mark> : <span key={k}>{s.text}</span>))}
                      </div>
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
          </div>
        )}
      </div>
    </div>
  );
}
