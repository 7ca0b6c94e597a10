// Starts the checkdown client. It is a file rather than an inline script so that pages
// work under a Content-Security-Policy of `script-src 'self' 'wasm-unsafe-eval'`.
// The page loads it `async`, so on a long page the client is fetched and compiled while
// the HTML is still being parsed; the client itself waits for DOMContentLoaded. The wasm
// is requested at once, alongside the module that loads it rather than after it.
// Saved progress is kept per site, and a site is the folder this script's assets/ sits
// in: localStorage is shared by a whole host, and GitHub Pages serves every project
// site of an account from one.
document.documentElement.dataset.checkdownRoot = new URL("..", import.meta.url).pathname;

const wasm = fetch(new URL("checkdown-web_bg.wasm", import.meta.url));
wasm.catch(() => {}); // reported below, once init awaits it

import("./checkdown-web.js")
  .then(({ default: init }) => init({ module_or_path: wasm }))
  .catch((err) => {
    console.error("checkdown: the client failed to start", err);
  });
