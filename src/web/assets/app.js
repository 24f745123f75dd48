// errkb: progressive enhancement only. Copy buttons on command blocks; the pages work without it.
document.addEventListener("DOMContentLoaded", () => {
  for (const block of document.querySelectorAll("[data-copy]")) {
    const button = block.querySelector("button.copy");
    const code = block.querySelector("code");
    if (!button || !code || !navigator.clipboard) continue;
    button.hidden = false;
    button.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(code.textContent);
        button.textContent = "Copied";
      } catch {
        button.textContent = "Select and copy";
      }
      setTimeout(() => { button.textContent = "Copy"; }, 1500);
    });
  }
});
