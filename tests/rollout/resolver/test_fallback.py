"""The known-good version a host falls back to by itself (pure: dataclasses in, dataclasses out)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from rollout import resolver as rv
from tests.rollout.resolver.test_resolve import builds, releases

T0 = datetime(2024, 7, 19, 4, 9, tzinfo=UTC)


def _catalog(*releases: tuple[str, str, bool]) -> rv.Catalog:
    return rv.Catalog(
        builds=(
            rv.Build("windows", "7.10.100", "ga"),
            rv.Build("windows", "7.10.200", "ga"),
            rv.Build("windows", "7.11.100", "withdrawn"),
        ),
        releases=tuple(
            rv.Release("rapid_response", version, stage, valid, ga_at=T0 - timedelta(hours=9))
            for version, stage, valid in releases
        ),
        categories=(rv.Category("rapid_response"),),
    )


def _decision(subject: str, current: str | None, target: str | None) -> rv.Decision:
    return rv.Decision(subject, current, target, target, "ring", "test")


def test_it_names_the_version_the_host_ran_before_the_change() -> None:
    # given a host on 291.3 told to take 291.4 (still in its rollout)
    catalog = _catalog(("291.2", "ga", True), ("291.3", "ga", True), ("291.4", "canary", True))
    # when
    fallback = rv.content_fallback(catalog, "rapid_response", _decision("rapid_response", "291.3", "291.4"))
    # then
    assert fallback == "291.3"


def test_it_names_the_newest_release_that_passed_its_gates_once_the_host_runs_the_target() -> None:
    # given the host already runs 291.4; 291.3 was recalled, 291.2 is GA
    catalog = _catalog(("291.2", "ga", True), ("291.3", "recalled", True), ("291.4", "ga", True))
    # when
    fallback = rv.content_fallback(catalog, "rapid_response", _decision("rapid_response", "291.4", "291.4"))
    # then never the recalled one
    assert fallback == "291.2"


def test_it_never_falls_back_to_a_recalled_version_the_host_runs() -> None:
    # given a host on recalled 291.4 told to go back to 291.3 (the recall)
    catalog = _catalog(("291.3", "ga", True), ("291.4", "recalled", True))
    # when
    fallback = rv.content_fallback(catalog, "rapid_response", _decision("rapid_response", "291.4", "291.3"))
    # then nothing older than the target qualifies: the host waits for the console
    assert fallback is None


def test_it_names_no_fallback_without_a_target_or_an_older_good_release() -> None:
    # given
    catalog = _catalog(("291.4", "ga", True))
    # when / then
    assert rv.content_fallback(catalog, "rapid_response", _decision("rapid_response", None, None)) is None
    assert (
        rv.content_fallback(catalog, "rapid_response", _decision("rapid_response", "291.4", "291.4")) is None
    )


def test_it_names_the_sensor_build_and_every_category_of_a_resolution() -> None:
    # given a host moving 7.10.100 -> 7.10.200 and 291.3 -> 291.4
    catalog = _catalog(("291.3", "ga", True), ("291.4", "canary", True))
    host = rv.HostFacts("h", "windows", "7.10.100", {"rapid_response": "291.3"})
    resolution = rv.Resolution(
        "h",
        T0,
        _decision("sensor", "7.10.100", "7.10.200"),
        {"rapid_response": _decision("rapid_response", "291.3", "291.4")},
    )
    # when
    fallbacks = rv.fallbacks_for(catalog, host, resolution)
    # then
    assert fallbacks == {"sensor": "7.10.100", "rapid_response": "291.3"}
    # and a withdrawn build the host runs is never its fallback
    withdrawn = rv.sensor_fallback(catalog, "windows", _decision("sensor", "7.11.100", "7.10.200"))
    assert withdrawn == "7.10.100"


@given(catalog_builds=builds(), catalog_releases=releases(), data=st.data())
def test_it_never_names_a_recalled_invalid_or_target_version(
    catalog_builds: tuple[rv.Build, ...], catalog_releases: tuple[rv.Release, ...], data: st.DataObject
) -> None:
    # given any catalog and any current / target pair from it
    catalog = rv.Catalog(builds=catalog_builds, releases=catalog_releases)
    versions = [r.version for r in catalog_releases if r.category == "rapid_response"] or ["291.1"]
    current = data.draw(st.sampled_from([None, *versions]))
    target = data.draw(st.sampled_from(versions))
    # when
    fallback = rv.content_fallback(catalog, "rapid_response", _decision("rapid_response", current, target))
    # then
    if fallback is not None:
        assert fallback != target
        named = [r for r in catalog_releases if r.category == "rapid_response" and r.version == fallback]
        assert all(r.stage != "recalled" and r.valid for r in named)
