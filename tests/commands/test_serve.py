"""`manage.py serve`: the embedded server (Daphne + whitenoise), started as `make run` does."""

import urllib.request


def test_serves_pages_static_files_and_the_api(server):
    with urllib.request.urlopen(server.base + "/static/css/vivido.css") as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/css")
    names = sorted(f["name"] for f in server.call("GET", "/api/flows/"))
    assert names == ["Content production", "Marketing campaign launch", "Regulatory submission"]
