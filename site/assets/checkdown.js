// Starts the checkdown client. It is a file rather than an inline script so that pages
// work under a Content-Security-Policy of `script-src 'self' 'wasm-unsafe-eval'`.
import init from "./checkdown-web.js";

init({ module_or_path: new URL("checkdown-web_bg.wasm", import.meta.url) }).catch((err) => {
  console.error("checkdown: the client failed to start", err);
});
