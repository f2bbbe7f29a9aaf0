"""load_examples and ensure_local_account: the set-up `make run` performs."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from designer import selectors
from designer.analysis.cpm import analyse
from designer.models import Flow


def run(*args, **options) -> str:
    out = StringIO()
    call_command(*args, stdout=out, **options)
    return out.getvalue()


def test_load_examples_is_idempotent(alice):
    first = run("load_examples", owner="alice")
    assert first.splitlines() == [
        "Content production: loaded",
        "Marketing campaign launch: loaded",
        "Regulatory submission: loaded",
    ]
    second = run("load_examples", owner="alice")
    assert second.splitlines() == [
        "Content production: already there",
        "Marketing campaign launch: already there",
        "Regulatory submission: already there",
    ]
    assert Flow.objects.filter(owner=alice).count() == 3


def test_examples_tell_the_guides_stories(alice):
    run("load_examples", owner="alice")
    figures = {
        flow.name: analyse(selectors.flow_spec(flow)) for flow in Flow.objects.filter(owner=alice)
    }
    content = figures["Content production"]
    assert content["cycle_time"] == {"sequential": 34.5, "parallel": 30.5, "hybrid": 31.75}
    # Regulatory: phases with sign-off gates, datasets analysed in parallel inside the first.
    regulatory = figures["Regulatory submission"]
    assert regulatory["phases_derived"] is False
    assert [len(p) for p in regulatory["phases"]] == [6, 4, 3, 3]
    assert regulatory["clusters"] == [["R2", "R3", "R4"]]
    # Marketing: a fan-out of six tasks after the brief, one sync before go-live.
    marketing = figures["Marketing campaign launch"]
    assert marketing["clusters"] == [["M3", "M4", "M5", "M6", "M7", "M8"]]
    assert marketing["cycle_time"]["parallel"] < marketing["cycle_time"]["sequential"] / 2


def test_load_examples_needs_an_existing_owner(db):
    with pytest.raises(CommandError, match="no account named 'nobody'"):
        run("load_examples", owner="nobody")


def test_local_account_is_created_once_with_a_private_password_file(db, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    out = run("ensure_local_account")
    path = tmp_path / "local-account.txt"
    assert out.strip() == f"Account: vivido — password in {path}"
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    lines = path.read_text().splitlines()
    assert lines[0] == "username: vivido"
    password = lines[1].removeprefix("password: ")
    user = get_user_model().objects.get(username="vivido")
    assert user.check_password(password)
    assert run("ensure_local_account").strip() == f"Account: vivido — password in {path}"
    assert get_user_model().objects.get(username="vivido").check_password(password)
