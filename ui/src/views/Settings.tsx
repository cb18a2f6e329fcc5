import { useCallback, useState } from "react";
import { commands, emptyToNull, errorOf, run, type CommandError, type SecretStatus, type Settings } from "../api";
import { ErrorBox, Field, Modal, PageHeader, SkeletonBlock, useApp, useLoad } from "../ui";

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
      <ApiKeyCard status={key.data} error={key.error} onStatus={key.setData} />
      <DangerZone />
    </div>
  );
}

function GeneralSettings({ initial, onSaved }: { initial: Settings; onSaved: (s: Settings) => void }) {
  const { toast } = useApp();
  const [userName, setUserName] = useState(initial.user_name);
  const [server, setServer] = useState(initial.team_server_url ?? "");
  const [probe, setProbe] = useState(initial.connectivity_probe);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<CommandError | null>(null);
  const errs: Record<string, string> = {};
  for (const f of error?.fields ?? []) errs[f.field] = f.reason;
  const dirty = userName !== initial.user_name || server !== (initial.team_server_url ?? "") || probe !== initial.connectivity_probe;

  const save = async () => {
    setSaving(true);
    setError(null);
    try {
      const s = await run(commands.saveSettings({ user_name: userName.trim(), team_server_url: emptyToNull(server), connectivity_probe: probe.trim() }));
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
      <h3 className="card-title">Profile & sync</h3>
      {error && error.fields.length === 0 && <ErrorBox error={error} />}
      <div className="form-grid">
        <Field label="Your name" error={errs.user_name} hint="Used as the owner of what you create." wide>
          <input className="input" value={userName} onChange={(e) => setUserName(e.target.value)} data-testid="settings-user-name" />
        </Field>
        <Field label="Team server URL" error={errs.team_server_url} hint="Optional. Leave empty to work fully offline." wide>
          <input className="input" value={server} onChange={(e) => setServer(e.target.value)} placeholder="https://closer.yourcompany.com" />
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
