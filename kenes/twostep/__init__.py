"""Officers' second step: app codes (TOTP) whose secrets are sealed under the field key.

Passkeys and security keys (WebAuthn) are django-otp-webauthn's credentials: public keys,
stored as they are, usable while the server is sealed (docs/custody.md, "Logging in while
sealed"). The services are in kenes.web.twostep.
"""
