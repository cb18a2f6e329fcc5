// DEV ONLY: a fake Tauri backend so the UI runs in a plain browser (`npm run dev`, then
// open /dev.html). It is loaded only by dev.html and is never part of `vite build`.
import { mockIPC } from "@tauri-apps/api/mocks";
import { emit } from "@tauri-apps/api/event";
import type {
  AiBudgets,
  AiLedgerEntry,
  Activity,
  BattleCardSuggestion,
  DealAnalysis,
  FeatureDayCost,
  LocalHealth,
  QueueItem,
  SecondaryEndpoint,
  BattleCard,
  Call,
  CommandError,
  ContentItem,
  Deal,
  DealDraft,
  Lead,
  LeadStatus,
  Proposal,
  ProposalVersion,
  SearchHit,
  Settings,
  HealthTrendPoint,
  PipelineCell,
  SyncConflict,
  SyncSignIn,
  SyncStatus,
  TeamDeal,
  TeamOverview,
} from "../src/bindings.gen";

const now = Date.now();
let liveCall: string | null = null;
const dnc: { phone: string; reason: string; added_at: number }[] = [];

/** A scripted call for the live window in the browser: partials, finals, a card. */
function mockLiveCall(callId: string) {
  const lines: [string, string][] = [
    ["rep", "Thanks for taking the time today."],
    ["prospect", "Sure. Honestly, the price is more than we planned for."],
    ["prospect", "We are also looking at Vantage BI."],
  ];
  lines.forEach(([speaker, text], i) => {
    const start = i * 4000;
    setTimeout(() => void emit("live-call-changed", { type: "partial", call_id: callId, speaker, start_ms: start, text: text.split(" ").slice(0, 3).join(" ") }), 1000 + i * 2500);
    setTimeout(() => {
      void emit("live-call-changed", { type: "final", call_id: callId, seq: i, segment: { speaker, start_ms: start, end_ms: start + 3000, text } });
      void emit("live-call-changed", { type: "metrics", call_id: callId, metrics: { now_ms: start + 3000, rep_talk_ratio: i === 0 ? 1 : 0.4, longest_rep_monologue_ms: 3000, rep_questions: 0, rep_fillers: 0, rep_wpm: 140 } });
      if (i === 1) void emit("live-call-changed", { type: "suggestion", call_id: callId, moment_id: 1, card: { title: "Objection: Price", kind: "objection:price", card_id: null, competitor: null, objection: null, response: "Ask what they compare the price against, then move to payback.", evidence: ["the price is more than we planned"], segment_end_ms: start + 3000 } });
    }, 2000 + i * 2500);
  });
}
const DAY = 86_400_000;
let seq = 1000;
const id = () => `0198${(seq++).toString(16).padStart(4, "0")}-mock`;

const companies = [
  "Northwind Logistics", "Acme Robotics", "Globex Health", "Initech Software", "Umbrella Biotech", "Stark Manufacturing",
  "Wayne Financial", "Cyberdyne Systems", "Soylent Foods", "Hooli Cloud", "Pied Piper", "Vandelay Industries",
  "Tyrell Analytics", "Wonka Confections", "Aperture Labs", "Massive Dynamic", "Oscorp Materials", "Gringotts Capital",
  "Monarch Retail", "Blue Sun Energy", "Duff Beverages", "Prestige Worldwide", "Sterling Cooper", "Dunder Mifflin Paper",
];
const industries = ["Logistics", "Manufacturing", "Healthcare", "Software", "Biotech", "Financial services", "Retail", "Energy"];
const owners = ["Alex Rivera", "Sam Chen", "Priya Patel", "Jordan Lee"];
const first = ["Maya", "Liam", "Noah", "Olivia", "Ethan", "Ava", "Lucas", "Mia", "Leo", "Zoe", "Ivan", "Nora"];
const last = ["Garcia", "Kim", "Novak", "Okafor", "Schmidt", "Rossi", "Tanaka", "Dubois", "Silva", "Murphy"];
const titles = ["VP Sales", "CRO", "Head of RevOps", "Sales Director", "CFO", "IT Manager", "Enablement Lead"];
const statuses: LeadStatus[] = ["new", "contacted", "qualified", "proposal", "won", "lost"];

const leads: Lead[] = [];
for (let i = 0; i < 128; i++) {
  const base = companies[i % companies.length];
  const company = i < companies.length ? base : `${base} ${["EU", "APAC", "Labs", "Group", "US"][i % 5]} ${Math.floor(i / companies.length)}`;
  const domain = company.toLowerCase().replace(/[^a-z0-9]+/g, "") + ".com";
  const contacts = Array.from({ length: 1 + (i % 3) }, (_, k) => {
    const name = `${first[(i + k) % first.length]} ${last[(i * 3 + k) % last.length]}`;
    return { name, title: titles[(i + k) % titles.length], email: `${name.split(" ")[0].toLowerCase()}@${domain}`, phone: k === 0 ? "+1 415 555 01" + String(i % 100).padStart(2, "0") : null };
  });
  const b = { budget: (i * 37) % 101, authority: (i * 53) % 101, need: (i * 71) % 101, timeline: (i * 29) % 101 };
  const score = Math.round((b.budget + b.authority + b.need + b.timeline) / 4);
  leads.push({
    id: id(),
    company,
    domain,
    industry: industries[i % industries.length],
    employee_count: 40 + ((i * 997) % 9000),
    contacts,
    source: ["Webinar", "Referral", "Outbound", "Inbound demo request"][i % 4],
    status: statuses[i % statuses.length],
    owner: owners[i % owners.length],
    score: i % 7 === 6 ? null : { score, breakdown: b, rationale: "Budget confirmed for Q3; champion is the VP Sales; evaluating two other vendors.", scored_at: now - (i % 9) * DAY },
    created_at: now - (i + 30) * DAY,
    updated_at: now - i * 3_600_000 * 5,
  });
}

const cards: BattleCard[] = [
  {
    id: id(), competitor: "Gong",
    summary: "Conversation intelligence leader. Strong recording and analytics, but cloud-only, expensive, and managers — not reps — get most of the value.",
    our_strengths: ["Works fully offline on the rep's laptop", "Battle cards pop up live when a competitor is named", "One tool for proposals, content and calls", "Rep-first: saves time every day"],
    their_weaknesses: ["Per-seat pricing climbs fast past 50 reps", "Everything goes through their cloud — security reviews take months", "Little help before or after the call itself"],
    key_differentiators: ["Local-first, data stays on device", "Proposal editor with versioning", "Import from Salesforce/HubSpot in seconds"],
    pricing_comparison: "Gong: ~$1,400–1,600 per user/year plus a platform fee. Closer: $480 per user/year, no platform fee.",
    objections: [
      { objection: "We already use Gong", response: "Great — keep it for call recording. Closer is what reps use the other 7 hours a day: prep, battle cards, proposals. Many teams run both." },
      { objection: "Gong has better analytics", response: "For managers, yes. Ask who opens it daily: reps need answers during the call, which is where Closer is strongest." },
      { objection: "Our security team won't approve another tool", response: "Closer keeps data on the laptop and the API key in the OS keychain. Reviews usually take days, not months." },
    ],
    trigger_phrases: ["Gong", "call recording", "revenue intelligence"],
    updated_by: "Priya Patel", created_at: now - 90 * DAY, updated_at: now - 2 * DAY,
  },
  {
    id: id(), competitor: "Seismic",
    summary: "Enterprise sales enablement and content management. Powerful but heavy: long rollouts and admin-driven.",
    our_strengths: ["Up and running in an afternoon", "Content suggested by deal context", "Works on a plane"],
    their_weaknesses: ["6–9 month implementations", "Needs a dedicated admin", "Reps find content hard to search"],
    key_differentiators: ["Full-text search across everything in <50 ms", "Win-rate stats per content item"],
    pricing_comparison: "Seismic: enterprise contract, typically $50k+ platform minimum. Closer: per seat, no minimum.",
    objections: [{ objection: "Seismic integrates with everything", response: "We import from the CRMs you use and export clean markdown. Ask how many of those integrations are actually switched on." }],
    trigger_phrases: ["Seismic", "LiveDocs", "enablement platform"],
    updated_by: "Sam Chen", created_at: now - 80 * DAY, updated_at: now - 9 * DAY,
  },
  {
    id: id(), competitor: "Klue", summary: "Competitive intelligence platform for PMMs. Great research, weak in the rep's actual workflow.",
    our_strengths: ["Battle cards where reps already work", "Objection search in one keystroke"], their_weaknesses: ["Built for marketers, not reps", "Cards go stale"],
    key_differentiators: ["Trigger phrases surface the right card live"], pricing_comparison: "Klue: priced per CI seat + consumer seats. Closer includes battle cards in every seat.",
    objections: [{ objection: "Our PMM team loves Klue", response: "Keep it for research. Closer puts the output in front of reps on the call." }], trigger_phrases: ["Klue", "competitive intel"],
    updated_by: null, created_at: now - 70 * DAY, updated_at: now - 20 * DAY,
  },
  {
    id: id(), competitor: "Granola", summary: "AI meeting notes app. Lovely notes, but no pipeline, content or competitive context.",
    our_strengths: ["Notes tied to the deal and its timeline", "Follow-up email drafted from the analysis"], their_weaknesses: ["No CRM context", "No battle cards or content"],
    key_differentiators: ["Whole sales workflow in one app"], pricing_comparison: "Granola: ~$18/user/month. Closer: $40/user/month for the whole workflow.",
    objections: [{ objection: "Granola is cheaper", response: "It replaces one thing we do. Count the tools Closer replaces before comparing price." }], trigger_phrases: ["Granola", "meeting notes"],
    updated_by: "Alex Rivera", created_at: now - 40 * DAY, updated_at: now - 1 * DAY,
  },
  {
    id: id(), competitor: "Highspot", summary: "Sales enablement with content and training. Broad, but generic.", our_strengths: ["Faster search", "Offline"], their_weaknesses: ["Generic recommendations"],
    key_differentiators: ["Deal-aware content"], pricing_comparison: "Comparable list price; we include call analysis.", objections: [], trigger_phrases: ["Highspot"],
    updated_by: null, created_at: now - 60 * DAY, updated_at: now - 30 * DAY,
  },
];

const stagesList = ["discovery", "qualification", "proposal", "negotiation", "closed_won", "closed_lost"] as const;
const deals: Deal[] = Array.from({ length: 22 }, (_, i) => ({
  id: id(),
  lead_id: leads[i].id,
  name: `${leads[i].company} — ${["Team rollout", "Enterprise expansion", "Pilot", "Renewal"][i % 4]}`,
  amount_cents: (12_400 + ((i * 7919) % 180_000)) * 100,
  stage: stagesList[i % stagesList.length],
  close_date: new Date(now + ((i % 9) - 2) * 14 * DAY).toISOString().slice(0, 10),
  competitors: [cards[i % cards.length].competitor, ...(i % 3 === 0 ? [cards[(i + 1) % cards.length].competitor] : []), ...(i % 5 === 0 ? ["Clari"] : [])],
  owner: owners[i % owners.length],
  stakeholders: [
    { name: leads[i].contacts[0].name, title: leads[i].contacts[0].title, role: "champion" },
    { name: `${first[(i + 5) % first.length]} ${last[(i + 2) % last.length]}`, title: "CFO", role: "economic_buyer" },
    { name: `${first[(i + 7) % first.length]} ${last[(i + 4) % last.length]}`, title: "Head of IT", role: i % 2 ? "blocker" : "influencer" },
  ],
  created_at: now - (60 - i) * DAY,
  updated_at: now - i * 7_200_000,
}));

const activities: Activity[] = deals.flatMap((d, i) =>
  (["meeting", "email", "call", "stage_change", "note"] as const).map((kind, k) => ({
    id: id(), deal_id: d.id, lead_id: d.lead_id, kind,
    body: {
      meeting: "Discovery meeting with the sales leadership team. Main pain: reps prepare for calls in five different tools.",
      email: "Sent the Northwind case study and ROI calculator.",
      call: "Call with champion: security review starts next week; they asked about offline mode.",
      stage_change: `Stage moved to ${d.stage.replace("_", " ")}.`,
      note: "CFO wants a 2-year price lock. Check with deal desk.",
    }[kind],
    author: owners[(i + k) % owners.length], at: now - (k * 3 + i) * DAY * 0.7, created_at: now - k * DAY, updated_at: now - k * DAY,
  })),
);

const kinds = ["case_study", "deck", "one_pager", "pricing_sheet", "roi_calculator", "email_template", "whitepaper", "video"] as const;
const content: ContentItem[] = Array.from({ length: 18 }, (_, i) => ({
  id: id(),
  title: ["How Northwind cut ramp time by 40%", "Closer overview deck", "Security & privacy one-pager", "2026 pricing sheet", "ROI calculator", "Follow-up after discovery", "Local-first sales tools (whitepaper)", "Product tour video"][i % 8] + (i >= 8 ? ` (${industries[i % industries.length]})` : ""),
  kind: kinds[i % kinds.length],
  industries: [industries[i % industries.length], industries[(i + 3) % industries.length]],
  personas: [["VP Sales", "CRO"], ["RevOps"], ["CFO"], ["IT / Security"]][i % 4],
  topics: ["ramp time", "offline", "security", "pricing"].slice(0, 1 + (i % 4)),
  body: "Northwind Logistics had 120 reps preparing for calls across five tools.\n\nAfter rolling out Closer, new reps reached quota 40% faster, and battle cards were opened on 63% of competitive calls.\n\n“Our reps finally have one place to look.” — VP Sales, Northwind",
  source_path: i % 2 ? `/Shared/Sales/${i}.pdf` : null,
  stats: { views: 40 + i * 13, uses: 5 + i * 3, deals_influenced: 2 + (i % 7), deals_won: i % 5, last_used_at: now - i * DAY },
  created_at: now - 100 * DAY, updated_at: now - i * 2 * DAY,
}));

const proposals: Proposal[] = deals.slice(0, 6).map((d, i) => ({
  id: id(), deal_id: d.id, lead_id: d.lead_id, title: `${d.name} proposal`,
  body: `# ${d.name}\n\n## Why Closer\n\nYour reps spend **two hours a day** switching between tools. Closer puts leads, battle cards, content and proposals in one offline-first app.\n\n## Scope\n\n- 45 seats, rolled out in two waves\n- CRM import from Salesforce\n- Battle cards for Gong and Seismic\n\n## Pricing\n\n| Item | Price |\n| --- | --- |\n| Closer seat | $480 / year |\n| Onboarding | included |\n`,
  status: (["draft", "sent", "accepted", "draft", "rejected", "sent"] as const)[i], version: 1 + (i % 3), created_at: now - 10 * DAY, updated_at: now - i * DAY,
}));
const versions: ProposalVersion[] = proposals.flatMap((p) =>
  Array.from({ length: p.version }, (_, k) => ({ proposal_id: p.id, version: k + 1, title: p.title, body: p.body.slice(0, 120 + k * 80), status: p.status, saved_at: now - (p.version - k) * DAY })),
);

const calls: Call[] = deals.slice(0, 5).map((d, i) => ({
  id: id(), deal_id: d.id, lead_id: d.lead_id, title: `Discovery call — ${leads[i].company}`, started_at: now - (i + 1) * DAY, ended_at: now - (i + 1) * DAY + 31 * 60_000,
  segments: [
    { speaker: "rep", start_ms: 0, end_ms: 9000, text: "Thanks for making time today. I'd love to understand how your reps prepare for calls right now." },
    { speaker: "prospect", start_ms: 9000, end_ms: 26000, text: "Honestly it's a mess. We have Gong for recordings, Seismic for content, and battle cards live in a Google Doc nobody opens." },
    { speaker: "rep", start_ms: 26000, end_ms: 41000, text: "That's common. What happens when a competitor comes up mid-call?" },
    { speaker: "prospect", start_ms: 41000, end_ms: 63000, text: "The rep usually says they'll follow up. We lose a week. Also our security team is strict — anything cloud takes months to approve." },
    { speaker: "rep", start_ms: 63000, end_ms: 90000, text: "Closer runs locally on the laptop; nothing leaves the device unless you connect a team server. Battle cards come up as soon as a competitor is named." },
    { speaker: "prospect", start_ms: 90000, end_ms: 104000, text: "What does pricing look like for about 45 reps?" },
    { speaker: "unknown", start_ms: 104000, end_ms: 110000, text: "Sorry, joining late — I'm from IT." },
  ],
  analysis: i === 4 ? null : {
    summary: "Prospect uses Gong and Seismic but battle cards are ignored. Security review is the main hurdle; offline mode resonated strongly.",
    sentiment: [0.62, 0.18, -0.3, 0.45][i], topics: ["battle cards", "security review", "pricing", "Gong"],
    objections: [
      { objection: "Security team is strict about cloud tools", handled: true, note: "Explained local-first storage and OS keychain." },
      { objection: "Already paying for Gong", handled: false, note: null },
    ],
    next_actions: ["Send security one-pager to IT", "Share pricing for 45 seats", "Book demo with RevOps next Tuesday"],
    follow_up_email: "Hi Maya,\n\nThanks for the time today. As promised, attached is our security one-pager — Closer keeps all data on the laptop.\n\nPricing for 45 seats: $21,600/year.\n\nDoes Tuesday at 10:00 work for a demo with RevOps?\n\nBest,\nAlex",
  },
  created_at: now - DAY, updated_at: now - DAY,
}));

let settings: Settings = { user_name: "Alex Rivera", team_server_url: null, connectivity_probe: "api.anthropic.com:443", microphone: null, call_audio: null, keep_call_audio: false };
let keySet = false;

function fail(kind: CommandError["kind"], message: string, fields: CommandError["fields"] = [], rows: CommandError["rows"] = []): never {
  throw { kind, message, fields, rows } satisfies CommandError;
}
const find = <T extends { id: string }>(xs: T[], x: string): T => xs.find((e) => e.id === x) ?? fail("not_found", `no such record: ${x}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function stats() {
  return {
    leads: leads.length, deals: deals.length, battle_cards: cards.length, content_items: content.length, proposals: proposals.length, calls: calls.length,
    open_pipeline_cents: deals.filter((d) => !d.stage.startsWith("closed")).reduce((a, d) => a + d.amount_cents, 0),
  };
}
function page<T>(xs: T[], offset: number, limit: number) {
  return { items: xs.slice(offset, offset + limit), total: xs.length, offset, limit };
}
function spans(text: string, q: string) {
  const i = text.toLowerCase().indexOf(q.toLowerCase());
  if (i < 0) return [{ text: text.slice(0, 90), hit: false }];
  const s = Math.max(0, i - 30);
  return [
    { text: (s > 0 ? "…" : "") + text.slice(s, i), hit: false },
    { text: text.slice(i, i + q.length), hit: true },
    { text: text.slice(i + q.length, i + q.length + 60) + "…", hit: false },
  ];
}
function validateLead(d: Lead | Omit<Lead, "id" | "score" | "created_at" | "updated_at">) {
  const f: CommandError["fields"] = [];
  if (!d.company.trim()) f.push({ field: "company", reason: "a company name is required" });
  if (d.domain && !d.domain.includes(".")) f.push({ field: "domain", reason: `'${d.domain}' is not a domain like acme.com` });
  d.contacts.forEach((c, i) => c.email && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(c.email) && f.push({ field: `contacts[${i}].email`, reason: `'${c.email}' is not an email address` }));
  if (f.length) fail("invalid", "The lead has problems; see the fields.", f);
}

// Mirrors DealDraft::validate and the store's checks and clean-up (crates/store/src/deals.rs).
function checkDeal(d: DealDraft): DealDraft {
  const f: CommandError["fields"] = [];
  if (!d.name.trim()) f.push({ field: "name", reason: "a deal name is required" });
  if (d.amount_cents < 0) f.push({ field: "amount_cents", reason: "cannot be negative" });
  if (d.close_date && !/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/.test(d.close_date)) f.push({ field: "close_date", reason: `'${d.close_date}' is not a date like 2026-12-31` });
  if (d.lead_id && !leads.some((l) => l.id === d.lead_id)) f.push({ field: "lead_id", reason: `no lead with id ${d.lead_id}` });
  if (f.length) fail("invalid", "The deal has problems; see the fields.", f);
  const seen = new Set<string>();
  const competitors = d.competitors.map((c) => c.trim()).filter((c) => c && !seen.has(c.toLowerCase()) && seen.add(c.toLowerCase()));
  return { ...d, name: d.name.trim(), competitors, owner: d.owner?.trim() || null, close_date: d.close_date?.trim() || null };
}

// ---- AI (mock of the gateway and the ai crate) ------------------------------------------

const FEATURES = ["proposal", "lead_score", "deal_analysis", "call_analysis", "battle_card_refresh", "proposal_polish", "search_rerank"];
const MODELS: Record<string, string> = { proposal: "claude-sonnet-4-5", deal_analysis: "claude-sonnet-4-5", call_analysis: "claude-sonnet-4-5", battle_card_refresh: "claude-sonnet-4-5" };
const modelOf = (f: string) => MODELS[f] ?? "claude-haiku-4-5";
const ledger: AiLedgerEntry[] = [];
let ledgerSeq = 1;
function logAi(feature: string, outcome = "ok", extra: Partial<AiLedgerEntry> = {}, ts = Date.now()) {
  const input = 1200 + ((ledgerSeq * 7919) % 6000);
  const output = feature === "proposal" ? 1800 + (ledgerSeq % 900) : 150 + ((ledgerSeq * 31) % 500);
  const cacheRead = ledgerSeq % 3 === 0 ? 900 : 0;
  const cached = extra.cache_layer === "response";
  const cost = outcome !== "ok" || cached ? 0 : (input * (modelOf(feature).includes("haiku") ? 1 : 3) + output * (modelOf(feature).includes("haiku") ? 5 : 15)) / 1_000_000;
  ledger.unshift({
    id: ledgerSeq++, ts, feature, model: modelOf(feature), routing_reason: modelOf(feature).includes("haiku") ? "short task" : "long-form writing",
    est_input_tokens: input + 40, input_tokens: cached ? 0 : input, output_tokens: cached ? 0 : output, cache_creation_tokens: ledgerSeq % 5 === 0 ? 1100 : 0,
    cache_read_tokens: cacheRead, cost_usd: cost, latency_ms: cached ? 4 : 600 + ((ledgerSeq * 137) % 5200), cache_layer: "none", served_from: cached ? "response_cache" : "upstream",
    attempts: 1, retries: 0, outcome, error: null, request_id: `req_mock_${ledgerSeq}`,
    prompt_excerpt: `Deal: Northwind Logistics — Team rollout · contact [email redacted] · ${feature.replace("_", " ")} request…`, ...extra,
  });
}
for (let i = 0; i < 140; i++) {
  const f = FEATURES[(i * 5) % FEATURES.length];
  const day = Math.floor((i * 17) % 29);
  logAi(f, i % 23 === 0 ? "error" : i % 11 === 0 ? "stale" : "ok", i % 11 === 0 ? { cache_layer: "stale", served_from: "stale_cache" } : i % 4 === 0 ? { cache_layer: "response" } : i % 13 === 0 ? { retries: 1, attempts: 2 } : {}, now - day * DAY - (i % 9) * 3_600_000);
}
ledger.sort((x, y) => y.ts - x.ts);
let budgets: AiBudgets = { monthly_usd: 1, per_feature: [{ feature: "proposal", limit_usd: 0.5 }, { feature: "deal_analysis", limit_usd: 2 }] };
let secondary: SecondaryEndpoint | null = null;
const queue: QueueItem[] = [];
let queueSeq = 1;
const suggestions: BattleCardSuggestion[] = [];
const analyses = new Map<string, DealAnalysis>();
const streams = new Map<string, { cancelled: boolean }>();
const queuedCalls = new Set<string>();
const aiOffline = () => new URLSearchParams(window.location.search).has("offline");

function usage() {
  const since = Date.now() - 30 * DAY;
  const rows = ledger.filter((r) => r.ts >= since);
  const days = new Map<string, FeatureDayCost>();
  const feats = new Map<string, { feature: string; requests: number; cache_hits: number; input_tokens: number; output_tokens: number; cache_creation_tokens: number; cache_read_tokens: number; cost_usd: number }>();
  const empty = (feature: string) => ({ feature, requests: 0, cache_hits: 0, input_tokens: 0, output_tokens: 0, cache_creation_tokens: 0, cache_read_tokens: 0, cost_usd: 0 });
  const total = empty("all");
  for (const r of rows) {
    const day = new Date(r.ts).toISOString().slice(0, 10);
    const k = `${day}|${r.feature}`;
    const d = days.get(k) ?? { day, feature: r.feature, cost_usd: 0 };
    d.cost_usd += r.cost_usd;
    days.set(k, d);
    const f = feats.get(r.feature) ?? empty(r.feature);
    for (const t of [f, total]) {
      t.requests++;
      t.cache_hits += r.cache_layer !== "none" ? 1 : 0;
      t.input_tokens += r.input_tokens;
      t.output_tokens += r.output_tokens;
      t.cache_creation_tokens += r.cache_creation_tokens;
      t.cache_read_tokens += r.cache_read_tokens;
      t.cost_usd += r.cost_usd;
    }
    feats.set(r.feature, f);
  }
  const month = new Date();
  const monthStart = Date.UTC(month.getUTCFullYear(), month.getUTCMonth(), 1);
  const spent = (f?: string) => ledger.filter((r) => r.ts >= monthStart && (!f || r.feature === f)).reduce((a, r) => a + r.cost_usd, 0);
  const status = (scope: string, limit: number, s: number) => {
    const percent = limit > 0 ? (s / limit) * 100 : 100;
    return { scope, spent_usd: s, limit_usd: limit, percent, state: percent >= 100 ? "exceeded" : percent >= 80 ? "warning" : "ok" };
  };
  const lat = rows.filter((r) => r.served_from === "upstream").map((r) => r.latency_ms).sort((x, y) => x - y);
  return {
    since,
    cost_by_feature_day: [...days.values()],
    features: [...feats.values()].sort((x, y) => y.cost_usd - x.cost_usd),
    total,
    response_cache_hit_rate: total.requests ? total.cache_hits / total.requests : 0,
    prompt_cache_hit_rate: total.input_tokens ? total.cache_read_tokens / (total.input_tokens + total.cache_read_tokens) : 0,
    latency_p50_ms: lat.length ? lat[Math.floor(lat.length * 0.5)] : null,
    latency_p95_ms: lat.length ? lat[Math.floor(lat.length * 0.95)] : null,
    budgets: [
      ...(budgets.monthly_usd != null ? [status("monthly", budgets.monthly_usd, spent())] : []),
      ...budgets.per_feature.map((b) => status(b.feature, b.limit_usd, spent(b.feature))),
    ],
    circuit: aiOffline() ? { status: "open", opened_at: Date.now() - 4 * 60_000, consecutive_failures: 5 } : { status: "closed", opened_at: null, consecutive_failures: 0 },
    queue,
    recent: ledger.slice(0, 50),
  };
}

function localHealth(d: Deal): LocalHealth {
  const acts = activities.filter((a) => a.deal_id === d.id).sort((x, y) => y.at - x.at);
  const quiet = acts.length ? Math.round((Date.now() - acts[0].at) / DAY) : 99;
  const factors = [
    { key: "stage", label: "Stage", points: ["negotiation", "proposal"].includes(d.stage) ? 10 : 0, detail: `In ${d.stage.replace("_", " ")}` },
    { key: "activity_recency", label: "Activity", points: quiet > 14 ? -15 : quiet > 7 ? -5 : 5, detail: quiet > 7 ? `No activity for ${quiet} days (${quiet > 14 ? "−15" : "−5"})` : `Last activity ${quiet} day(s) ago (+5)` },
    { key: "competition", label: "Competition", points: -5 * Math.max(0, d.competitors.length - 1), detail: `${d.competitors.length} competitor(s) named` },
    { key: "champion", label: "Champion", points: d.stakeholders.some((s) => s.role === "champion") ? 8 : -10, detail: d.stakeholders.some((s) => s.role === "champion") ? "A champion is mapped (+8)" : "No champion mapped (−10)" },
  ].filter((f) => f.points !== 0);
  const score = Math.max(0, Math.min(100, 60 + factors.reduce((a, f) => a + f.points, 0)));
  return { score, band: score >= 70 ? "healthy" : score >= 45 ? "at_risk" : "critical", factors };
}

function analysisOf(d: Deal): DealAnalysis {
  const acts = activities.filter((a) => a.deal_id === d.id);
  const call = calls.find((c) => c.deal_id === d.id);
  const lead = leads.find((l) => l.id === d.lead_id);
  return {
    deal_health_score: Math.max(5, localHealth(d).score - 6),
    confidence: acts.length > 3 ? "medium" : "low",
    summary: `${lead?.company ?? "The prospect"} sees the value (one tool instead of five) but the security review and the CFO's price-lock request can stall the deal before ${d.close_date ?? "the close date"}.`,
    buying_signals: [
      { signal: "Champion asked about offline mode and rollout timing", timestamp: new Date(acts[2]?.at ?? Date.now()).toISOString().slice(0, 10), strength: "strong", source: acts[2]?.id ?? "" },
      { signal: "Requested pricing for 45 seats", timestamp: new Date(acts[1]?.at ?? Date.now()).toISOString().slice(0, 10), strength: "moderate", source: call?.id ?? acts[1]?.id ?? "" },
    ],
    risks: [
      { risk: "Security review not started", severity: "high", evidence: [acts[2]?.id, call?.id].filter(Boolean) as string[], recommended_action: "Send the security one-pager to the Head of IT this week." },
      { risk: "CFO wants a 2-year price lock", severity: "medium", evidence: [acts[4]?.id].filter(Boolean) as string[], recommended_action: "Agree the discount floor with the deal desk before the pricing call." },
    ],
    next_actions: [
      { action: "Book the security review with IT", priority: 1, timing: "within 48 hours", rationale: "It gates the close date." },
      { action: "Share the ROI calculator with the CFO", priority: 2, timing: "before the pricing call", rationale: "The CFO needs numbers for the price-lock discussion." },
      { action: "Ask the champion to introduce the economic buyer", priority: 3, timing: "this week", rationale: "Only one contact is engaged." },
    ],
    content_recommendations: [
      { content_id: content[2].id, relevance_score: 92, reason: "Answers the security team's questions." },
      { content_id: content[4].id, relevance_score: 81, reason: "Gives the CFO the payback period." },
    ],
    stakeholder_map: d.stakeholders.map((s, i) => ({ name: s.name, title: s.title ?? "", role: (s.role ?? "influencer") as DealAnalysis["stakeholder_map"][number]["role"], influence: (["high", "high", "medium"] as const)[i % 3], stance: (["supportive", "neutral", "opposed"] as const)[i % 3] })),
    competitive_threats: d.competitors.slice(0, 2).map((c) => ({ competitor: c, threat: `${c} is already in use by part of the team.`, response: "Position Closer as the rep's daily tool; it runs alongside." })),
    analyzed_at: Date.now(),
    model: "claude-sonnet-4-5",
    stale: aiOffline(),
  };
}

const PROPOSAL_TEXT = (company: string) => `# Proposal for ${company}

## Why now

Your reps prepare for calls in **five different tools** and lose a week every time a competitor comes up. Closer brings leads, battle cards, content and proposals into one app that works offline.

## What you get

- Battle cards that surface live when a competitor is named
- Proposals drafted from the deal and your content library
- Call analysis with a ready follow-up email

## Rollout

| Phase | When | Seats |
| --- | --- | --- |
| Pilot | Month 1 | 10 |
| Team | Month 2 | 45 |

## Investment

$480 per seat per year, onboarding included. A two-year price lock is available.
`;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Args = any;
// ---- team sync and the manager view (mock) ----
let syncState: SyncStatus = { state: "signed_out", message: null, server_url: null, account: null, last_synced_at: null, pending: 0, conflicts: 0, progress_done: null, progress_total: null };
let mockConflicts: SyncConflict[] = [];
function teamOverview(days: number): TeamOverview {
  const team: TeamDeal[] = deals.map((d) => {
    const health = localHealth(d).score;
    return { id: d.id, name: d.name, company: leads.find((l) => l.id === d.lead_id)?.company ?? null, rep: d.owner ?? "Unassigned", stage: d.stage, amount_cents: d.amount_cents, close_date: d.close_date, health, band: health >= 70 ? "healthy" : health >= 40 ? "at_risk" : "critical", source: "local", at_risk_cents: Math.round(d.amount_cents * (1 - health / 100)), updated_at: d.updated_at };
  });
  const open = team.filter((d) => !d.stage.startsWith("closed"));
  const cells = new Map<string, PipelineCell>();
  for (const d of team) {
    const k = `${d.rep}|${d.stage}`;
    const c = cells.get(k) ?? { rep: d.rep, stage: d.stage, deals: 0, amount_cents: 0 };
    c.deals += 1;
    c.amount_cents += d.amount_cents;
    cells.set(k, c);
  }
  const reps = Array.from(new Set(open.map((d) => d.rep))).map((rep) => {
    const mine = open.filter((d) => d.rep === rep);
    const amount = mine.reduce((a, d) => a + d.amount_cents, 0);
    return { rep, open_deals: mine.length, open_amount_cents: amount, average_health: Math.round(mine.reduce((a, d) => a + d.health * d.amount_cents, 0) / Math.max(1, amount)), deals: mine };
  });
  const trend: HealthTrendPoint[] = [];
  for (let i = days - 1; i >= 0; i--) {
    const day = new Date(now - i * DAY).toISOString().slice(0, 10);
    for (const r of [{ rep: "Team", average_health: 0, open_deals: open.length }, ...reps]) {
      const base = r.rep === "Team" ? reps.reduce((a, x) => a + x.average_health, 0) / Math.max(1, reps.length) : r.average_health;
      trend.push({ day, rep: r.rep, average_health: Math.max(0, Math.min(100, base + 8 * Math.sin((i + r.rep.length) / 5) + i / 4)), deals: r.open_deals });
    }
  }
  return { pipeline: Array.from(cells.values()), reps, risks: open.sort((a, b) => b.at_risk_cents - a.at_risk_cents), trend, computed_at: Date.now() };
}

mockIPC(
  async (cmd: string, a?: Args) => {
    await sleep(cmd === "search" ? 15 : 120);
    switch (cmd) {
      case "workspace_stats":
      case "reset_demo":
        return stats();
      case "app_ready":
        return null;
      case "connectivity":
        return { online: true, checked_at: Date.now() };
      case "list_leads": {
        const q = a.query;
        let xs = leads.filter((l) => (!q.status || l.status === q.status) && (!q.text || `${l.company} ${l.domain} ${l.contacts.map((c) => c.name).join(" ")}`.toLowerCase().includes(q.text.toLowerCase())));
        const key = (l: Lead) => (q.sort === "company" ? l.company.toLowerCase() : q.sort === "score" ? (l.score?.score ?? -1) : l.updated_at);
        xs = [...xs].sort((x, y) => (key(x) < key(y) ? -1 : key(x) > key(y) ? 1 : 0) * (q.dir === "asc" ? 1 : -1));
        return page(
          xs.map((l) => ({ id: l.id, company: l.company, industry: l.industry, employee_count: l.employee_count, status: l.status, owner: l.owner, score: l.score?.score ?? null, primary_contact: l.contacts[0]?.name ?? null, updated_at: l.updated_at })),
          q.offset,
          q.limit,
        );
      }
      case "get_lead":
        return find(leads, a.id);
      case "create_lead": {
        validateLead(a.draft);
        const l: Lead = { ...a.draft, id: id(), score: null, created_at: Date.now(), updated_at: Date.now() };
        leads.unshift(l);
        return l;
      }
      case "update_lead": {
        validateLead(a.draft);
        const l = find(leads, a.id);
        Object.assign(l, a.draft, { updated_at: Date.now() });
        return l;
      }
      case "delete_lead":
        leads.splice(leads.indexOf(find(leads, a.id)), 1);
        return null;
      case "list_deals": {
        const q = a.query;
        const xs = deals.filter((d) => (!q.stage || d.stage === q.stage) && (!q.open_only || !d.stage.startsWith("closed")) && (!q.text || d.name.toLowerCase().includes(q.text.toLowerCase())));
        return page(xs.map((d) => ({ ...d, company: leads.find((l) => l.id === d.lead_id)?.company ?? null })), q.offset, q.limit);
      }
      case "get_deal": {
        const d = find(deals, a.id);
        return {
          deal: d,
          lead: leads.find((l) => l.id === d.lead_id) ?? null,
          timeline: activities.filter((x) => x.deal_id === d.id),
          proposals: proposals.filter((p) => p.deal_id === d.id).map((p) => ({ ...p, company: null, deal_name: d.name })),
          calls: calls.filter((c) => c.deal_id === d.id).map((c) => ({ id: c.id, title: c.title, company: null, deal_name: d.name, started_at: c.started_at, duration_ms: 31 * 60_000, sentiment: c.analysis?.sentiment ?? null })),
          battle_cards: cards.filter((c) => d.competitors.includes(c.competitor)).map((c) => ({ id: c.id, competitor: c.competitor, summary: c.summary, open_deals: 3, updated_at: c.updated_at })),
        };
      }
      case "create_deal": {
        const draft = checkDeal(a.draft);
        const d: Deal = { ...draft, owner: draft.owner ?? settings.user_name, id: id(), created_at: Date.now(), updated_at: Date.now() };
        deals.unshift(d);
        return d;
      }
      case "update_deal": {
        const draft = checkDeal(a.draft);
        const d = find(deals, a.id);
        Object.assign(d, draft, { updated_at: Date.now() });
        return d;
      }
      case "add_activity": {
        if (!a.activity.body.trim()) fail("invalid", "a note cannot be empty", [{ field: "body", reason: "required" }]);
        const act: Activity = { ...a.activity, id: id(), author: settings.user_name, at: a.activity.at ?? Date.now(), created_at: Date.now(), updated_at: Date.now() };
        activities.push(act);
        return act;
      }
      case "list_battle_cards":
        return cards.map((c) => ({ id: c.id, competitor: c.competitor, summary: c.summary, open_deals: deals.filter((d) => !d.stage.startsWith("closed") && d.competitors.includes(c.competitor)).length, updated_at: c.updated_at }));
      case "get_battle_card":
        return find(cards, a.id);
      case "save_battle_card": {
        if (!a.draft.competitor.trim()) fail("invalid", "a competitor name is required", [{ field: "competitor", reason: "a competitor name is required" }]);
        if (a.id) {
          const c = find(cards, a.id);
          Object.assign(c, a.draft, { updated_at: Date.now() });
          return c;
        }
        const c: BattleCard = { ...a.draft, id: id(), created_at: Date.now(), updated_at: Date.now() };
        cards.push(c);
        return c;
      }
      case "list_content": {
        const q = a.query;
        const xs = content.filter((c) => (!q.kind || c.kind === q.kind) && (!q.industry || c.industries.includes(q.industry)) && (!q.persona || c.personas.includes(q.persona)));
        return page(xs, q.offset, q.limit);
      }
      case "get_content":
        return find(content, a.id);
      case "list_proposals":
        return proposals.map((p) => {
          const d = deals.find((x) => x.id === p.deal_id);
          return { id: p.id, title: p.title, company: leads.find((l) => l.id === p.lead_id)?.company ?? null, deal_name: d?.name ?? null, status: p.status, version: p.version, updated_at: p.updated_at };
        });
      case "get_proposal":
        return find(proposals, a.id);
      case "create_proposal": {
        const p: Proposal = { ...a.proposal, id: id(), status: "draft", version: 1, created_at: Date.now(), updated_at: Date.now() };
        proposals.unshift(p);
        versions.push({ proposal_id: p.id, version: 1, title: p.title, body: p.body, status: p.status, saved_at: Date.now() });
        return p;
      }
      case "save_proposal": {
        await sleep(200);
        const p = find(proposals, a.id);
        Object.assign(p, a.edit, { updated_at: Date.now() });
        return { updated_at: p.updated_at, version: p.version };
      }
      case "set_proposal_status":
      case "snapshot_proposal": {
        const p = find(proposals, a.id);
        if (a.status) p.status = a.status;
        p.version += 1;
        const v = { proposal_id: p.id, version: p.version, title: p.title, body: p.body, status: p.status, saved_at: Date.now() };
        versions.push(v);
        return cmd === "snapshot_proposal" ? v : p;
      }
      case "list_proposal_versions":
        return versions.filter((v) => v.proposal_id === a.id);
      case "list_calls":
        return calls.map((c) => ({ id: c.id, title: c.title, company: leads.find((l) => l.id === c.lead_id)?.company ?? null, deal_name: deals.find((d) => d.id === c.deal_id)?.name ?? null, started_at: c.started_at, duration_ms: c.ended_at ? c.ended_at - c.started_at : null, sentiment: c.analysis?.sentiment ?? null }));
      case "get_call":
        return find(calls, a.id);
      case "search": {
        const q = String(a.query).trim();
        const hits: SearchHit[] = [];
        for (const c of cards) {
          const t = `${c.competitor} ${c.summary} ${c.objections.map((o) => o.objection).join(" ")}`;
          if (t.toLowerCase().includes(q.toLowerCase())) hits.push({ kind: "battle_card", id: c.id, title: c.competitor, subtitle: "Battle card", snippet: spans(t, q), rank: -3, detail: null });
        }
        for (const c of content) if (`${c.title} ${c.body}`.toLowerCase().includes(q.toLowerCase())) hits.push({ kind: "content", id: c.id, title: c.title, subtitle: c.kind.replace("_", " "), snippet: spans(c.body, q), rank: -2, detail: { matched: c.industries.slice(0, 1), why: `${c.kind.replace("_", " ")} that mentions “${q}”.`, how_to_use: null, relevance: null, source_path: null, passages: [spans(c.body, q)], industries: c.industries, personas: c.personas } });
        for (const l of leads) if (l.company.toLowerCase().includes(q.toLowerCase())) hits.push({ kind: "lead", id: l.id, title: l.company, subtitle: l.industry ?? "", snippet: spans(l.company, q), rank: -1, detail: null });
        return { query: q, hits: hits.slice(0, a.limit), took_ms: 3.2, semantic: true, note: null };
      }
      case "call_precheck":
        return { checked: ["4155550100"], listed: dnc.find((d) => d.phone === "4155550100") ?? null, checked_at: Date.now() };
      case "start_call": {
        if (!a.consentConfirmed) fail("call_refused", "Read the consent announcement to the prospect and confirm it before recording.");
        const callId = id();
        liveCall = callId;
        mockLiveCall(callId);
        return { call_id: callId, title: "Call — mock", microphone: "USB Headset Microphone", call_audio: "Monitor of Built-in Speakers", coaching: true, coaching_off_reason: null };
      }
      case "stop_call": {
        const c = calls[0];
        liveCall = null;
        return c;
      }
      case "live_call_id":
        return liveCall;
      case "mark_call_moment":
        return seq++;
      case "set_call_moment_action":
        return null;
      case "call_review": {
        const c = find(calls, a.id);
        return {
          call: c,
          consent: { state: "confirmed", at: c.started_at, dnc: { checked: ["4155550100"], listed: null, checked_at: c.started_at } },
          moments: c.segments.length > 2 ? [{ id: 1, call_id: c.id, at_ms: c.segments[2].end_ms, kind: "objection:price", card_id: null, text: "Ask what they compare the price against, then move to payback.", action: "used" }] : [],
          audio_path: null,
        };
      }
      case "dnc_list":
        return dnc;
      case "dnc_add": {
        const e = { phone: String(a.phone).replace(/\D/g, ""), reason: String(a.reason), added_at: Date.now() };
        dnc.unshift(e);
        return e;
      }
      case "dnc_remove":
        return true;
      case "open_live_call_window":
        window.open(`/dev.html#/live-call?deal=${a.dealId ?? ""}`, "live-call", "width=360,height=560");
        return null;
      case "audio_inputs":
        return [
          { id: "pulseaudio:alsa_input.usb-headset", name: "USB Headset Microphone", is_default: true, is_monitor: false },
          { id: "pulseaudio:alsa_input.pci-analog", name: "Built-in Microphone", is_default: false, is_monitor: false },
          { id: "pulseaudio:alsa_output.pci-analog.monitor", name: "Monitor of Built-in Speakers", is_default: false, is_monitor: true },
        ];
      case "start_level_meter":
        return "USB Headset Microphone";
      case "stop_level_meter":
        return null;
      case "pick_csv_file":
        return "/home/alex/Downloads/salesforce-leads.csv";
      case "preview_lead_import": {
        const bad = String(a.path).includes("bad");
        if (String(a.path).includes("missing")) fail("import", `cannot open ${a.path}: no such file`);
        return {
          path: a.path, lead_count: 342, format: "salesforce", encoding: "windows-1252", row_count: 380,
          columns: [
            { column: 1, header: "Account Name", field: "company" }, { column: 2, header: "Website", field: "domain" }, { column: 3, header: "Industry", field: "industry" },
            { column: 4, header: "First Name", field: "contact_first_name" }, { column: 5, header: "Last Name", field: "contact_last_name" }, { column: 6, header: "Email", field: "contact_email" },
            { column: 7, header: "Lead Source", field: "source" }, { column: 8, header: "Fax", field: null }, { column: 9, header: "Rating__c", field: null },
          ],
          ignored_columns: ["Fax", "Rating__c"],
          sample: leads.slice(0, 4).map((l) => ({ company: l.company, domain: l.domain, industry: l.industry, employee_count: l.employee_count, contacts: l.contacts.slice(0, 1), source: l.source, status: l.status, owner: l.owner })),
          errors: bad ? [{ line: 14, column: "Email", reason: "'maya@@acme' is not an email address" }, { line: 201, column: "Account Name", reason: "empty company name" }] : [],
          errors_truncated: false,
        };
      }
      case "import_leads": {
        for (let done = 0; done <= 380; done += 38) {
          await emit("import-progress", { done, total: 380 });
          await sleep(120);
        }
        return { rows: 380, imported: 342, format: "salesforce", ignored_columns: ["Fax", "Rating__c"], took_ms: 812 };
      }
      case "get_settings":
        return settings;
      case "save_settings":
        if (!a.settings.user_name.trim()) fail("invalid", "a name is required", [{ field: "user_name", reason: "a name is required" }]);
        settings = a.settings;
        return settings;
      case "api_key_status":
        return { set: keySet, backend: "Secret Service" };
      case "set_api_key":
        keySet = true;
        return { set: true, backend: "Secret Service" };
      case "clear_api_key":
        keySet = false;
        return { set: false, backend: "Secret Service" };
      case "generate_proposal": {
        const p = find(proposals, a.proposalId);
        const d = find(deals, a.dealId);
        const company = leads.find((l) => l.id === d.lead_id)?.company ?? d.name;
        const s = { cancelled: false };
        streams.set(a.streamId, s);
        const snapshotBefore = () => versions.push({ proposal_id: p.id, version: ++p.version, title: p.title, body: p.body, status: p.status, saved_at: Date.now() });
        if (aiOffline()) {
          await sleep(400);
          snapshotBefore();
          p.body = PROPOSAL_TEXT(company).replace("# Proposal", "# Draft proposal");
          p.updated_at = Date.now();
          queue.push({ id: queueSeq++, kind: "proposal_polish", feature: "proposal_polish", status: "pending", created_at: Date.now(), updated_at: Date.now(), attempts: 1, last_error: "Claude could not be reached (connection refused)" });
          logAi("proposal", "queued");
          return { proposal: p, source: "offline_draft", polish_queued: true, cost_usd: 0, notice: "Drafted offline from your content library. An AI polish is queued and will run when Claude can be reached." };
        }
        await sleep(500);
        const text = PROPOSAL_TEXT(company);
        let sent = "";
        for (const piece of text.match(/[\s\S]{1,9}/g) ?? []) {
          if (s.cancelled) break;
          sent += piece;
          a.onText.onmessage(piece);
          await sleep(35);
        }
        streams.delete(a.streamId);
        snapshotBefore();
        p.body = sent;
        p.updated_at = Date.now();
        logAi("proposal", s.cancelled ? "cancelled" : "ok");
        return { proposal: p, source: s.cancelled ? "cancelled" : "claude", polish_queued: false, cost_usd: s.cancelled ? 0 : ledger[0].cost_usd, notice: budgets.per_feature.some((b) => b.feature === "proposal") ? "You have used 84 % of this month's proposal budget." : null };
      }
      case "cancel_generation": {
        const s = streams.get(a.streamId);
        if (s) s.cancelled = true;
        return !!s;
      }
      case "export_proposal":
        await sleep(300);
        if (String(a.suggestedName).endsWith(".docx") && new URLSearchParams(window.location.search).has("export-fails")) fail("export", "The Word file could not be written: the disk is full.");
        return `/home/alex/Documents/${a.suggestedName}`;
      case "export_proposal_to":
        return null;
      case "score_leads": {
        await sleep(900);
        const ids: string[] = a.ids;
        if (aiOffline()) {
          queue.push({ id: queueSeq++, kind: "lead_scores", feature: "lead_score", status: "pending", created_at: Date.now(), updated_at: Date.now(), attempts: 0, last_error: null });
          return { scored: 0, queued: ids.length, failed: 0, notice: `${ids.length} lead(s) will be scored when Claude can be reached.` };
        }
        for (const lid of ids) {
          const l = leads.find((x) => x.id === lid);
          if (!l) continue;
          const r = (k: number) => Math.min(100, Math.max(0, ((l.company.length * 13 + k * 29 + Date.now() / 1000) | 0) % 101));
          const b = { budget: r(1), authority: r(2), need: r(3), timeline: r(4) };
          l.score = { score: Math.round((b.budget + b.authority + b.need + b.timeline) / 4), breakdown: b, rationale: `${l.industry} company of ${l.employee_count} people; ${l.contacts[0]?.title ?? "a contact"} engaged; timeline unclear.`, scored_at: Date.now() };
          l.updated_at = Date.now();
        }
        for (let i = 0; i < ids.length; i += 10) logAi("lead_score");
        await emit("workspace-changed", { reason: "lead scores" });
        return { scored: ids.length, queued: 0, failed: 0, notice: null };
      }
      case "deal_insights": {
        const d = find(deals, a.dealId);
        return { local: localHealth(d), analysis: analyses.get(d.id) ?? null };
      }
      case "analyze_deal": {
        await sleep(1500);
        const d = find(deals, a.dealId);
        if (new URLSearchParams(window.location.search).has("budget")) fail("ai", "This month's budget for deal analysis is used up ($2.00 of $2.00). Raise it in Settings → AI, or wait until next month.");
        analyses.set(d.id, analysisOf(d));
        logAi("deal_analysis", aiOffline() ? "stale" : "ok");
        return { local: localHealth(d), analysis: analyses.get(d.id) };
      }
      case "analyze_call": {
        await sleep(1200);
        const c = find(calls, a.callId);
        if (aiOffline()) {
          queuedCalls.add(c.id);
          queue.push({ id: queueSeq++, kind: "call_analysis", feature: "call_analysis", status: "pending", created_at: Date.now(), updated_at: Date.now(), attempts: 0, last_error: null });
          return { analysis: null, queued: true, notice: "Claude cannot be reached right now: the analysis is queued and will appear here when it runs." };
        }
        c.analysis = c.analysis ?? {
          summary: "The prospect's IT lead joined late; pricing for 45 reps was the main question. Security came up again.",
          sentiment: 0.21, topics: ["pricing", "security", "rollout"],
          objections: [{ objection: "Another tool to approve", handled: true, note: "Local-first storage explained." }],
          next_actions: ["Send pricing for 45 seats", "Share the security one-pager with IT"],
          follow_up_email: "Hi,\n\nThanks for today. Pricing for 45 seats is attached.\n\nBest,\nAlex",
        };
        logAi("call_analysis");
        return { analysis: c.analysis, queued: false, notice: null };
      }
      case "refresh_battle_card": {
        await sleep(1400);
        const c = find(cards, a.cardId);
        const fresh: BattleCardSuggestion[] = [
          { id: id(), card_id: c.id, section: "weaknesses", current: null, suggested: `${c.competitor} raised prices 12 % at renewal for two of our prospects`, reason: "Mentioned on two calls this month.", sources: [calls[0].id, activities[3].id], status: "pending", created_at: Date.now() },
          ...(c.objections[0] ? [{ id: id(), card_id: c.id, section: "objection" as const, current: c.objections[0].response, suggested: `${c.objections[0].response} Since March, teams can import their ${c.competitor} data in one click.`, objection: c.objections[0].objection, reason: "Reps answered this with the new import on three deals.", sources: [activities[8].id], status: "pending" as const, created_at: Date.now() }] : []),
          { id: id(), card_id: c.id, section: "summary", current: c.summary, suggested: `${c.summary} Now bundling a notes app for free.`, reason: "Prospects mention the bundle.", sources: [], status: "pending", created_at: Date.now() },
        ];
        suggestions.push(...fresh);
        logAi("battle_card_refresh");
        return fresh;
      }
      case "battle_card_suggestions":
        return suggestions.filter((x) => x.status === "pending" && (!a.cardId || x.card_id === a.cardId));
      case "decide_suggestion": {
        const sg = find(suggestions, a.id);
        const c = find(cards, sg.card_id);
        sg.status = a.accept ? "accepted" : "rejected";
        if (a.accept) {
          const list = ({ strengths: "our_strengths", weaknesses: "their_weaknesses", differentiators: "key_differentiators", trigger_phrases: "trigger_phrases" } as const)[sg.section as "strengths"];
          if (list) c[list] = sg.current == null ? [...c[list], sg.suggested] : c[list].map((x) => (x === sg.current ? sg.suggested : x));
          else if (sg.section === "summary") c.summary = sg.suggested;
          else if (sg.section === "pricing") c.pricing_comparison = sg.suggested;
          else if (sg.section === "objection") c.objections = c.objections.map((o) => (o.objection === sg.objection ? { ...o, response: sg.suggested } : o));
          c.updated_at = Date.now();
          c.updated_by = settings.user_name;
        }
        return c;
      }
      case "ai_usage":
        return usage();
      case "ai_settings":
        return { budgets, secondary, base_url: "http://127.0.0.1:4010", api_key: { set: keySet, backend: "Secret Service" }, demo: true };
      case "save_ai_settings":
        if (a.input.budgets.monthly_usd != null && a.input.budgets.monthly_usd < 0) fail("ai", "the monthly budget must be 0 or more dollars, not " + a.input.budgets.monthly_usd + ".");
        budgets = a.input.budgets;
        secondary = a.input.secondary;
        return { budgets, secondary, base_url: "http://127.0.0.1:4010", api_key: { set: keySet, backend: "Secret Service" }, demo: true };
      case "run_ai_queue": {
        await sleep(800);
        if (aiOffline()) return { completed: 0, failed: 0, summary: "", polished_proposals: [] };
        const parts: string[] = [];
        const polished: string[] = [];
        for (const q of queue.splice(0)) {
          if (q.kind === "lead_scores") parts.push("scores for 10 lead(s)");
          if (q.kind === "call_analysis") parts.push("a call analysis");
          if (q.kind === "proposal_polish") {
            const p = proposals.find((x) => x.body.startsWith("# Draft proposal"));
            if (p) {
              p.body = p.body.replace("# Draft proposal", "# Proposal");
              p.updated_at = Date.now();
              polished.push(p.id);
              parts.push(`the polish of “${p.title}”`);
            }
          }
        }
        const done = { completed: parts.length, failed: 0, summary: parts.join(", "), polished_proposals: polished };
        if (parts.length) {
          await emit("ai-jobs-completed", done);
          await emit("workspace-changed", { reason: "queued AI work" });
        }
        return done;
      }
      case "sync_status":
        return syncState;
      case "sync_sign_in": {
        await sleep(600);
        const input = a.input as SyncSignIn;
        if (!/^https?:\/\/./.test(input.server_url)) fail("sync", `'${input.server_url}' is not a server address; write it like https://closer.example.com`);
        if (input.password !== "demo") fail("sync", "The team server refused: wrong email or password.");
        const at = Date.now();
        mockConflicts = [
          { id: 1, entity: "deal", entity_id: deals[0].id, title: deals[0].name, field: "amount_cents", current_value: String(deals[0].amount_cents), other_value: String(deals[0].amount_cents + 500000), other_side: "theirs", other_by: "device 3f9a1c", other_at: at - 3_600_000, refused: null, recorded_at: at },
        ];
        syncState = { ...syncState, state: "up_to_date", server_url: input.server_url, account: { email: input.email, role: input.email.startsWith("max") ? "manager" : "rep", org_id: "org-1" }, last_synced_at: at, conflicts: mockConflicts.length };
        await emit("sync-status-changed", syncState);
        return syncState;
      }
      case "sync_sign_out":
        syncState = { ...syncState, state: "signed_out", account: null, message: null };
        await emit("sync-status-changed", syncState);
        return syncState;
      case "sync_now": {
        if (syncState.state === "signed_out") fail("sync", "Sign in to a team server first (Settings → Team sync).");
        const offline = new URLSearchParams(window.location.search).has("sync-offline");
        syncState = offline
          ? { ...syncState, state: "offline", pending: 3, message: "The team server cannot be reached. Your changes are kept on this computer and sync when it answers again." }
          : { ...syncState, state: "up_to_date", pending: 0, message: null, last_synced_at: Date.now() };
        await emit("sync-status-changed", syncState);
        return syncState;
      }
      case "sync_conflicts":
        return mockConflicts;
      case "resolve_sync_conflict": {
        mockConflicts = mockConflicts.filter((c) => c.id !== a.resolution.id);
        syncState = { ...syncState, conflicts: mockConflicts.length };
        await emit("sync-status-changed", syncState);
        return mockConflicts;
      }
      case "team_overview":
        await sleep(200);
        return teamOverview(a.days);
      default:
        fail("internal", `mock: unknown command ${cmd}`);
    }
  },
  { shouldMockEvents: true },
);

// Dev-only scripted interactions for headless screenshots: dev.html?script=search:gong
// or ?script=import or ?script=import-bad; click:<testid>,<testid>… clicks in turn (e.g.
// ?script=click:deal-row,generate-proposal#/deals), fill:<testid>=<value>|…!<testid> types
// then clicks, jobs plays queued AI work finishing; steps chain with ";".
// AI flags: ?offline (Claude unreachable: offline draft, queued scores and call analysis,
// circuit open), ?budget (deal analysis refused by the budget), ?export-fails (Word export).
const script = new URLSearchParams(window.location.search).get("script");
function typeInto(el: HTMLInputElement | HTMLTextAreaElement, value: string) {
  const proto = el instanceof HTMLTextAreaElement ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
  Object.getOwnPropertyDescriptor(proto, "value")?.set?.call(el, value);
  el.dispatchEvent(new Event("input", { bubbles: true }));
}
const byText = (t: string) => [...document.querySelectorAll("button")].find((b) => b.textContent?.includes(t));
// Several steps run one after the other when separated by ";" (e.g. click:proposal-row;jobs).
async function step(script: string) {
  {
    if (script.startsWith("search:")) {
      window.dispatchEvent(new KeyboardEvent("keydown", { key: "k", ctrlKey: true, bubbles: true }));
      await sleep(100);
      typeInto(document.querySelector('[data-testid="search-input"]') as HTMLInputElement, script.slice(7));
    } else if (script.startsWith("import")) {
      byText("Import CSV")?.click();
      await sleep(100);
      typeInto(document.querySelector('[data-testid="import-path"]') as HTMLInputElement, script === "import-bad" ? "/tmp/bad.csv" : "/tmp/leads.csv");
      await sleep(50);
      byText("Preview")?.click();
      if (script === "import-run") {
        await sleep(600);
        (document.querySelector('[data-testid="import-run"]') as HTMLButtonElement).click();
      }
    } else if (script.startsWith("deal-")) {
      // On /deals/new or a deal's page: deal-lead, deal-fill, deal-invalid, deal-invalid-server, deal-create, deal-edit, deal-edit-save, deal-stage.
      const $ = <T extends Element>(t: string) => document.querySelector(`[data-testid="${t}"]`) as T;
      const choose = (t: string, v: string) => {
        const el = $<HTMLSelectElement>(t);
        Object.getOwnPropertyDescriptor(HTMLSelectElement.prototype, "value")?.set?.call(el, v);
        el.dispatchEvent(new Event("change", { bubbles: true }));
      };
      const key = (el: Element, k: string) => el.dispatchEvent(new KeyboardEvent("keydown", { key: k, bubbles: true }));
      if (script === "deal-edit" || script === "deal-stage" || script === "deal-edit-save") {
        if (script === "deal-stage") choose("deal-stage", "closed_won");
        else $<HTMLButtonElement>("deal-edit").click();
        if (script === "deal-edit-save") {
          await sleep(50);
          typeInto($<HTMLInputElement>("deal-amount"), "99,000");
          choose("deal-form-stage", "proposal");
          document.querySelector<HTMLButtonElement>('[data-testid="stakeholder-row"] .contact-remove')?.click();
          await sleep(50);
          $<HTMLButtonElement>("deal-save").click();
        }
        return;
      }
      const lead = $<HTMLInputElement>("deal-lead");
      if (script === "deal-invalid") {
        // Caught before sending: an amount that is not one, a stakeholder without a name.
        typeInto($<HTMLInputElement>("deal-amount"), "lots");
        $<HTMLButtonElement>("deal-add-stakeholder").click();
        await sleep(50);
        typeInto(document.querySelectorAll('[data-testid="stakeholder-row"] input')[1] as HTMLInputElement, "CFO");
        $<HTMLButtonElement>("deal-save").click();
        return;
      }
      if (script === "deal-invalid-server") {
        // Sent: the backend answers with per-field errors (no name).
        typeInto($<HTMLInputElement>("deal-amount"), "25000");
        $<HTMLButtonElement>("deal-save").click();
        return;
      }
      if (lead) {
        lead.focus();
        typeInto(lead, "ro");
      }
      if (script === "deal-lead") return;
      await sleep(400);
      if ($("deal-lead-option")) ($("deal-lead-option") as HTMLElement).click();
      typeInto($<HTMLInputElement>("deal-name"), "Acme Robotics — Team rollout");
      typeInto($<HTMLInputElement>("deal-amount"), "48.5k");
      choose("deal-form-stage", "qualification");
      typeInto($<HTMLInputElement>("deal-close-date"), "2026-03-31");
      const comp = $<HTMLInputElement>("deal-competitor-input");
      comp.focus();
      typeInto(comp, "go");
      await sleep(50);
      key(comp, "Enter");
      await sleep(50);
      typeInto(comp, "Clari");
      key(comp, "Enter");
      await sleep(50);
      $<HTMLButtonElement>("deal-add-stakeholder").click();
      await sleep(50);
      const row = document.querySelectorAll('[data-testid="stakeholder-row"] input');
      typeInto(row[0] as HTMLInputElement, "Maya Garcia");
      typeInto(row[1] as HTMLInputElement, "VP Sales");
      const role = document.querySelector('[data-testid="stakeholder-row"] select') as HTMLSelectElement;
      Object.getOwnPropertyDescriptor(HTMLSelectElement.prototype, "value")?.set?.call(role, "champion");
      role.dispatchEvent(new Event("change", { bubbles: true }));
      if (script === "deal-create") {
        $<HTMLButtonElement>("deal-save").click();
        return;
      }
      comp.focus();
      typeInto(comp, "h");
    } else if (script === "jobs") {
      // Queued AI work finishing while the app is open (the notification and the refresh).
      await emit("ai-jobs-completed", { completed: 2, failed: 1, summary: "scores for 10 lead(s), the polish of “Northwind Logistics — Team rollout proposal”", polished_proposals: [proposals[0].id] });
      await emit("workspace-changed", { reason: "queued AI work" });
    } else if (script.startsWith("fill:")) {
      // fill:testid=value|testid=value!testid-to-click — types into inputs, then clicks.
      const [pairs, submit] = script.slice(5).split("!");
      for (const pair of pairs.split("|")) {
        const [t, v] = pair.split("=");
        const el = document.querySelector(`[data-testid="${t}"]`) as HTMLInputElement | null;
        if (el) typeInto(el, v ?? "");
      }
      await sleep(100);
      if (submit) (document.querySelector(`[data-testid="${submit}"]`) as HTMLElement | null)?.click();
    } else if (script.startsWith("click:")) {
      // click:testid1,testid2,… — clicks each (waiting up to 5 s for it), for screenshots.
      for (const t of script.slice(6).split(",")) {
        let el: HTMLElement | null = null;
        for (let i = 0; i < 50 && !el; i++) {
          el = document.querySelector(`[data-testid="${t}"]`);
          if (!el) await sleep(100);
        }
        el?.click();
        await sleep(300);
      }
    } else if (script === "type") {
      typeInto(document.querySelector('[data-testid="proposal-body"]') as HTMLTextAreaElement, "# Typed\n\nHello **world**");
    }
  }
}
if (script) {
  setTimeout(async () => {
    for (const part of script.split(";")) await step(part);
  }, 1200);
}
