// Follows something another party completes — a payment reaching the bot,
// a press of Start in Telegram — without reloading the page for nothing:
// asks the page's status address every few seconds and reloads only once
// the state the page shows is out of date. Without script, the page's own
// "Check again" link does the same by hand.
(() => {
  const marked = document.querySelector("[data-follow]");
  if (!marked) return;
  const url = marked.dataset.follow;
  const shown = marked.dataset.state;
  const check = async () => {
    try {
      const res = await fetch(url, { credentials: "same-origin", cache: "no-store" });
      if (res.ok) {
        const { state } = await res.json();
        if (state !== shown) {
          location.reload();
          return;
        }
      }
    } catch {
      // Offline for a moment: ask again.
    }
    setTimeout(check, 3000);
  };
  setTimeout(check, 3000);
})();
