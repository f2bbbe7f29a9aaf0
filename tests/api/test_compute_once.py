"""Work done once per flow version, not once per request: the flow list reads the cycle
times each save stored, the assessment computes the flow's figures once, and keeping a
simulation stores the preview the user was shown instead of simulating again."""

import importlib

import pytest
from django.apps import apps
from django.test import Client

from designer import selectors, services
from designer.analysis import simulation as core_simulation
from designer.analysis.graph import FlowGraph
from designer.assessments import selectors as assessment_selectors
from designer.models import Flow, Simulation
from designer.simulations import services as simulation_services
from tests.factories import content_document

CONTENT_CYCLE_TIMES = {"sequential": 34.5, "parallel": 30.5, "hybrid": 31.75}


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def list_page_queries(client, django_assert_num_queries, queries):
    with django_assert_num_queries(queries):
        response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("flows", [1, 6])
def test_the_flow_list_takes_three_queries_however_many_flows(
    alice, flows, django_assert_num_queries
):
    for _ in range(flows):
        services.flow_import(owner=alice, document=content_document())
    # The session, the user, the flows with their task counts and stored cycle times.
    page = list_page_queries(signed_in(alice), django_assert_num_queries, 3)
    assert page.count("34.5 h") == flows
    assert page.count("31.75 h") == flows
    assert page.count("30.5 h") == flows


def test_every_save_stores_the_cycle_times_of_its_version(api, content_flow):
    assert Flow.objects.get(pk=content_flow.pk).cycle_times == CONTENT_CYCLE_TIMES
    # The delays change every cycle time: a settings change stores the new ones.
    response = api.patch(
        f"/api/flows/{content_flow.pk}/", {"handoff_delay": 0, "sync_overhead": 0}, format="json"
    )
    assert response.status_code == 200
    stored = Flow.objects.get(pk=content_flow.pk)
    assert stored.cycle_times == {"sequential": 30.5, "parallel": 26.5, "hybrid": 26.5}
    assert stored.cycle_times == selectors.flow_analysis(stored)["cycle_time"]
    # A graph replaced: T9 twice as long (0.5 → 1 likely) adds half a unit everywhere.
    document = content_document()
    document["tasks"][-1]["duration"] = {"optimistic": 1, "likely": 1, "pessimistic": 1}
    response = api.put(
        f"/api/flows/{content_flow.pk}/graph/", document, format="json", HTTP_IF_MATCH='"v2"'
    )
    assert response.status_code == 200
    assert Flow.objects.get(pk=content_flow.pk).cycle_times == {
        "sequential": 35.0,
        "parallel": 31.0,
        "hybrid": 32.25,
    }
    empty = api.post("/api/flows/", {"name": "Empty"}, format="json").json()
    assert Flow.objects.get(pk=empty["id"]).cycle_times == {
        "sequential": 0.0,
        "parallel": 0.0,
        "hybrid": 0.0,
    }


def test_the_data_migration_fills_flows_saved_before_it(content_flow):
    Flow.objects.filter(pk=content_flow.pk).update(cycle_times=None)
    migration = importlib.import_module("designer.migrations.0006_flow_cycle_times")
    migration.store_cycle_times(apps, None)
    assert Flow.objects.get(pk=content_flow.pk).cycle_times == CONTENT_CYCLE_TIMES


@pytest.fixture
def figures_computed(monkeypatch):
    """How often the assessment computed the flow's figures (it still computes them)."""
    monkeypatch.setattr(assessment_selectors, "_figures", type(assessment_selectors._figures)())
    calls = []
    real = assessment_selectors.flow_figures

    def counting(spec):
        calls.append(spec.name)
        return real(spec)

    monkeypatch.setattr(assessment_selectors, "flow_figures", counting)
    return calls


@pytest.fixture
def flow_reads(monkeypatch):
    """How often a request read the stored flow into the core's form."""
    calls = []
    real = selectors.flow_spec

    def counting(flow):
        calls.append(flow.pk)
        return real(flow)

    monkeypatch.setattr(selectors, "flow_spec", counting)
    return calls


def test_the_assessment_computes_the_figures_once_per_flow_version(
    api, content_flow, figures_computed, flow_reads
):
    url = f"/api/flows/{content_flow.pk}/assessment/"
    first = api.get(url).json()
    assert (figures_computed, flow_reads) == (["Content production"], [content_flow.pk])
    flow_reads.clear()
    assert api.get(url).json() == first
    assert api.patch(url, {"step": 1}, format="json").status_code == 200
    assert api.get(f"{url}report.md").status_code == 200
    # Three more requests: each read the flow once, none computed the figures again.
    assert figures_computed == ["Content production"]
    assert flow_reads == [content_flow.pk] * 3
    api.patch(f"/api/flows/{content_flow.pk}/", {"handoff_delay": 0}, format="json")
    assert api.get(url).json()["flow_version"] == 2
    assert figures_computed == ["Content production"] * 2


@pytest.fixture
def graphs_built(monkeypatch):
    """How often a flow was indexed into a `FlowGraph` (each one still is)."""
    calls = []
    real = FlowGraph.__init__

    def counting(self, flow):
        calls.append(flow.name)
        real(self, flow)

    monkeypatch.setattr(FlowGraph, "__init__", counting)
    return calls


def test_a_cold_assessment_indexes_the_flow_once(api, content_flow, figures_computed, graphs_built):
    # Figures not computed yet: schedules, 500 simulated runs, contention, clusters and an
    # audit of all 11 dependencies, every one read off the same single graph of the flow.
    response = api.get(f"/api/flows/{content_flow.pk}/assessment/")
    assert response.status_code == 200
    assert figures_computed == ["Content production"]
    assert graphs_built == ["Content production"]
    audit = response.json()["outcome"]["audit"]["entries"]
    assert len(audit) == len(content_document()["dependencies"]) == 11


@pytest.fixture
def simulations_run(monkeypatch):
    """How often the Monte Carlo core ran (it still runs)."""
    calls = []

    def counting(*args, **kwargs):
        calls.append(kwargs["iterations"])
        return core_simulation.simulate(*args, **kwargs)

    monkeypatch.setattr(simulation_services, "simulate", counting)
    return calls


def test_keep_stores_the_preview_shown_without_simulating_again(api, content_flow, simulations_run):
    url = f"/api/flows/{content_flow.pk}/simulations/"
    asked = {"iterations": 200, "seed": None, "overrides": {"handoff_delay": 0}}
    shown = api.post(f"{url}preview/", asked, format="json").json()
    assert simulations_run == [200]
    kept = api.post(url, asked, format="json")
    assert kept.status_code == 201
    body = kept.json()
    assert simulations_run == [200]  # not simulated again
    # The very figures shown, random seed and timing included.
    assert {k: v for k, v in body.items() if k not in ("id", "created_at")} == shown
    assert Simulation.objects.get(pk=body["id"]).result == shown


def test_keep_simulates_what_no_preview_showed(api, content_flow, simulations_run):
    url = f"/api/flows/{content_flow.pk}/simulations/"
    api.post(f"{url}preview/", {"iterations": 100, "seed": 3}, format="json")
    # Other parameters: nothing shown to keep, so the server simulates them.
    other = api.post(url, {"iterations": 100, "seed": 4}, format="json").json()
    assert (other["seed"], simulations_run) == (4, [100, 100])
    # The flow changed since the preview: its figures are stale, the keep simulates anew.
    api.patch(f"/api/flows/{content_flow.pk}/", {"handoff_delay": 0}, format="json")
    again = api.post(url, {"iterations": 100, "seed": 3}, format="json").json()
    assert (again["flow_version"], simulations_run) == (2, [100, 100, 100])
    # 26.5 without delays, + 7 phase barriers × s = 0.25, and no hand-off delay now.
    assert again["results"]["hybrid"]["deterministic"] == 28.25


def test_starting_a_run_reads_the_flow_once_and_never_parses_it_back(
    api, content_flow, flow_reads, monkeypatch
):
    from runs import engine
    from runs.models import Run

    parsed = []
    real = engine.flow_from_document
    monkeypatch.setattr(engine, "flow_from_document", lambda d: parsed.append(d) or real(d))
    body = {"blueprint": "hybrid", "failure_policy": "fail_fast", "time_scale": 0.01, "seed": 3}
    response = api.post(f"/api/flows/{content_flow.pk}/runs/", body, format="json")
    assert response.status_code == 201
    # The stored flow was read once; its frozen document was not parsed back into a flow.
    assert (flow_reads, parsed) == ([content_flow.pk], [])
    run = Run.objects.get(pk=response.json()["id"])
    assert run.document == selectors.flow_document(content_flow)
    assert list(run.tasks.values_list("key", flat=True)) == [f"T{n}" for n in range(1, 10)]
