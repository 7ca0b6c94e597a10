// Live reload for `checkdown serve` (never part of a built site): reloads the page
// after a rebuild and shows build problems in an overlay until they are fixed.
const OVERLAY_ID = "checkdown-problems";

function showProblems(text) {
  let box = document.getElementById(OVERLAY_ID);
  if (!box) {
    box = document.createElement("div");
    box.id = OVERLAY_ID;
    box.setAttribute("role", "alert");
    box.className = "dev-overlay";
    const title = document.createElement("p");
    title.className = "dev-overlay-title";
    title.textContent = "checkdown: some checklists have problems; their pages show the last good version";
    const pre = document.createElement("pre");
    box.append(title, pre);
    document.body.append(box);
  }
  // textContent, never innerHTML: the report quotes the author's Markdown.
  box.querySelector("pre").textContent = text;
}

function hideProblems() {
  document.getElementById(OVERLAY_ID)?.remove();
}

// Long polling: the server answers when the site's version changes (or after a while).
async function watch() {
  let seen = null;
  for (;;) {
    try {
      const response = await fetch(`/__checkdown/poll?since=${seen ?? ""}`, { cache: "no-store" });
      const state = await response.json();
      // Reloaded whatever else is broken: this page may be one that was rebuilt. The
      // reloaded page asks again and shows the problems that remain.
      if (seen !== null && state.version !== seen) {
        location.reload();
        return;
      }
      seen = state.version;
      if (state.problems) showProblems(state.problems);
      else hideProblems();
    } catch {
      // The server restarts or is gone; try again shortly.
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

watch();
