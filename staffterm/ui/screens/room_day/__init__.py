"""A room's day: its meetings, and how each reads (pushed from Zones and Timeline)."""
