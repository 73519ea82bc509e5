// The admin console's only script of its own (blazor.web.js is the framework's). Event delegation on the
// document, so it keeps working after enhanced navigation replaces the page's content.
"use strict";

// Copy buttons next to a secret shown once: hidden without script (select and copy by hand then).
function revealCopyButtons() {
  if (!navigator.clipboard) {
    return;
  }
  for (const button of document.querySelectorAll("button[data-copy][hidden]")) {
    button.hidden = false;
  }
}

document.addEventListener("click", async (event) => {
  const button = event.target.closest("button[data-copy]");
  if (!button) {
    return;
  }
  const source = document.getElementById(button.dataset.copy);
  if (!source) {
    return;
  }
  try {
    await navigator.clipboard.writeText(source.textContent.trim());
    button.textContent = "Copied";
  } catch {
    button.textContent = "Copy failed: select the text";
  }
});

revealCopyButtons();
// Blazor calls this after every enhanced navigation or form post.
if (window.Blazor) {
  window.Blazor.addEventListener("enhancedload", revealCopyButtons);
} else {
  document.addEventListener("DOMContentLoaded", () => window.Blazor?.addEventListener("enhancedload", revealCopyButtons));
}
