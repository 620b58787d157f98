/*
 * After a passkey or security key is added (django-otp-webauthn's script says so with an
 * event), the account page is loaded again so the list of keys shows the new one.
 */
(function () {
  "use strict";
  document.addEventListener("otp_webauthn.register_complete", function () {
    window.location.reload();
  });
})();
