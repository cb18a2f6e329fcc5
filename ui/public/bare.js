requestAnimationFrame(() => {
  if (window.__TAURI_INTERNALS__) window.__TAURI_INTERNALS__.invoke("bare_ready");
});
