// The bell in the navigation: its unread count is fetched here, so that pages need no query for it.
(function () {
  const bell = document.querySelector(".notification-bell[data-count-url]");
  if (!bell) return;
  const badge = bell.querySelector(".notification-count");
  fetch(bell.dataset.countUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
    .then((response) => (response.ok ? response.json() : null))
    .then((data) => {
      if (!data) return;
      badge.textContent = data.unread;
      badge.hidden = data.unread === 0;
      bell.setAttribute("aria-label", `Notifications: ${data.unread} unread`);
    })
    .catch(() => {});
})();
