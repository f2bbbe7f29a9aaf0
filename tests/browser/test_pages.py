"""The pages so far, in a real browser: sign in, the flow list, the API docs."""

from designer import services
from tests.browser.conftest import axe_violations, sign_in
from tests.factories import content_document, flow_document


def test_sign_in_and_see_flows_with_their_cycle_times(page, alice):
    services.flow_import(owner=alice, document=content_document())
    sign_in(page, "alice", "alice-password-1")
    page.wait_for_url("**/")
    row = page.get_by_role("row", name="Content production")
    cells = row.get_by_role("cell").all_inner_texts()
    assert cells[0].endswith("· v1")  # the last change, so same-named flows can be told apart
    assert cells[1:5] == ["9", "34.5 h", "31.75 h", "30.5 h"]
    assert page.js_errors == []


def test_wrong_password_is_refused_with_a_message(page, alice):
    sign_in(page, "alice", "not-her-password")
    assert (
        page.get_by_role("alert").inner_text() == "That name and password do not match an account."
    )
    assert "/accounts/login/" in page.url


def test_pages_need_a_signed_in_user(page, db):
    page.goto("/")
    assert "/accounts/login/?next=/" in page.url


def test_a_hostile_task_name_is_shown_as_text(page, alice):
    hostile = "<img src=x onerror=alert(1)>"
    services.flow_import(owner=alice, document=flow_document({"A": 1}, name=hostile))
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    sign_in(page, "alice", "alice-password-1")
    page.wait_for_url("**/")
    assert page.get_by_role("link", name=hostile, exact=True).count() == 1
    assert page.locator("main img").count() == 0
    assert dialogs == []


def test_sign_out(page, alice):
    sign_in(page, "alice", "alice-password-1")
    page.wait_for_url("**/")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/accounts/login/")
    page.goto("/")
    assert "/accounts/login/" in page.url


def test_pages_have_no_serious_accessibility_violations(page, alice):
    page.goto("/accounts/login/")
    assert axe_violations(page) == []
    services.flow_import(owner=alice, document=content_document())
    sign_in(page, "alice", "alice-password-1")
    page.wait_for_url("**/")
    assert axe_violations(page) == []


def test_flow_list_fits_a_tablet(page, alice):
    services.flow_import(owner=alice, document=content_document())
    page.set_viewport_size({"width": 768, "height": 1024})
    sign_in(page, "alice", "alice-password-1")
    page.wait_for_url("**/")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0


def test_api_docs_render_from_local_assets(page, alice, live_server):
    elsewhere = []
    page.on(
        "request",
        lambda request: (
            None
            if request.url.startswith((live_server.url, "data:", "blob:"))
            else elsewhere.append(request.url)
        ),
    )
    sign_in(page, "alice", "alice-password-1")
    page.goto("/api/docs/")
    page.get_by_text("Vivido API").first.wait_for()
    assert page.get_by_text("/api/flows/{id}/graph/").first.is_visible()
    assert elsewhere == []
    assert page.js_errors == []
