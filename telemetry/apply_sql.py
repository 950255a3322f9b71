"""The statements the heartbeat flush applies, each returning the counter deltas of what it changed.

Both end in ``telemetry.counts.DELTAS_SQL``: one row per tenant and counter that moved (the sum
of each changed host's old -> new transition) and one per tenant with the number of hosts
updated, so the flush keeps the fleet counters without another read of the host table.
"""

# ruff: noqa: S608 - the statements are constants joined to a constant (no input is formatted in)

from __future__ import annotations

from typing import Final

from telemetry.counts import DELTAS_SQL

# ``changed_xid`` moves only with attributes that host-group rules match (all but the OS version
# are indexed, so such an update was never HOT anyway); content versions, which change on every
# content update of a fleet, do not touch it and those updates stay HOT.
HEARTBEATS_APPLY_SQL: Final = (
    """
WITH v AS (
  SELECT s.*, h.status AS old_status, h.platform AS old_platform, h.sensor_build AS old_build,
    h.content_versions AS old_content,
    CASE
      WHEN s.crashed OR s.status = 'crashed' THEN 'crashed'
      WHEN s.status = 'boot_loop' THEN 'boot_loop'
      WHEN s.status = 'recovering' THEN 'recovering'
      WHEN h.status IN ('crashed', 'boot_loop', 'silent') THEN 'recovering'
      WHEN h.status = 'recovering' AND h.status_changed_at
           > s.seen - make_interval(secs => 3 * COALESCE(s.interval_s, h.heartbeat_interval_s)) THEN 'recovering'
      ELSE 'online'
    END AS new_status
  FROM hb_stage s JOIN telemetry_host h ON h.id = s.id
  WHERE h.last_seen_at IS NULL OR h.last_seen_at < s.seen
),
u AS (
UPDATE telemetry_host h SET
  last_seen_at = v.seen,
  changed_xid = CASE
    WHEN (h.sensor_build, h.hostname, h.platform, h.os_version, h.tags::text[], h.site)
         IS DISTINCT FROM (v.sensor_build, COALESCE(v.hostname, h.hostname),
           COALESCE(v.platform, h.platform), COALESCE(v.os_version, h.os_version),
           COALESCE(v.tags, h.tags::text[]), COALESCE(v.site, h.site))
    THEN pg_current_xact_id()::text::bigint ELSE h.changed_xid END,
  reported_status = v.status,
  status = v.new_status,
  status_changed_at = CASE WHEN v.new_status <> v.old_status OR h.status_changed_at IS NULL
                           THEN v.seen ELSE h.status_changed_at END,
  versions_changed_at = CASE WHEN h.last_seen_at IS NOT NULL
                              AND (h.sensor_build <> v.sensor_build OR h.content_versions <> v.content)
                             THEN v.seen ELSE h.versions_changed_at END,
  sensor_build = v.sensor_build,
  content_versions = v.content,
  last_crash_at = CASE WHEN v.crashed THEN v.seen ELSE h.last_crash_at END,
  heartbeat_interval_s = COALESCE(v.interval_s, h.heartbeat_interval_s),
  hostname = COALESCE(v.hostname, h.hostname),
  platform = COALESCE(v.platform, h.platform),
  os_version = COALESCE(v.os_version, h.os_version),
  tags = COALESCE(v.tags, h.tags),
  site = COALESCE(v.site, h.site)
FROM v WHERE h.id = v.id
  RETURNING h.tenant_id, v.old_status, v.old_platform, v.old_build, v.old_content,
    h.status, h.platform, h.sensor_build, h.content_versions
)
"""
    + DELTAS_SQL
)
# Hosts that stopped reporting for three of their intervals: a crashed one is boot-looping, one
# that went quiet around an update is silent, any other is offline.
QUIET_SWEEP_SQL: Final = (
    """
WITH o AS (
  SELECT id, status AS old_status FROM telemetry_host
  WHERE status IN ('online', 'crashed', 'recovering')
    AND last_seen_at < %(now)s - make_interval(secs => 3 * heartbeat_interval_s)
  FOR UPDATE
),
u AS (
UPDATE telemetry_host h SET
  status = CASE
    WHEN h.status = 'crashed' OR h.reported_status IN ('crashed', 'boot_loop') THEN 'boot_loop'
    WHEN GREATEST(h.versions_changed_at, h.update_offered_at)
            >= h.last_seen_at - make_interval(secs => 3 * h.heartbeat_interval_s) THEN 'silent'
    ELSE 'offline'
  END,
  status_changed_at = %(now)s
FROM o WHERE h.id = o.id AND h.status IN ('online', 'crashed', 'recovering')
  RETURNING h.tenant_id, o.old_status, h.platform AS old_platform, h.sensor_build AS old_build,
    h.content_versions AS old_content, h.status, h.platform, h.sensor_build, h.content_versions
)
"""
    + DELTAS_SQL
)
