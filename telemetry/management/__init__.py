"""Management commands of the telemetry app."""
