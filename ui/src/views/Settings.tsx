import { useCallback, useEffect, useState } from "react";
import { commands, emptyToNull, errorOf, events, label, run, type AiSettings, type AiSettingsInput, type AudioLevel, type CommandError, type IndexStatus, type LibraryOverview, type SecretStatus, type Settings } from "../api";
import { ErrorBox, Field, Modal, PageHeader, SkeletonBlock, useApp, useLoad } from "../ui";
import { TeamSyncCard } from "./Team";

export function SettingsView() {
  const loadSettings = useCallback(() => run(commands.getSettings()), []);
  const settings = useLoad(loadSettings);
  const loadKey = useCallback(() => run(commands.apiKeyStatus()), []);
  const key = useLoad(loadKey, { ready: false });

  return (
    <div className="page page-narrow">
      <PageHeader title="Settings" />
      <ErrorBox error={settings.error} onRetry={settings.reload} />
      {!settings.data && settings.loading && <SkeletonBlock lines={4} />}
      {settings.data && <GeneralSettings key={settings.data.user_name} initial={settings.data} onSaved={settings.setData} />}
      {settings.data && <TeamSyncCard initialUrl={settings.data.team_server_url} />}
      <ApiKeyCard status={key.data} error={key.error} onStatus={key.setData} />
      <LibraryCard />
      {settings.data && <AudioCard settings={settings.data} onSaved={settings.setData} />}
      <AiSettingsCard />
      <DangerZone />
    </div>
  );
}

function GeneralSettings({ initial, onSaved }: { initial: Settings; onSaved: (s: Settings) => void }) {
  const { toast } = useApp();
  const [userName, setUserName] = useState(initial.user_name);
  const [probe, setProbe] = useState(initial.connectivity_probe);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<CommandError | null>(null);
  const errs: Record<string, string> = {};
  for (const f of error?.fields ?? []) errs[f.field] = f.reason;
  const dirty = userName !== initial.user_name || probe !== initial.connectivity_probe;

  const save = async () => {
    setSaving(true);
    setError(null);
    try {
      const s = await run(commands.saveSettings({ ...initial, user_name: userName.trim(), connectivity_probe: probe.trim() }));
      onSaved(s);
      toast("Settings saved", "success");
    } catch (e) {
      setError(errorOf(e));
    } finally {
      setSaving(false);
    }
  };

  return (
    <form
      className="card card-pad form settings-card"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <h3 className="card-title">Profile</h3>
      {error && error.fields.length === 0 && <ErrorBox error={error} />}
      <div className="form-grid">
        <Field label="Your name" error={errs.user_name} hint="Used as the owner of what you create." wide>
          <input className="input" value={userName} onChange={(e) => setUserName(e.target.value)} data-testid="settings-user-name" />
        </Field>
        <Field label="Connectivity probe" error={errs.connectivity_probe} hint="host:port checked to decide whether you are online." wide>
          <input className="input mono" value={probe} onChange={(e) => setProbe(e.target.value)} />
        </Field>
      </div>
      <div className="form-actions">
        <button className="btn btn-primary" disabled={saving || !dirty} data-testid="settings-save">
          {saving ? "Saving…" : "Save settings"}
        </button>
      </div>
    </form>
  );
}

function ApiKeyCard({ status, error, onStatus }: { status: SecretStatus | null; error: CommandError | null; onStatus: (s: SecretStatus) => void }) {
  const { toast } = useApp();
  const [value, setValue] = useState("");
  const [busy, setBusy] = useState(false);
  const [err, setErr] = useState<CommandError | null>(null);

  const save = async () => {
    const k = value.trim();
    if (!k) return;
    setBusy(true);
    setErr(null);
    try {
      const s = await run(commands.setApiKey(k));
      onStatus(s);
      toast("API key saved to the OS keychain", "success");
    } catch (e) {
      setErr(errorOf(e));
    } finally {
      // The key never stays in UI state, whether or not it was stored.
      setValue("");
      setBusy(false);
    }
  };
  const clear = async () => {
    setBusy(true);
    setErr(null);
    try {
      const s = await run(commands.clearApiKey());
      onStatus(s);
      toast("API key removed", "success");
    } catch (e) {
      setErr(errorOf(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      className="card card-pad form settings-card"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
      autoComplete="off"
    >
      <div className="section-head flush">
        <h3 className="card-title">Claude API key</h3>
        <span data-testid="api-key-status" className={`badge ${status?.set ? "tone-green" : "tone-gray"}`}>
          {status == null ? "Checking…" : status.set ? "Set" : "Not set"}
        </span>
      </div>
      <p className="muted small">
        Stored only in your operating system's secure store{status ? ` (${status.backend})` : ""}, never in Closer's database and never shown again.
      </p>
      <ErrorBox error={error} />
      <ErrorBox error={err} />
      <div className="key-row">
        <input
          className="input mono"
          type="password"
          autoComplete="new-password"
          spellCheck={false}
          placeholder={status?.set ? "Enter a new key to replace the stored one" : "sk-ant-…"}
          value={value}
          onChange={(e) => setValue(e.target.value)}
          data-testid="api-key-input"
          aria-label="Claude API key"
        />
        <button className="btn btn-primary" disabled={busy || !value.trim()} data-testid="api-key-save">
          Save key
        </button>
        <button type="button" className="btn" disabled={busy || !status?.set} onClick={clear} data-testid="api-key-clear">
          Clear
        </button>
      </div>
    </form>
  );
}

// ---- Settings → Content library folders ----------------------------------------------------

/** Indexing progress as a line and a bar; nothing when idle. */
export function IndexProgress({ status }: { status: IndexStatus | null }) {
  if (!status?.phase) return null;
  return (
    <div className="index-progress" data-testid="index-progress">
      <span>{status.phase}</span>
      {status.total > 0 && (
        <>
          <progress value={status.done} max={status.total} />
          <span>
            {status.done} / {status.total}
          </span>
        </>
      )}
    </div>
  );
}

/** Where the meter's bar ends: -60 dBFS (and below) empty, 0 dBFS full. */
function meterWidth(db: number): string {
  return `${Math.round(Math.min(1, Math.max(0, (db + 60) / 60)) * 100)}%`;
}

/** The microphone and the call audio for live calls, with a level meter to check them. */
function AudioCard({ settings, onSaved }: { settings: Settings; onSaved: (s: Settings) => void }) {
  const { toast } = useApp();
  const load = useCallback(() => run(commands.audioInputs()), []);
  const inputs = useLoad(load);
  const [mic, setMic] = useState(settings.microphone ?? "");
  const [other, setOther] = useState(settings.call_audio ?? "");
  const [keep, setKeep] = useState(settings.keep_call_audio);
  const [level, setLevel] = useState<AudioLevel | null>(null);
  const [testing, setTesting] = useState<string | null>(null);
  const [error, setError] = useState<CommandError | null>(null);
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    const un = events.audioLevelChanged.listen((e) => setLevel(e.payload));
    return () => {
      un.then((f) => f(), () => undefined);
      void commands.stopLevelMeter();
    };
  }, []);

  const test = async () => {
    setError(null);
    if (testing) {
      await commands.stopLevelMeter();
      setTesting(null);
      setLevel(null);
      return;
    }
    try {
      setTesting(await run(commands.startLevelMeter(emptyToNull(mic))));
    } catch (e) {
      setError(errorOf(e));
    }
  };
  const save = async () => {
    setSaving(true);
    setError(null);
    try {
      onSaved(await run(commands.saveSettings({ ...settings, microphone: emptyToNull(mic), call_audio: emptyToNull(other), keep_call_audio: keep })));
      toast("Audio settings saved", "success");
    } catch (e) {
      setError(errorOf(e));
    } finally {
      setSaving(false);
    }
  };
  const list = inputs.data ?? [];
  const mics = list.filter((d) => !d.is_monitor);
  const monitors = list.filter((d) => d.is_monitor);
  const dirty = mic !== (settings.microphone ?? "") || other !== (settings.call_audio ?? "") || keep !== settings.keep_call_audio;
  return (
    <section className="card card-pad settings-card" data-testid="audio-card">
      <h3 className="card-title">Microphone & call audio</h3>
      <p className="muted small">
        For live calls. The other side of a call is the sound your speakers play: on Linux pick its monitor; on macOS install a loopback
        device (such as BlackHole); on Windows pick the speakers' loopback.
      </p>
      <ErrorBox error={inputs.error} onRetry={inputs.reload} />
      {error && <ErrorBox error={error} />}
      <div className="form-grid">
        <Field label="Microphone" wide>
          <select className="input" value={mic} onChange={(e) => setMic(e.target.value)} data-testid="audio-mic">
            <option value="">System default</option>
            {mics.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name}
                {d.is_default ? " (default)" : ""}
              </option>
            ))}
          </select>
        </Field>
        <Field label="The other side of the call" hint="Optional: without it, Closer hears the call through your microphone." wide>
          <select className="input" value={other} onChange={(e) => setOther(e.target.value)} data-testid="audio-call">
            <option value="">None</option>
            {monitors.length > 0 && (
              <optgroup label="What your speakers play">
                {monitors.map((d) => (
                  <option key={d.id} value={d.id}>
                    {d.name}
                  </option>
                ))}
              </optgroup>
            )}
            {/* A loopback device (BlackHole on macOS, a virtual cable) is an ordinary input. */}
            <optgroup label="Other inputs">
              {mics.map((d) => (
                <option key={d.id} value={d.id}>
                  {d.name}
                </option>
              ))}
            </optgroup>
          </select>
        </Field>
      </div>
      <label className="check">
        <input type="checkbox" checked={keep} onChange={(e) => setKeep(e.target.checked)} data-testid="keep-call-audio" />
        <span>Keep call audio (a WAV per call in the app data folder). Off: audio is transcribed on this laptop and not kept.</span>
      </label>
      <div className="meter-row">
        <button type="button" className="btn btn-secondary" onClick={() => void test()} data-testid="audio-test">
          {testing ? "Stop test" : "Test microphone"}
        </button>
        <div className="meter" aria-label="Input level" data-testid="audio-meter">
          <span className={`meter-bar${level?.voiced ? " voiced" : ""}`} style={{ width: testing && level ? meterWidth(level.level_db) : "0%" }} />
        </div>
        <span className="muted small meter-label">
          {testing ? (level?.problem ?? (level?.voiced ? "Hearing you" : `Listening to ${level?.device || testing}…`)) : "Speak after pressing Test."}
        </span>
      </div>
      <div className="form-actions">
        <button className="btn btn-primary" disabled={saving || !dirty} onClick={() => void save()} data-testid="audio-save">
          {saving ? "Saving…" : "Save audio settings"}
        </button>
      </div>
    </section>
  );
}

function LibraryCard() {
  const { toastError, toast } = useApp();
  const load = useCallback(() => run(commands.libraryOverview()), []);
  const lib = useLoad(load);
  const [path, setPath] = useState("");
  const [error, setError] = useState<CommandError | null>(null);
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState<IndexStatus | null>(null);
  const setData = lib.setData;
  const reload = lib.reload;

  useEffect(() => {
    const un = events.indexStatusChanged.listen((e) => setStatus(e.payload));
    const changed = events.workspaceChanged.listen((e) => {
      if (e.payload.reason === "content library") reload();
    });
    return () => {
      un.then((f) => f(), () => undefined);
      changed.then((f) => f(), () => undefined);
    };
  }, [reload]);

  const save = async (folders: string[]) => {
    setBusy(true);
    setError(null);
    try {
      const o: LibraryOverview = await run(commands.setLibraryFolders(folders));
      setData(o);
      setPath("");
      return true;
    } catch (e) {
      setError(errorOf(e));
      return false;
    } finally {
      setBusy(false);
    }
  };
  const folders = lib.data?.folders.map((f) => f.path) ?? [];
  const add = async (p: string) => {
    const t = p.trim();
    if (!t) return;
    if (await save([...folders, t])) toast(`Watching ${t}`, "success");
  };
  const pick = async () => {
    try {
      const p = await run(commands.pickFolder());
      if (p) await add(p);
    } catch (e) {
      toastError(e);
    }
  };
  const rescan = async () => {
    setBusy(true);
    try {
      setData(await run(commands.rescanLibrary()));
      toast("Library folders read again", "success");
    } catch (e) {
      toastError(e);
    } finally {
      setBusy(false);
    }
  };
  const index = status ?? lib.data?.index ?? null;

  return (
    <div className="card card-pad settings-card" data-testid="library-settings">
      <div className="section-head flush">
        <div>
          <h3 className="card-title">Content library folders</h3>
          <p className="muted small">
            PDF, Word, PowerPoint, Markdown, HTML and text files in these folders become searchable content, kept up to date as you add, edit, rename
            or delete them.
            {index && (index.semantic ? " Search matches by meaning and by words." : " Search matches by words.")}
          </p>
        </div>
        <button className="btn" onClick={rescan} disabled={busy || folders.length === 0}>
          Rescan
        </button>
      </div>
      <IndexProgress status={index} />
      {index?.problem && <p className="muted small">{index.problem}</p>}
      <ErrorBox error={lib.error} onRetry={lib.reload} />
      {lib.data && lib.data.folders.length > 0 && (
        <ul className="issue-list">
          {lib.data.folders.map((f) => (
            <li key={f.path} className="section-head flush" data-testid="library-folder">
              <span>
                <span className="issue-path">{f.path}</span>
                <span className="muted small">
                  {" "}
                  · {f.files} file{f.files === 1 ? "" : "s"}
                  {f.failed > 0 && ` · ${f.failed} could not be read`}
                  {f.missing && " · not found (its items are kept until it is back)"}
                </span>
              </span>
              <button className="btn btn-ghost" disabled={busy} onClick={() => save(folders.filter((x) => x !== f.path))}>
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      <form
        className="form-row"
        onSubmit={(e) => {
          e.preventDefault();
          void add(path);
        }}
      >
        <input
          data-testid="library-folder-input"
          placeholder="/home/you/Sales content"
          value={path}
          onChange={(e) => setPath(e.target.value)}
          aria-label="Folder to watch"
        />
        <button className="btn" type="submit" disabled={busy || !path.trim()} data-testid="library-folder-add">
          Add folder
        </button>
        <button className="btn btn-ghost" type="button" disabled={busy} onClick={pick}>
          Choose…
        </button>
      </form>
      <ErrorBox error={error} />
      {lib.data && lib.data.issues.length > 0 && (
        <>
          <h4 className="small" style={{ marginTop: 12 }}>
            Files not in the library
          </h4>
          <ul className="issue-list" data-testid="library-issues">
            {lib.data.issues.map((i) => (
              <li key={i.path}>
                <div className="issue-path">{i.path}</div>
                <div className={i.status === "failed" ? "error-text" : "muted"}>{i.reason}</div>
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}

function DangerZone() {
  const { toast, toastError, refreshStats } = useApp();
  const [confirm, setConfirm] = useState(false);
  const [busy, setBusy] = useState(false);
  const reset = async () => {
    setBusy(true);
    try {
      await run(commands.resetDemo());
      refreshStats();
      toast("Demo workspace restored", "success");
      setConfirm(false);
    } catch (e) {
      toastError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="card card-pad settings-card danger-card">
      <div className="section-head flush">
        <div>
          <h3 className="card-title">Reset demo workspace</h3>
          <p className="muted small">Replaces every lead, deal, proposal and call with the demo data. Your settings and API key are kept.</p>
        </div>
        <button className="btn btn-danger-ghost" onClick={() => setConfirm(true)} data-testid="reset-demo">
          Reset…
        </button>
      </div>
      {confirm && (
        <Modal
          title="Reset the demo workspace?"
          onClose={() => setConfirm(false)}
          footer={
            <>
              <button className="btn" onClick={() => setConfirm(false)}>
                Cancel
              </button>
              <button className="btn btn-danger" onClick={reset} disabled={busy} data-testid="reset-demo-confirm">
                {busy ? "Resetting…" : "Reset workspace"}
              </button>
            </>
          }
        >
          <p>Everything you changed in this workspace will be replaced by the demo data. This cannot be undone.</p>
        </Modal>
      )}
    </div>
  );
}

// ---- Settings → AI ----------------------------------------------------------------------

/** The gateway's features, in the order a rep thinks of them. */
const AI_FEATURES = [
  "proposal",
  "proposal_polish",
  "lead_score",
  "deal_analysis",
  "call_analysis",
  "battle_card_refresh",
  "query_understanding",
  "search_rerank",
  "summary",
  "content_audit",
];

type AiForm = { monthly: string; features: Record<string, string>; url: string; model: string };

function toAiForm(s: AiSettings): AiForm {
  const features: Record<string, string> = {};
  for (const f of s.budgets.per_feature) features[f.feature] = String(f.limit_usd);
  return {
    monthly: s.budgets.monthly_usd == null ? "" : String(s.budgets.monthly_usd),
    features,
    url: s.secondary?.url ?? "",
    model: s.secondary?.model ?? "",
  };
}

/** "$20", "7.50", "1,000" -> dollars; "" -> no limit; anything else -> the reason. */
function parseBudget(text: string): { value: number | null; error?: string } {
  const t = text.replace(/[$,\s]/g, "");
  if (t === "") return { value: null };
  const n = Number(t);
  if (!Number.isFinite(n)) return { value: null, error: "Enter an amount in dollars, like 20 or 7.50 (empty means no limit)." };
  if (n < 0) return { value: null, error: "A budget cannot be negative." };
  return { value: Math.round(n * 100) / 100 };
}

function toAiInput(f: AiForm): { input: AiSettingsInput | null; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const monthly = parseBudget(f.monthly);
  if (monthly.error) errors.monthly = monthly.error;
  const per_feature: AiSettingsInput["budgets"]["per_feature"] = [];
  for (const [feature, text] of Object.entries(f.features)) {
    const b = parseBudget(text);
    if (b.error) errors[`feature:${feature}`] = b.error;
    else if (b.value != null) per_feature.push({ feature, limit_usd: b.value });
  }
  const url = f.url.trim();
  const model = f.model.trim();
  if (url || model) {
    if (!url) errors.url = "Enter the endpoint's URL, like http://localhost:11434 — or clear the model to use none.";
    else {
      let ok = false;
      try {
        const u = new URL(url);
        ok = u.protocol === "http:" || u.protocol === "https:";
      } catch {
        ok = false;
      }
      if (!ok) errors.url = "Enter a URL starting with http:// or https://, like http://localhost:11434.";
    }
    if (!model) errors.model = "Name the model this endpoint should use, like llama3.1.";
  }
  if (Object.keys(errors).length > 0) return { input: null, errors };
  return {
    input: { budgets: { monthly_usd: monthly.value, per_feature }, secondary: url ? { url, model } : null },
    errors,
  };
}

function AiSettingsCard() {
  const load = useCallback(() => run(commands.aiSettings()), []);
  const ai = useLoad(load, { ready: false });
  return (
    <div className="card card-pad settings-card" data-testid="ai-settings">
      <div className="section-head flush">
        <h3 className="card-title">AI</h3>
        {ai.data?.demo && (
          <span className="badge tone-amber" data-testid="ai-demo">
            Demo mode: Claude is our local fake
          </span>
        )}
      </div>
      <ErrorBox error={ai.error} onRetry={ai.reload} />
      {!ai.data && ai.loading && <SkeletonBlock lines={4} />}
      {ai.data && (
        <AiSettingsForm key={JSON.stringify([ai.data.budgets, ai.data.secondary])} initial={ai.data} onSaved={ai.setData} />
      )}
    </div>
  );
}

function AiSettingsForm({ initial, onSaved }: { initial: AiSettings; onSaved: (s: AiSettings) => void }) {
  const { toast } = useApp();
  const start = toAiForm(initial);
  const [f, setF] = useState<AiForm>(start);
  const [local, setLocal] = useState<Record<string, string>>({});
  const [error, setError] = useState<CommandError | null>(null);
  const [saving, setSaving] = useState(false);
  const features = [...AI_FEATURES, ...Object.keys(start.features).filter((k) => !AI_FEATURES.includes(k))];
  const dirty = JSON.stringify(f) !== JSON.stringify(start);

  const setFeature = (k: string, v: string) => setF((x) => ({ ...x, features: { ...x.features, [k]: v } }));

  const save = async () => {
    const { input, errors } = toAiInput(f);
    setLocal(errors);
    setError(null);
    if (!input) return;
    setSaving(true);
    try {
      const saved = await run(commands.saveAiSettings(input));
      onSaved(saved);
      toast("AI settings saved", "success");
    } catch (e) {
      setError(errorOf(e));
    } finally {
      setSaving(false);
    }
  };

  return (
    <form
      className="form"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <div className="kv-row">
        <div>
          <span className="kv-k">Claude is called at</span>
          <span className="kv-v mono" data-testid="ai-base-url">
            {initial.base_url}
          </span>
        </div>
        {initial.demo && (
          <div>
            <span className="kv-k">Mode</span>
            <span className="kv-v">Demo: answers come from the local fake, nothing is billed</span>
          </div>
        )}
      </div>
      {error && (
        <div className="error-box" role="alert">
          <div>
            <strong>Not saved</strong>
            <div>{error.message}</div>
          </div>
        </div>
      )}
      {Object.keys(local).length > 0 && (
        <div className="error-box" role="alert">
          <div>
            <strong>Please fix the highlighted fields.</strong>
          </div>
        </div>
      )}

      <h4 className="sub-title">Budgets (US dollars per calendar month)</h4>
      <p className="muted small">Empty means no limit. At 80 % the usage screen warns; at 100 % Claude is not asked again for that scope until the month ends.</p>
      <div className="budget-grid">
        <Field label="All features together" error={local.monthly} hint="e.g. 20">
          <input className="input" inputMode="decimal" value={f.monthly} placeholder="No limit" onChange={(e) => setF({ ...f, monthly: e.target.value })} data-testid="ai-budget-monthly" />
        </Field>
      </div>
      <div className="muted small">Per feature:</div>
      <div className="budget-grid">
        {features.map((k) => (
          <Field key={k} label={label(k)} error={local[`feature:${k}`]}>
            <input
              className="input"
              inputMode="decimal"
              value={f.features[k] ?? ""}
              placeholder="No limit"
              onChange={(e) => setFeature(k, e.target.value)}
              data-testid={`ai-budget-${k}`}
            />
          </Field>
        ))}
      </div>

      <h4 className="sub-title">Secondary endpoint (optional)</h4>
      <p className="muted small">
        An OpenAI-compatible server, such as a local Ollama, answers when Claude cannot be reached. Leave both empty to use none.
      </p>
      <div className="form-grid">
        <Field label="URL" error={local.url} hint="e.g. http://localhost:11434">
          <input className="input mono" value={f.url} placeholder="http://localhost:11434" onChange={(e) => setF({ ...f, url: e.target.value })} data-testid="ai-secondary-url" />
        </Field>
        <Field label="Model" error={local.model} hint="e.g. llama3.1">
          <input className="input mono" value={f.model} placeholder="llama3.1" onChange={(e) => setF({ ...f, model: e.target.value })} data-testid="ai-secondary-model" />
        </Field>
      </div>
      <div className="form-actions">
        {dirty && (
          <button
            type="button"
            className="btn"
            onClick={() => {
              setF(start);
              setLocal({});
              setError(null);
            }}
          >
            Undo changes
          </button>
        )}
        <button className="btn btn-primary" disabled={saving || !dirty} data-testid="ai-settings-save">
          {saving ? "Saving…" : "Save AI settings"}
        </button>
      </div>
    </form>
  );
}
