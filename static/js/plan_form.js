// New action plan: the target follows the chosen category or requirement (the next level above its
// current value, as the server chose for the first one) until the person picks a target themselves.
(function () {
  "use strict";
  const form = document.querySelector("form.plan-form[data-default-targets]");
  if (!form) return;
  const defaults = JSON.parse(form.dataset.defaultTargets);
  const item = form.querySelector("[name=item]");
  const target = form.querySelector("[name=target_level]");
  if (!item || !target) return;
  let chosen = false;
  target.addEventListener("change", () => { chosen = true; });
  item.addEventListener("change", () => {
    if (chosen) return;
    const key = item.value.split(".").slice(0, 2).join(".");
    const level = defaults[key] || defaults[""];
    if (level) target.value = String(level);
  });
})();
