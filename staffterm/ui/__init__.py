"""The Textual console. Never imports httpx, msal or google-auth (checked by a test)."""
