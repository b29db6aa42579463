"""The SMS channel: segment counting, backends (console, outbox, Twilio) and the services
that every sender of SMS goes through."""
