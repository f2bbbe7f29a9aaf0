"""The flow list: create, open, rename, duplicate, delete with confirmation, import a file."""

import json

from designer import services
from designer.models import Flow
from tests.browser.conftest import sign_in
from tests.factories import content_document


def signed_in_list(page):
    sign_in(page, "alice", "alice-password-1")
    page.wait_for_url("**/")


def test_create_a_flow_and_land_in_its_editor(page, alice):
    signed_in_list(page)
    assert page.get_by_text("No flows yet").is_visible()
    page.get_by_label("Name of the new flow").fill("Quarterly close")
    page.get_by_role("button", name="Create").click()
    page.wait_for_url("**/flows/*/")
    flow = Flow.objects.get(name="Quarterly close")
    assert page.url.endswith(f"/flows/{flow.pk}/")
    page.wait_for_function("window.vividoEditor?.state.analysis")
    assert page.locator("#summary-figures").inner_text().startswith("Sequential 0 h")


def test_rename_duplicate_and_delete(page, alice):
    services.flow_import(owner=alice, document=content_document())
    signed_in_list(page)
    page.get_by_role("button", name="Rename Content production").click()
    page.get_by_label("New name").fill("Articles")
    page.get_by_role("dialog").get_by_role("button", name="Rename").click()
    page.get_by_role("link", name="Articles", exact=True).wait_for()

    page.get_by_role("button", name="Duplicate Articles").click()
    page.get_by_role("link", name="Articles (copy)", exact=True).wait_for()
    assert Flow.objects.filter(owner=alice).count() == 2

    page.get_by_role("button", name="Delete Articles (copy)").click()
    dialog = page.get_by_role("dialog", name="Delete this flow?")
    assert "Articles (copy)" in dialog.inner_text()
    dialog.get_by_role("button", name="Keep it").click()
    assert Flow.objects.filter(owner=alice).count() == 2
    page.get_by_role("button", name="Delete Articles (copy)").click()
    dialog.get_by_role("button", name="Delete").click()
    page.get_by_role("link", name="Articles (copy)", exact=True).wait_for(state="detached")
    assert list(Flow.objects.values_list("name", flat=True)) == ["Articles"]


def test_rename_refuses_an_empty_name(page, alice):
    services.flow_import(owner=alice, document=content_document())
    signed_in_list(page)
    page.get_by_role("button", name="Rename Content production").click()
    page.get_by_label("New name").fill(" ")
    page.get_by_role("dialog").get_by_role("button", name="Rename").click()
    page.locator("#rename-error").filter(has_text="name").wait_for()
    assert Flow.objects.get().name == "Content production"


def test_import_a_flow_document_file(page, alice, tmp_path):
    good = tmp_path / "content.json"
    good.write_text(json.dumps(content_document()))
    signed_in_list(page)
    page.locator("#import-file").set_input_files(str(good))
    page.wait_for_url("**/flows/*/")
    assert Flow.objects.get().name == "Content production"


def test_import_a_bad_file_says_why(page, alice, tmp_path):
    cyclic = content_document()
    cyclic["dependencies"].append({"from": "T9", "to": "T1"})
    bad = tmp_path / "cyclic.json"
    bad.write_text(json.dumps(cyclic))
    signed_in_list(page)
    page.locator("#import-file").set_input_files(str(bad))
    message = page.locator("#flows-message")
    message.filter(has_text="dependency cycle").wait_for()
    assert message.inner_text().splitlines() == [
        "cyclic.json was not imported: 1 problem.",
        "dependency cycle: T1 → T2 → T3 → T5 → T7 → T8 → T9 → T1",
    ]
    not_json = tmp_path / "notes.json"
    not_json.write_text("{oops")
    page.locator("#import-file").set_input_files(str(not_json))
    message.filter(has_text="notes.json is not a JSON file.").wait_for()
    assert not Flow.objects.exists()


def test_import_reports_every_error_and_the_same_file_can_be_retried(page, alice, tmp_path):
    broken = content_document()
    broken["tasks"][1]["duration"] = {"optimistic": 5, "likely": 3, "pessimistic": 6}
    broken["tasks"][4]["duration"] = {"likely": -1}
    broken["dependencies"].append({"from": "T9", "to": "T99"})
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(broken))
    signed_in_list(page)
    page.locator("#import-file").set_input_files(str(path))
    message = page.locator("#flows-message")
    message.filter(has_text="3 problems").wait_for()
    assert message.locator("li").all_inner_texts() == [
        "task T2: durations must keep optimistic ≤ likely ≤ pessimistic (got 5, 3, 6)",
        "task T5: a duration cannot be negative",
        "dependency T9 → T99 names unknown task T99",
    ]
    assert page.locator("#import-file").input_value() == ""  # ready for the same file again
    path.write_text(json.dumps(content_document()))  # fixed, same name
    page.locator("#import-file").set_input_files(str(path))
    page.wait_for_url("**/flows/*/")
    assert Flow.objects.get().name == "Content production"
    assert page.js_errors == []


def test_same_named_flows_differ_by_last_change_and_task_count(page, alice):
    services.flow_import(owner=alice, document=content_document())
    small = content_document()
    small["tasks"] = small["tasks"][:2]
    small["dependencies"] = [{"from": "T1", "to": "T2", "strength": "hard"}]
    services.flow_import(owner=alice, document=small)
    signed_in_list(page)
    rows = page.locator("tr[data-flow]")
    assert rows.count() == 2
    cells = [
        (
            r.locator("[data-label='Last change']").inner_text(),
            r.locator("[data-label='Tasks']").inner_text(),
        )
        for r in rows.all()
    ]
    assert {tasks for _, tasks in cells} == {"2", "9"}
    assert all(last and "v1" in last for last, _ in cells)
