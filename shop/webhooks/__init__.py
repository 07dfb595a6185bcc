"""Outgoing webhooks: producers' endpoints, signed event deliveries through the outbox."""
