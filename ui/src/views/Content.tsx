import { useCallback, useMemo, useState } from "react";
import { commands, count, dateShort, label, relative, run, type ContentKind } from "../api";
import { href, navigate } from "../router";
import { Chip, Empty, ErrorBox, PageHeader, SkeletonBlock, SkeletonRows, Spinner, useLoad, Pager } from "../ui";

export const KINDS: ContentKind[] = [
  "case_study",
  "deck",
  "one_pager",
  "pricing_sheet",
  "roi_calculator",
  "email_template",
  "whitepaper",
  "video",
  "battlecard",
  "other",
];
const KIND_ICON: Record<ContentKind, string> = {
  case_study: "★",
  deck: "▭",
  one_pager: "▤",
  pricing_sheet: "$",
  roi_calculator: "∑",
  email_template: "✉",
  whitepaper: "¶",
  video: "▶",
  battlecard: "⚔",
  other: "•",
};
const PAGE = 50;

function winRate(won: number, influenced: number): string {
  return influenced > 0 ? `${Math.round((won / influenced) * 100)}%` : "—";
}

export function ContentList() {
  const [kind, setKind] = useState<ContentKind | "">("");
  const [industry, setIndustry] = useState("");
  const [persona, setPersona] = useState("");
  const [offset, setOffset] = useState(0);

  const load = useCallback(
    () => run(commands.listContent({ kind: kind || null, industry: industry || null, persona: persona || null, offset, limit: PAGE })),
    [kind, industry, persona, offset],
  );
  const page = useLoad(load);
  // The facet values come from the whole library, not just the filtered page.
  const loadAll = useCallback(() => run(commands.listContent({ kind: null, industry: null, persona: null, offset: 0, limit: 1000 })), []);
  const all = useLoad(loadAll, { ready: false });
  const facets = useMemo(() => {
    const ind = new Set<string>();
    const per = new Set<string>();
    for (const c of all.data?.items ?? []) {
      c.industries.forEach((x) => ind.add(x));
      c.personas.forEach((x) => per.add(x));
    }
    return { industries: [...ind].sort(), personas: [...per].sort() };
  }, [all.data]);

  const items = page.data?.items ?? [];
  const total = page.data?.total ?? 0;
  const filtered = !!(kind || industry || persona);
  const reset = () => {
    setKind("");
    setIndustry("");
    setPersona("");
    setOffset(0);
  };

  return (
    <div className="page">
      <PageHeader
        title="Content"
        sub={page.data ? `${count(total)} ${filtered ? "matching" : "items in the library"}` : " "}
        actions={
          <a className="btn" href={href("/content-audit")} data-testid="content-audit-link">
            Audit
          </a>
        }
      />
      <div className="toolbar">
        <select className="input" value={kind} aria-label="Kind" onChange={(e) => {
            setKind(e.target.value as ContentKind | "");
            setOffset(0);
          }}>
          <option value="">All kinds</option>
          {KINDS.map((k) => (
            <option key={k} value={k}>
              {label(k)}
            </option>
          ))}
        </select>
        <select className="input" value={industry} aria-label="Industry" onChange={(e) => {
            setIndustry(e.target.value);
            setOffset(0);
          }}>
          <option value="">All industries</option>
          {facets.industries.map((x) => (
            <option key={x} value={x}>
              {x}
            </option>
          ))}
        </select>
        <select className="input" value={persona} aria-label="Persona" onChange={(e) => {
            setPersona(e.target.value);
            setOffset(0);
          }}>
          <option value="">All personas</option>
          {facets.personas.map((x) => (
            <option key={x} value={x}>
              {x}
            </option>
          ))}
        </select>
        {filtered && (
          <button className="btn btn-sm btn-ghost" onClick={reset}>
            Clear filters
          </button>
        )}
        {page.loading && page.data && <Spinner />}
      </div>
      <ErrorBox error={page.error} onRetry={page.reload} />
      <ErrorBox error={all.error} />
      {!page.data && page.loading ? (
        <SkeletonRows cols={6} />
      ) : page.data && items.length === 0 ? (
        <Empty icon="▤" title={filtered ? "Nothing matches these filters" : "The library is empty"} action={filtered ? <button className="btn" onClick={reset}>Clear filters</button> : undefined}>
          {filtered ? "Try another kind, industry or persona." : "Case studies, decks and templates your team uses will show up here."}
        </Empty>
      ) : page.data ? (
        <div className="card table-card">
          <table className="table">
            <thead>
              <tr>
                <th>Title</th>
                <th>Industries</th>
                <th className="num">Uses</th>
                <th className="num">Win rate</th>
                <th className="right">Updated</th>
              </tr>
            </thead>
            <tbody>
              {items.map((c) => (
                <tr key={c.id} className="clickable" data-testid="content-row" onClick={() => navigate(`/content/${c.id}`)}>
                  <td className="strong">
                    <span className="kind-icon" aria-hidden>
                      {KIND_ICON[c.kind]}
                    </span>
                    <a href={href(`/content/${c.id}`)} onClick={(e) => e.stopPropagation()}>
                      {c.title}
                    </a>
                    <div className="muted small kind-sub">
                      {label(c.kind)}
                      {c.personas.length > 0 && ` · ${c.personas.join(", ")}`}
                    </div>
                  </td>
                  <td>
                    <span className="chips">
                      {c.industries.slice(0, 2).map((x) => (
                        <Chip key={x}>{x}</Chip>
                      ))}
                      {c.industries.length > 2 && <span className="muted small">+{c.industries.length - 2}</span>}
                    </span>
                  </td>
                  <td className="num">{count(c.stats.uses)}</td>
                  <td className="num">{winRate(c.stats.deals_won, c.stats.deals_influenced)}</td>
                  <td className="right muted">{relative(c.updated_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager offset={offset} shown={items.length} total={total} pageSize={PAGE} onChange={setOffset} />
        </div>
      ) : null}
    </div>
  );
}

export function ContentDetail({ id }: { id: string }) {
  const load = useCallback(() => run(commands.getContent(id)), [id]);
  const item = useLoad(load);
  const c = item.data;
  return (
    <div className="page">
      <PageHeader
        back={{ href: href("/content"), label: "Content" }}
        title={c ? c.title : item.error ? "Content" : <span className="skeleton skeleton-h1" />}
        sub={
          c && (
            <span className="meta-row">
              <span className="badge tone-violet">
                {KIND_ICON[c.kind]} {label(c.kind)}
              </span>
              <span className="muted">Updated {dateShort(c.updated_at)}</span>
              {c.source_path && <span className="mono small muted">{c.source_path}</span>}
            </span>
          )
        }
      />
      <ErrorBox error={item.error} onRetry={item.reload} />
      {!c && item.loading && <SkeletonBlock lines={12} />}
      {c && (
        <div className="detail-grid">
          <article className="card card-pad prose-plain">{c.body ? c.body : <span className="muted">This item has no text.</span>}</article>
          <aside className="side-col">
            <div className="card card-pad">
              <h3 className="card-title">Performance</h3>
              <div className="mini-stats">
                <div>
                  <div className="mini-num">{count(c.stats.views)}</div>
                  <div className="mini-label">Views</div>
                </div>
                <div>
                  <div className="mini-num">{count(c.stats.uses)}</div>
                  <div className="mini-label">Uses</div>
                </div>
                <div>
                  <div className="mini-num">{count(c.stats.deals_influenced)}</div>
                  <div className="mini-label">Deals influenced</div>
                </div>
                <div>
                  <div className="mini-num">{count(c.stats.deals_won)}</div>
                  <div className="mini-label">Deals won</div>
                </div>
              </div>
              <div className="muted small">
                Win rate {winRate(c.stats.deals_won, c.stats.deals_influenced)} · last used {relative(c.stats.last_used_at)}
              </div>
            </div>
            <div className="card card-pad">
              <ChipGroup title="Industries" values={c.industries} />
              <ChipGroup title="Personas" values={c.personas} />
              <ChipGroup title="Topics" values={c.topics} />
            </div>
          </aside>
        </div>
      )}
    </div>
  );
}

function ChipGroup({ title, values }: { title: string; values: string[] }) {
  return (
    <div className="chip-group">
      <div className="chip-group-title">{title}</div>
      <div className="chips">
        {values.length === 0 ? <span className="muted small">—</span> : values.map((v) => <Chip key={v}>{v}</Chip>)}
      </div>
    </div>
  );
}
