from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from rollout.resolver.recurrence import is_open, next_occurrences
from rollout.resolver.running import (
    KEEP_RUNNING,
    content_version_kept,
    keep_reason,
    keeps_running,
    ring_reason,
    sensor_build_kept,
)
from rollout.resolver.state import (
    SENSOR,
    Build,
    Catalog,
    Category,
    ContentPolicy,
    Decision,
    Freeze,
    HostFacts,
    Pause,
    Release,
    Resolution,
    SensorPolicy,
    TenantState,
    build_key,
    override_for,
    release_compatible,
)
from rollout.resolver.targets import (
    ContentMode,
    SensorTarget,
    content_mode_parse,
    sensor_target_parse,
    version_key,
)


def n_levels(catalog: Catalog, platform: str) -> list[Build]:
    """[N, N-1, N-2] of ``platform``: the newest GA build of each of its three newest GA lines."""
    newest: dict[str, Build] = {}
    for build in catalog.builds:
        if build.platform != platform or build.stage != "ga":
            continue
        held = newest.get(build.line)
        if held is None or (version_key(build.version), build.version) > (
            version_key(held.version),
            held.version,
        ):
            newest[build.line] = build
    lines = sorted(newest, key=lambda line: (version_key(line), line), reverse=True)[:3]
    return [newest[line] for line in lines]


def _select(
    policies: Iterable[SensorPolicy | ContentPolicy], host: HostFacts, group_names: Mapping[str, str]
) -> tuple[SensorPolicy | ContentPolicy | None, str | None]:
    chosen: SensorPolicy | ContentPolicy | None = None
    default: SensorPolicy | ContentPolicy | None = None
    for policy in sorted(policies, key=lambda p: (p.precedence, p.id)):
        if policy.is_default:
            default = default or policy
        elif chosen is None and policy.group_ids & host.group_ids:
            chosen = policy
    if chosen is not None:
        matched = sorted(chosen.group_ids & host.group_ids, key=lambda g: (group_names.get(g, ""), g))
        return chosen, matched[0]
    return default, None


def pause_active(pause: Pause, at: datetime, category: Category | None = None) -> bool:
    """A pause holds from its creation until it expires; a system-critical category's cap ends it early."""
    if at < pause.created_at or (pause.expires_at is not None and at >= pause.expires_at):
        return False
    if category is not None and category.system_critical and category.max_pause_hours is not None:
        return at < pause.created_at + timedelta(hours=category.max_pause_hours)
    return True


def _pause_for(state: TenantState, host: HostFacts, subject: str, at: datetime) -> Pause | None:
    category = next((c for c in state.catalog.categories if c.key == subject), None)
    for pause in sorted(state.pauses, key=lambda p: (p.created_at, p.id)):
        covers = (
            pause.scope == "tenant"
            or (pause.scope == "sensor" and subject == SENSOR)
            or (pause.scope == "content_category" and pause.category == subject)
            or (pause.scope == "host_group" and pause.group_id in host.group_ids)
        )
        if covers and pause_active(pause, at, category if subject != SENSOR else None):
            return pause
    return None


def _freeze_for(state: TenantState, at: datetime) -> Freeze | None:
    return next(
        (
            f
            for f in sorted(state.freezes, key=lambda f: (f.starts_at, f.id))
            if f.starts_at <= at < f.ends_at
        ),
        None,
    )


@dataclass(frozen=True)
class _Ctx:
    subject: str
    current: str | None
    policy_id: str | None
    policy_name: str
    group_id: str | None
    group_name: str


def _base(
    subject: str,
    current: str | None,
    policy: SensorPolicy | ContentPolicy | None,
    group_id: str | None,
    state: TenantState,
) -> _Ctx:
    return _Ctx(
        subject=subject,
        current=current,
        policy_id=policy.id if policy else None,
        policy_name=policy.name if policy else "",
        group_id=group_id,
        group_name=state.group_names.get(group_id, "") if group_id else "",
    )


def _decide(
    ctx: _Ctx,
    *,
    target: str | None,
    desired: str | None,
    rule: str,
    reason: str,
    pause_id: str | None = None,
    freeze_id: str | None = None,
    window_id: str | None = None,
) -> Decision:
    return Decision(
        subject=ctx.subject,
        current=ctx.current,
        target=target,
        desired=desired,
        rule=rule,
        reason=reason,
        policy_id=ctx.policy_id,
        policy_name=ctx.policy_name,
        group_id=ctx.group_id,
        group_name=ctx.group_name,
        pause_id=pause_id,
        freeze_id=freeze_id,
        window_id=window_id,
    )


def _via(policy: SensorPolicy | ContentPolicy, group_id: str | None, state: TenantState) -> str:
    if group_id:
        return f"policy {policy.name!r} (group {state.group_names.get(group_id, group_id)!r})"
    return f"default policy {policy.name!r}"


def resolve_sensor(state: TenantState, host: HostFacts, at: datetime) -> Decision:
    """The sensor build ``host`` may run at ``at``."""
    current = host.sensor_build or None
    policies = [p for p in state.sensor_policies if p.platform == host.platform]
    policy, group_id = _select(policies, host, state.group_names)
    base = _base(SENSOR, current, policy, group_id, state)
    if policy is None:
        return _decide(
            base,
            target=current,
            desired=current,
            rule="no_policy",
            reason=f"No sensor policy for {host.platform}; the host keeps {current}.",
        )
    assert isinstance(policy, SensorPolicy)
    via = _via(policy, group_id, state)
    desired, stage_reason = _sensor_desired(state, host, policy)
    pause = _pause_for(state, host, SENSOR, at)
    if pause is not None:
        return _decide(
            base,
            target=current,
            desired=desired,
            rule="pause",
            pause_id=pause.id,
            reason=f"Paused ({pause.scope}): {pause.reason}. The host keeps {current}.",
        )
    freeze = _freeze_for(state, at)
    if freeze is not None:
        return _decide(
            base,
            target=current,
            desired=desired,
            rule="freeze",
            freeze_id=freeze.id,
            reason=f"Freeze until {freeze.ends_at:%Y-%m-%d %H:%M} UTC: {freeze.reason}.",
        )
    target = sensor_target_parse(policy.target)
    if target.kind == "pinned":
        return _decide(
            base, target=desired, desired=desired, rule="pin", reason=f"{via} pins {stage_reason}."
        )
    if target.kind == "off":
        return _decide(
            base,
            target=current,
            desired=current,
            rule="off",
            reason=f"{via} turns sensor updates off; the host keeps {current}.",
        )
    rule, reason = "stage", f"{via} targets {stage_reason}."
    # A sensor-build rollout applies to the hosts whose policy level resolves to its build.
    ring = host.ring_states.get(f"sensor:{host.platform}@{desired}") or host.ring_states.get(
        f"sensor:{host.platform}"
    )
    if ring is not None:
        desired = ring.allowed_version or current
        rule, reason = "ring", ring_reason(ring, desired)
    if desired is None:
        return _decide(
            base,
            target=current,
            desired=None,
            rule="no_release",
            reason=f"No GA sensor build for {host.platform}; the host keeps {current}.",
        )
    kept = sensor_build_kept(state.catalog, host.platform, current)
    if current is not None and keeps_running(running=current, target=desired, kept=kept, ring=ring):
        return _decide(
            base,
            target=current,
            desired=desired,
            rule=KEEP_RUNNING,
            reason=keep_reason(current, desired, reason),
        )
    if desired != current and not (ring is not None and ring.fast_track):
        for block in policy.update_blocks:
            if is_open(block, at):
                return _decide(
                    base,
                    target=current,
                    desired=desired,
                    rule="update_block",
                    reason=f"{via} prohibits sensor updates now ({block.timezone}); {desired} waits.",
                )
    return _decide(base, target=desired, desired=desired, rule=rule, reason=reason)


def _sensor_desired(state: TenantState, host: HostFacts, policy: SensorPolicy) -> tuple[str | None, str]:
    target: SensorTarget = sensor_target_parse(policy.target)
    if target.kind == "pinned":
        known = any(
            b.platform == host.platform and b.version == target.build and b.stage != "withdrawn"
            for b in state.catalog.builds
        )
        if known:
            return target.build, target.build
        return (host.sensor_build or None), f"{target.build} (not available; keeping the current build)"
    if target.kind == "off":
        return host.sensor_build or None, "off"
    levels = n_levels(state.catalog, host.platform)
    if not levels:
        return None, "nothing"
    build = levels[min(target.offset, len(levels) - 1)]
    return build.version, f"{target} = {build.version} (line {build.line})"


def _eligible(release: Release, category: str, mode: ContentMode, at: datetime) -> bool:
    if release.category != category or not release.valid or release.stage == "recalled":
        return False
    if mode.kind == "early_access":
        since = release.early_access_at or release.ga_at
        return release.stage in ("early_access", "ga") and since is not None and since <= at
    return (
        release.stage == "ga"
        and release.ga_at is not None
        and release.ga_at + timedelta(hours=mode.delay_hours) <= at
    )


def resolve_content(state: TenantState, host: HostFacts, category: str, at: datetime) -> Decision:
    """The content version of ``category`` that ``host`` may have at ``at``."""
    current = host.content_versions.get(category) or None
    policies = [p for p in state.content_policies if p.category == category]
    policy, group_id = _select(policies, host, state.group_names)
    base = _base(category, current, policy, group_id, state)
    if policy is None:
        return _decide(
            base,
            target=current,
            desired=current,
            rule="no_policy",
            reason=f"No content policy for {category}; the host keeps {current}.",
        )
    assert isinstance(policy, ContentPolicy)
    via = _via(policy, group_id, state)
    mode = content_mode_parse(policy.mode)
    pause = _pause_for(state, host, category, at)
    if pause is not None:
        return _decide(
            base,
            target=current,
            desired=None,
            rule="pause",
            pause_id=pause.id,
            reason=f"Paused ({pause.scope}): {pause.reason}. The host keeps {current}.",
        )
    if mode.kind == "paused":
        return _decide(
            base,
            target=current,
            desired=None,
            rule="pause",
            reason=f"{via} pauses {category}; the host keeps {current}.",
        )
    freeze = _freeze_for(state, at)
    if freeze is not None:
        held = _decide(
            base,
            target=current,
            desired=None,
            rule="freeze",
            freeze_id=freeze.id,
            reason=f"Freeze until {freeze.ends_at:%Y-%m-%d %H:%M} UTC: {freeze.reason}.",
        )
        consented = any(o.category == category and "freeze" in o.kinds for o in state.overrides)
        if not freeze.critical_bypass and not consented:
            return held
        # An approved bypass lets vendor-marked critical content through, and a vendor override the
        # tenant approved lets its one release through; nothing else passes.
        passed = _content_after_freeze(state, host, category, at, policy, mode, base, via)
        if passed.target == current or passed.rule == "pin":
            return held
        critical = any(
            r.category == category and r.version == passed.target and r.critical
            for r in state.catalog.releases
        )
        if freeze.critical_bypass and critical:
            return replace(
                passed,
                freeze_id=freeze.id,
                reason=passed.reason + f" Critical content bypasses the freeze ({freeze.reason}).",
            )
        override = override_for(state.overrides, category, passed.target, "freeze", at)
        if override is None:
            return held
        return replace(
            passed,
            freeze_id=freeze.id,
            reason=passed.reason
            + f" The tenant approved {override.requested_by}'s request to pass the freeze ({freeze.reason}).",
        )
    return _content_after_freeze(state, host, category, at, policy, mode, base, via)


def _content_after_freeze(
    state: TenantState,
    host: HostFacts,
    category: str,
    at: datetime,
    policy: ContentPolicy,
    mode: ContentMode,
    base: _Ctx,
    via: str,
) -> Decision:
    current = base.current
    if mode.kind == "pinned":
        known = any(
            r.category == category and r.version == mode.version and r.valid and r.stage != "recalled"
            for r in state.catalog.releases
        )
        pinned = next(
            (r for r in state.catalog.releases if r.category == category and r.version == mode.version), None
        )
        if known and pinned is not None and mode.version != current:
            blocked = _incompatible(base, host, pinned, f"{via} pins {category} {mode.version}.")
            if blocked is not None:
                return blocked
        if known:
            return _decide(
                base,
                target=mode.version,
                desired=mode.version,
                rule="pin",
                reason=f"{via} pins {category} {mode.version}.",
            )
        return _decide(
            base,
            target=current,
            desired=None,
            rule="pin",
            reason=f"{via} pins {mode.version}, which is not available; the host keeps {current}.",
        )
    ring = host.ring_states.get(f"content:{category}")
    if ring is not None and any(
        r.category == category
        and r.version == ring.allowed_version
        and (r.stage == "recalled" or not r.valid)
        for r in state.catalog.releases
    ):
        ring = None  # a recalled release is never delivered, whatever a rollout still says
    release: Release | None = None
    if ring is not None:
        desired = ring.allowed_version or current
        rule, reason = "ring", ring_reason(ring, desired)
        release = next(
            (r for r in state.catalog.releases if r.category == category and r.version == desired), None
        )
    else:
        eligible = [r for r in state.catalog.releases if _eligible(r, category, mode, at)]
        if not eligible:
            return _decide(
                base,
                target=current,
                desired=None,
                rule="no_release",
                reason=f"No {mode} release of {category} is available yet; the host keeps {current}.",
            )
        release = max(eligible, key=lambda r: (version_key(r.version), r.version))
        desired = release.version
        rule = "delay" if mode.kind == "ga" and mode.delay_hours else "stage"
        reason = f"{via} follows {mode}: newest is {desired}."
    if release is not None and desired != current:
        blocked = _incompatible(base, host, release, reason)
        if blocked is not None:
            return blocked
    kept = content_version_kept(state.catalog, category, current)
    if current is not None and keeps_running(running=current, target=desired, kept=kept, ring=ring):
        return _decide(
            base,
            target=current,
            desired=desired,
            rule=KEEP_RUNNING,
            reason=keep_reason(current, desired or "", reason),
        )
    if desired != current and policy.windows:
        consent = override_for(state.overrides, category, desired, "window", at)
        bypass = (
            (release is not None and release.critical and policy.critical_bypass_windows)
            or (ring is not None and ring.fast_track)
            or consent is not None
        )
        windows = sorted(policy.windows, key=lambda w: (w.name, w.id))
        open_now = [w for w in windows if is_open(w.recurrence, at)]
        if not open_now and not bypass:
            upcoming = sorted(
                ((start, w) for w in windows for start, _ in next_occurrences(w.recurrence, at, 8)),
                key=lambda item: (item[0], item[1].name, item[1].id),
            )
            nxt = (
                f"; next window {upcoming[0][1].name!r} opens {upcoming[0][0]:%Y-%m-%d %H:%M} UTC"
                if upcoming
                else ""
            )
            return _decide(
                base,
                target=current,
                desired=desired,
                rule="window",
                window_id=upcoming[0][1].id if upcoming else None,
                reason=f"{via}: outside its maintenance windows, {desired} waits{nxt}.",
            )
        if bypass and not open_now:
            if ring is not None and ring.fast_track:
                reason += " A rollback is fast-tracked past the windows."
            elif release is not None and release.critical and policy.critical_bypass_windows:
                reason += " Vendor-marked critical content bypasses the windows."
            else:
                assert consent is not None
                reason += f" The tenant approved {consent.requested_by}'s request to pass the windows."
        else:
            return _decide(
                base,
                target=desired,
                desired=desired,
                rule=rule,
                window_id=open_now[0].id,
                reason=reason + f" Window {open_now[0].name!r} is open.",
            )
    return _decide(base, target=desired, desired=desired, rule=rule, reason=reason)


def _incompatible(base: _Ctx, host: HostFacts, release: Release, reason: str) -> Decision | None:
    """The contract matrix: a host whose build cannot interpret ``release`` keeps what it runs."""
    if release_compatible(release, host.platform, host.sensor_build):
        return None
    key = build_key(host.platform, host.sensor_build)
    why = dict(release.incompatible).get(key, "it was not checked against this build")
    return _decide(
        base,
        target=base.current,
        desired=release.version,
        rule="incompatible",
        reason=(
            f"{reason} But {release.category} {release.version} is incompatible with sensor "
            f"{host.platform} {host.sensor_build or '(unknown)'}: {why} The host keeps {base.current}."
        ),
    )


def categories_of(state: TenantState) -> list[str]:
    keys = {c.key for c in state.catalog.categories} | {p.category for p in state.content_policies}
    return sorted(keys)


def resolve_host(state: TenantState, host: HostFacts, at: datetime) -> Resolution:
    """The sensor build and the content version per category ``host`` may have at ``at``, with why.

    The one resolution behind explain, the stored desired state and what the backend serves
    (DESIGN section 4 rule 11): ``host`` carries what the host runs (``sensor_build``,
    ``content_versions``), its groups and its ring states; ``state`` the tenant's policies, catalog,
    freezes and pauses (recompute passes no pauses: they reach the backend as holds).

    Never backward (rule 2, ``rollout.resolver.running``): only a rollback (a rolled-back rollout or
    an explicit pin) or a recall (recalled or invalid release, withdrawn build) moves a host to an
    older version than it runs; any other rule that aims lower gives ``keep_running``. So while a new
    line is staged, an ``n-2`` host in a ring the rollout has not reached keeps what it runs (usually
    the old N-2, now N-3: the one place a host is outside N..N-2, because it is held); a host that
    already runs the new N-2 or newer keeps it; one running something older than the rollout's
    known-good build is brought up to that known-good build. When its ring is reached it gets the
    new N-2."""
    return Resolution(
        host_id=host.id,
        at=at,
        sensor=resolve_sensor(state, host, at),
        content={category: resolve_content(state, host, category, at) for category in categories_of(state)},
    )


def release_eligible(release: Release, category: str, mode: ContentMode, at: datetime) -> bool:
    """Whether ``mode`` (early access, GA, GA + delay) takes ``release`` at ``at``; never a recalled one."""
    return _eligible(release, category, mode, at)
