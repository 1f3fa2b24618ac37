"""Admin: tenants, people, groups, any calendar's events and the outbox, one pane each."""
