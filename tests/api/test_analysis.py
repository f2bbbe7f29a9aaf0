"""/api/flows/{id}/analysis/: the contract other parts and outside clients rely on."""


def test_analysis_of_the_content_flow(api, content_flow):
    response = api.get(f"/api/flows/{content_flow.pk}/analysis/")
    assert response.status_code == 200
    body = response.json()
    assert body["cycle_time"] == {"sequential": 34.5, "parallel": 30.5, "hybrid": 31.75}
    assert body["critical_path"] == ["T1", "T2", "T3", "T5", "T6", "T7", "T8", "T9"]
    assert body["tasks"]["T4"] == {
        "earliest_start": 6.0,
        "earliest_finish": 10.0,
        "latest_start": 7.0,
        "latest_finish": 11.0,
        "slack": 1.0,
    }
    assert body["phases"] == [["T1"], ["T2"], ["T3", "T4"], ["T5"], ["T6"], ["T7"], ["T8"], ["T9"]]
    assert body["clusters"] == [["T3", "T4"]]
    assert response["ETag"] == '"v1"'


def test_analysis_of_an_empty_flow(api):
    flow_id = api.post("/api/flows/", {"name": "Empty"}, format="json").json()["id"]
    body = api.get(f"/api/flows/{flow_id}/analysis/").json()
    assert body["cycle_time"] == {"sequential": 0, "parallel": 0, "hybrid": 0}
    assert body["critical_path"] == []
    assert body["tasks"] == {}
