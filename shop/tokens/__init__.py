"""Personal access tokens of producers for the JSON API (issue 15): an owner
creates, names, scopes and revokes them; only a hash of each is stored. The
keys of idempotent writes live here too, per token (idempotency.py)."""
