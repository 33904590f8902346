// Behaviour for every page, without inline script (the Content-Security-Policy allows scripts from static files only).
// <form data-confirm="Question?">: asks before submitting. <select data-autosubmit>: submits its form on change.
document.addEventListener("submit", function (event) {
  const form = event.target.closest("form[data-confirm]");
  if (form && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});
document.addEventListener("change", function (event) {
  const select = event.target.closest("select[data-autosubmit]");
  if (select && select.form) {
    select.form.requestSubmit();
  }
});
