// The colour theme chosen in this browser, set before the page is first drawn. The
// client, which offers the choice, loads asynchronously: a page waiting for it was drawn
// in the system's theme and then flashed into the chosen one. A file, not an inline
// script, so that pages keep their `script-src 'self'` policy; it is tiny, because it
// blocks drawing while it loads.
try {
  const theme = localStorage.getItem("checkdown:theme");
  if (theme === "light" || theme === "dark") document.documentElement.dataset.theme = theme;
} catch {
  // Storage disabled: the system's theme it is.
}
