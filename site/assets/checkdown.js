// Starts the checkdown client. It is a file rather than an inline script so that pages
// work under a Content-Security-Policy of `script-src 'self' 'wasm-unsafe-eval'`.
// The page loads it `async`, so on a long page the client is fetched and compiled while
// the HTML is still being parsed; the client itself waits for DOMContentLoaded. The wasm
// is requested at once, alongside the module that loads it rather than after it.
//
// It is a classic script, not a module: a browser refuses modules on a page opened
// straight from disk (file://), and this one must still run there, to say that the
// page is not saving anything.
(() => {
  const here = document.currentScript.src;

  // Saved progress is kept per site, and a site is the folder this script's assets/
  // sits in: localStorage is shared by a whole host, and GitHub Pages serves every
  // project site of an account from one.
  document.documentElement.dataset.checkdownRoot = new URL("..", here).pathname;

  const failed = (err) => {
    console.error("checkdown: the client failed to start", err);
    // The space kept for the run panel is given back (see style.css).
    document.documentElement.dataset.checkdownFailed = "";
    const show = () => {
      const notice = document.querySelector("[data-client-failed]");
      if (!notice) return;
      if (location.protocol === "file:") {
        notice.append(
          " Browsers do not run it on pages opened from disk: serve this folder over" +
            " HTTP instead (for example with “checkdown serve”, or any static web server).",
        );
      }
      notice.hidden = false;
    };
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", show);
    } else {
      show();
    }
  };

  let wasm;
  try {
    wasm = fetch(new URL("checkdown-web_bg.wasm", here));
    wasm.catch(() => {}); // reported below, once init awaits it
  } catch (err) {
    failed(err);
    return;
  }
  import(new URL("./checkdown-web.js", here).href)
    .then(({ default: init }) => init({ module_or_path: wasm }))
    .catch(failed);
})();
