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

// ---------------------------------------------------------------------------------------------
// Saving: a level once the choice settles (arrowing through the levels saves only the last one),
// notes while typing. While a conflict box is shown nothing saves by itself: one click on "Keep
// mine" or "Save merged notes" resolves it, wherever the focus was (no blur-triggered save races it).
// ---------------------------------------------------------------------------------------------
const LEVEL_SETTLE_MS = 700;
const NOTES_SETTLE_MS = 800;
const saveTimers = new Map();

function answerForm(el) {
  const form = el && el.closest ? el.closest("form.answer-form") : null;
  return form && form.hasAttribute("hx-post") ? form : null;
}

function inConflict(form) {
  return Boolean(form.querySelector(".answer-status .conflict"));
}

function scheduleSave(form, field, delay) {
  const pending = saveTimers.get(form);
  if (pending) clearTimeout(pending.timer);
  const timer = setTimeout(() => {
    saveTimers.delete(form);
    if (!inConflict(form)) htmx.trigger(form, "pkimm-save");
  }, delay);
  saveTimers.set(form, { timer, fields: new Set([...(pending ? pending.fields : []), field]) });
}

function cancelSave(form) {
  const pending = saveTimers.get(form);
  if (pending) clearTimeout(pending.timer);
  saveTimers.delete(form);
}

document.addEventListener("change", (event) => {
  const form = answerForm(event.target);
  if (form && event.target.name === "level") scheduleSave(form, "level", LEVEL_SETTLE_MS);
});

document.addEventListener("input", (event) => {
  const form = answerForm(event.target);
  if (form && event.target.name === "notes") scheduleSave(form, "notes", NOTES_SETTLE_MS);
});

document.addEventListener("click", (event) => {
  const button = event.target.closest ? event.target.closest("button[name=resolve]") : null;
  const form = answerForm(button);
  if (!form) return;
  event.preventDefault();
  cancelSave(form);
  if (button.value === "merge") {
    const merged = form.querySelector("textarea[name=merged_notes]");
    form.querySelector("textarea[name=notes]").value = merged.value;
  }
  let resolve = form.querySelector("input[type=hidden][name=resolve]");
  if (!resolve) {
    resolve = document.createElement("input");
    resolve.type = "hidden";
    resolve.name = "resolve";
    form.append(resolve);
  }
  resolve.value = button.value;
  htmx.trigger(form, "pkimm-save");
});

document.addEventListener("htmx:afterRequest", (event) => {
  const form = answerForm(event.detail.elt);
  if (!form) return;
  const resolve = form.querySelector("input[type=hidden][name=resolve]");
  if (resolve) resolve.remove();
});

document.addEventListener("htmx:afterSwap", (event) => {
  const form = answerForm(event.detail.elt);
  if (!form) return;
  // The save's answer is the new basis: notices are redone from it (a conflict box says it all).
  form.querySelectorAll(".live-notice").forEach((el) => el.remove());
  if (latestChange.has(form.id) && !inConflict(form)) applyChange(latestChange.get(form.id));
});

// ---------------------------------------------------------------------------------------------
// Live: poll the page's "changes since" endpoint; show who else is here and put each answer a
// colleague saved in place, unless that field is being edited here (then a notice says so).
// ---------------------------------------------------------------------------------------------
const latestChange = new Map();

function statusInput(form, name) {
  return form.querySelector(`.answer-status [name=${name}]`);
}

function editing(form, field) {
  const pending = saveTimers.get(form);
  if (pending && pending.fields.has(field)) return true;
  if (form.classList.contains("htmx-request") || inConflict(form)) return true;
  if (field === "notes") {
    const notes = form.querySelector("textarea[name=notes]");
    return document.activeElement === notes || notes.value !== statusInput(form, "notes_base").value;
  }
  const checked = form.querySelector("input[name=level]:checked");
  return (checked ? checked.value : "") !== statusInput(form, "level_base").value;
}

function levelText(form, level) {
  const radio = form.querySelector(`input[name=level][value="${level === null ? "" : level}"]`);
  const label = radio ? form.querySelector(`label[for="${radio.id}"]`) : null;
  return label ? label.textContent.trim() : "Not assessed";
}

function showNotice(form, field, change) {
  let notice = form.querySelector(`.live-notice[data-field=${field}]`);
  if (!notice) {
    notice = document.createElement("p");
    notice.className = "live-notice alert alert-info small py-1 px-2 mb-2";
    notice.dataset.field = field;
    notice.setAttribute("role", "status");
    form.querySelector(".answer-status").before(notice);
  }
  const what = field === "level" ? `the level to ${levelText(form, change.level)}` : "the notes";
  notice.textContent = `${change.by} changed ${what} while you were editing it. Saving will show both.`;
}

function applyChange(change) {
  const form = document.getElementById(change.dom_id);
  if (!form || !form.classList.contains("answer-form")) return;
  latestChange.set(change.dom_id, change);
  let updated = false;
  for (const field of ["level", "notes"]) {
    const version = statusInput(form, `${field}_version`);
    if (change[`${field}_version`] <= Number(version.value)) continue;
    if (editing(form, field)) {
      showNotice(form, field, change);
      continue;
    }
    const value = change[field] === null ? "" : String(change[field]);
    if (field === "level") {
      const radio = form.querySelector(`input[name=level][value="${value}"]`);
      if (radio) radio.checked = true;
    } else {
      form.querySelector("textarea[name=notes]").value = value;
    }
    statusInput(form, `${field}_base`).value = value;
    version.value = change[`${field}_version`];
    const notice = form.querySelector(`.live-notice[data-field=${field}]`);
    if (notice) notice.remove();
    updated = true;
  }
  if (!updated) return;
  const overall = statusInput(form, "version");
  overall.value = Math.max(Number(overall.value), change.version);
  const status = form.querySelector(".answer-status");
  status.querySelectorAll(".save-state:not(.htmx-indicator), .badge").forEach((el) => el.remove());
  const saved = document.createElement("span");
  saved.className = "save-state live-updated text-body-secondary";
  saved.textContent = `Saved by ${change.by}, ${change.at}`;
  status.querySelector(".htmx-indicator").before(saved);
}

function showPresence(live, present) {
  const presence = live.querySelector(".presence");
  presence.querySelector(".presence-names").textContent = present.map((p) => p.name).join(", ");
  presence.hidden = present.length === 0;
}

function startLive(live) {
  const interval = Number(live.dataset.pollMs) || 3000;
  let cursor = live.dataset.since || "0";
  let timer = null;
  async function poll() {
    clearTimeout(timer);
    if (!document.hidden) {
      try {
        const url = `${live.dataset.liveUrl}?since=${encodeURIComponent(cursor)}`;
        const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
        if (response.ok) {
          const data = await response.json();
          cursor = String(data.cursor);
          showPresence(live, data.present);
          data.changes.forEach(applyChange);
        }
      } catch (error) {
        // Offline for a moment: the next poll catches up (changes are asked for since the last cursor).
      }
    }
    timer = setTimeout(poll, interval);
  }
  // Leaving (tab closed, navigated away, hidden): tell the server at once so that colleagues' next
  // poll drops us; the presence expiry stays as the fallback when the beacon is lost.
  function leave() {
    if (!live.dataset.leaveUrl || !navigator.sendBeacon) return;
    const body = new FormData();
    body.append("csrfmiddlewaretoken", live.dataset.csrf || "");
    navigator.sendBeacon(live.dataset.leaveUrl, body);
  }
  document.addEventListener("visibilitychange", () => {
    if (document.hidden) leave();
    else poll();
  });
  window.addEventListener("pagehide", leave);
  poll();
}

const liveElement = document.getElementById("live");
if (liveElement && liveElement.dataset.liveUrl) startLive(liveElement);

// ---------------------------------------------------------------------------------------------
// @mentions in comments: typing "@" and a few letters lists matching members; a click (or Enter on
// the first) puts "@their-e-mail " into the comment. The server resolves mentions on save.
// ---------------------------------------------------------------------------------------------
function mentionQuery(textarea) {
  const before = textarea.value.slice(0, textarea.selectionStart);
  const match = /(^|\s)@([^\s@]*)$/.exec(before);
  return match ? { text: match[2], start: before.length - match[2].length - 1 } : null;
}

function closeMentions(form) {
  const list = form.querySelector(".mention-list");
  if (list) list.remove();
}

function insertMention(textarea, query, email) {
  const value = textarea.value;
  const end = textarea.selectionStart;
  textarea.value = `${value.slice(0, query.start)}@${email} ${value.slice(end)}`;
  const caret = query.start + email.length + 2;
  textarea.setSelectionRange(caret, caret);
  textarea.focus();
}

let mentionRequest = 0;
document.addEventListener("input", async (event) => {
  const textarea = event.target;
  const form = textarea.closest ? textarea.closest("form.comment-form") : null;
  if (!form || textarea.name !== "body") return;
  const query = mentionQuery(textarea);
  if (!query) {
    closeMentions(form);
    return;
  }
  const request = ++mentionRequest;
  let members = [];
  try {
    const response = await fetch(`${form.dataset.mentionsUrl}?q=${encodeURIComponent(query.text)}`, {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
    if (response.ok) members = (await response.json()).members;
  } catch (error) {
    return;
  }
  if (request !== mentionRequest) return; // a newer keystroke asked again
  closeMentions(form);
  if (!members.length) return;
  const list = document.createElement("ul");
  list.className = "mention-list list-group position-absolute shadow-sm small";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", "Members to mention");
  for (const member of members) {
    const item = document.createElement("li");
    item.className = "list-group-item list-group-item-action mention-option";
    item.setAttribute("role", "option");
    item.dataset.email = member.email;
    item.textContent = member.name ? `${member.name} (${member.email})` : member.email;
    item.addEventListener("mousedown", (click) => {
      click.preventDefault(); // keep the focus in the comment
      insertMention(textarea, query, member.email);
      closeMentions(form);
    });
    list.append(item);
  }
  form.append(list);
});

document.addEventListener("keydown", (event) => {
  const form = event.target.closest ? event.target.closest("form.comment-form") : null;
  const list = form ? form.querySelector(".mention-list") : null;
  if (!list) return;
  if (event.key === "Escape") closeMentions(form);
  if (event.key === "Enter" || event.key === "Tab") {
    const query = mentionQuery(event.target);
    if (!query) return;
    event.preventDefault();
    insertMention(event.target, query, list.firstElementChild.dataset.email);
    closeMentions(form);
  }
});
