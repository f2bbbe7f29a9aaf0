"""Private by default: tokens for API clients, sessions with CSRF for the browser."""

from rest_framework.test import APIClient


def test_token_for_name_and_password(alice, content_flow):
    client = APIClient()
    response = client.post(
        "/api/auth/token/", {"username": "alice", "password": "alice-password-1"}, format="json"
    )
    assert response.status_code == 200
    token = response.json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert [f["name"] for f in client.get("/api/flows/").json()] == ["Content production"]


def test_token_refused_for_wrong_password(alice):
    response = APIClient().post(
        "/api/auth/token/", {"username": "alice", "password": "guess"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["message"] == "Unable to log in with provided credentials."


def test_anonymous_requests_are_refused(content_flow):
    client = APIClient()
    for path in (
        "/api/flows/",
        f"/api/flows/{content_flow.pk}/graph/",
        f"/api/flows/{content_flow.pk}/analysis/",
    ):
        response = client.get(path)
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == "Token"
    assert client.post("/api/flows/import/", {}, format="json").status_code == 401


def test_bad_token_is_refused(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert client.get("/api/flows/").status_code == 401


def test_session_writes_need_the_csrf_token(alice, content_flow):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(alice)
    assert client.get("/api/flows/").status_code == 200
    response = client.patch(f"/api/flows/{content_flow.pk}/", {"name": "Forged"}, format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["message"]
    content_flow.refresh_from_db()
    assert content_flow.name == "Content production"
