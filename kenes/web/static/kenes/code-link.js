/*
 * Personal links carry the code after "#" (/vote/#/ABCDE-FGHJK-MNPQR): browsers never send
 * that part to the server, so the code (the member's credential) lands in no access log,
 * proxy log or Referer. This fills the code form with it, takes it out of the address bar
 * (a reload or a shared screen shows no code) and sends the form, as if the member had
 * typed it. Without JavaScript the page says where to find the code in the link.
 * Plain ES5: it must run on old phone browsers.
 */
(function () {
  "use strict";

  var hash = window.location.hash || "";
  var code = hash.replace(/^#\/?/, "");
  if (!code) { return; }
  try { code = decodeURIComponent(code); } catch (e) { return; }
  if (window.history && window.history.replaceState) {
    window.history.replaceState(null, "", window.location.pathname + window.location.search);
  }
  var input = document.querySelector("form.vote-code input[name=code]");
  if (!input || !input.form) { return; }
  input.value = code.slice(0, 64);
  input.form.submit();
}());
