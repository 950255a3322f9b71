"""Host inventory, heartbeat ingest, fleet health, websocket dashboards, the fleet simulator."""
