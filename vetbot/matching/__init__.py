"""Name matching for watchlist screening: romanisation-aware keys and a blocked in-memory index."""
