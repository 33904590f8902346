// Answer forms save through htmx; a failed request (network, server error, 403) must show
// "Not saved" instead of leaving the old state, so nobody believes an answer was kept.
document.addEventListener("htmx:responseError", showFailure);
document.addEventListener("htmx:sendError", showFailure);

function showFailure(event) {
  const form = event.detail.elt.closest && event.detail.elt.closest("form.answer-form");
  if (!form) return;
  const status = form.querySelector(".answer-status");
  if (!status) return;
  const code = event.detail.xhr ? event.detail.xhr.status : 0;
  const reason = code === 403 ? "you may not change this answer" : code ? "server error " + code : "no connection";
  let message = status.querySelector(".save-state.failed");
  if (!message) {
    message = document.createElement("span");
    message.className = "save-state failed";
    message.setAttribute("role", "alert");
    status.querySelectorAll(".save-state:not(.htmx-indicator)").forEach((el) => el.remove());
    status.prepend(message);
  }
  message.textContent = "Not saved: " + reason + ". Your input is still here; try again.";
}
