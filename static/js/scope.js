// Live preview of the cascade: rows below a not-applicable module or category are greyed out.
(function () {
  const form = document.getElementById("scope-matrix-form");
  if (!form) return;
  const rows = Array.from(form.querySelectorAll("tr[data-key]"));
  function refresh() {
    let moduleOut = null, categoryOut = null;
    for (const row of rows) {
      const kind = row.dataset.kind, key = row.dataset.key;
      const level = row.querySelector("select").value;
      const reason = row.querySelector("input");
      if (kind === "module") { categoryOut = null; }
      const inherited = kind === "module" ? null : (moduleOut || (kind === "requirement" ? categoryOut : null));
      row.classList.toggle("scope-inherited", Boolean(inherited));
      row.querySelector(".scope-name").dataset.inherited = inherited ? "(not applicable: " + inherited + ")" : "";
      row.classList.remove("scope-applicable", "scope-partial", "scope-not_applicable");
      row.classList.add("scope-" + level);
      reason.placeholder = level === "applicable" ? "" : "Reason required";
      if (kind === "module") { moduleOut = level === "not_applicable" ? key : null; }
      if (kind === "category") { categoryOut = level === "not_applicable" ? key : null; }
    }
  }
  form.addEventListener("change", refresh);
})();
