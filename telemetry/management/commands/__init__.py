"""``simulate_fleet``: simulated sensors against the edge and the ingest API."""
