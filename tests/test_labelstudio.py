"""The Label Studio REST client, and a round trip through a real Label Studio server.

The client tests talk to a small fake server on loopback (auth schemes, token refresh, errors). The
integration test (mark ``labelstudio``) starts the real ``label-studio`` from its own virtualenv
($GOVREPORT_LABEL_STUDIO, else PATH; skipped when absent): it takes about half a minute to come
up, which is why that test is slower than the rest. The report text is fictional.
"""

from __future__ import annotations

import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace
from typing import ClassVar

import pytest

from govreport.annotations.labelstudio import (
    LabelStudioClient,
    LabelStudioError,
    LabelStudioServer,
    find_label_studio,
)
from govreport.core.document import Span

JWT = "eyJhbGciOiJIUzI1NiJ9.eyJ0b2tlbl90eXBlIjoicmVmcmVzaCJ9.c2ln"


class _Fake(BaseHTTPRequestHandler):
    """Answers like Label Studio: /api/token/refresh/ hands out access tokens, the first expires at once."""

    log: ClassVar[list[tuple[str, str, str | None, object]]] = []
    issued: ClassVar[int] = 0

    def _reply(self, code: int, body: object) -> None:
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _handle(self, method: str) -> None:
        n = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(n)) if n else None
        auth = self.headers.get("Authorization")
        type(self).log.append((method, self.path, auth, body))
        if self.path == "/api/token/refresh/":
            type(self).issued += 1
            return self._reply(200, {"access": f"access-{type(self).issued}"})
        if auth in ("Token legacy-token", "Bearer access-2"):
            if self.path == "/api/projects" and method == "POST":
                return self._reply(201, {"id": 7, "title": body["title"]})
            return self._reply(200, {"path": self.path})
        return self._reply(401, {"detail": "Authentication credentials were not provided."})

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def log_message(self, *args: object) -> None:  # keep test output quiet
        pass


@pytest.fixture
def fake_server():
    _Fake.log, _Fake.issued = [], 0
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Fake)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_legacy_token_is_sent_as_token_scheme(fake_server):
    client = LabelStudioClient(fake_server, "legacy-token", timeout=5)
    assert client.create_project("ab", "<View/>") == 7
    method, path, auth, body = _Fake.log[-1]
    assert (method, path, auth) == ("POST", "/api/projects", "Token legacy-token")
    assert len(body["title"]) >= 3  # Label Studio refuses titles shorter than 3 characters


def test_personal_access_token_is_refreshed_and_retried_once_on_401(fake_server):
    client = LabelStudioClient(fake_server, JWT, timeout=5)
    # access-1 is refused (expired), so the client refreshes once and retries with access-2.
    assert client.whoami() == {"path": "/api/current-user/whoami"}
    calls = [(p, a) for _, p, a, _ in _Fake.log]
    assert calls == [("/api/token/refresh/", None), ("/api/current-user/whoami", "Bearer access-1"),
                     ("/api/token/refresh/", None), ("/api/current-user/whoami", "Bearer access-2")]
    assert _Fake.log[0][3] == {"refresh": JWT}


def test_refused_and_unreachable_requests_raise_clear_errors(fake_server):
    with pytest.raises(LabelStudioError, match="HTTP 401"):
        LabelStudioClient(fake_server, "wrong", timeout=5).whoami()
    with pytest.raises(LabelStudioError, match="/api/current-user/whoami"):
        LabelStudioClient("http://127.0.0.1:9", "legacy-token", timeout=5).whoami()
    with pytest.raises(ValueError, match="token"):
        LabelStudioClient(fake_server, "")


def test_binary_comes_from_the_env_var_or_path(tmp_path, monkeypatch):
    exe = tmp_path / "label-studio"
    exe.write_text("#!/bin/sh\n", encoding="utf-8")
    exe.chmod(0o755)
    monkeypatch.setenv("GOVREPORT_LABEL_STUDIO", str(exe))
    assert find_label_studio() == str(exe)
    monkeypatch.setenv("GOVREPORT_LABEL_STUDIO", str(tmp_path / "absent"))
    assert find_label_studio() is None
    monkeypatch.delenv("GOVREPORT_LABEL_STUDIO")
    monkeypatch.setenv("PATH", str(tmp_path))
    assert find_label_studio() == str(exe)
    # Not on PATH: the virtualenv the install script makes.
    venv_exe = tmp_path / "venv" / "bin" / "label-studio"
    venv_exe.parent.mkdir(parents=True)
    exe.rename(venv_exe)
    monkeypatch.setenv("GOVREPORT_LS_VENV", str(tmp_path / "venv"))
    assert find_label_studio() == str(venv_exe)
    monkeypatch.setenv("GOVREPORT_LS_VENV", str(tmp_path / "none"))
    assert find_label_studio() is None


def test_server_that_exits_at_once_is_reported_with_its_log(tmp_path):
    exe = tmp_path / "label-studio"
    exe.write_text("#!/bin/sh\necho 'no database here' >&2\nexit 3\n", encoding="utf-8")
    exe.chmod(0o755)
    server = LabelStudioServer(str(exe), data_dir=tmp_path / "data", start_timeout=20)
    with pytest.raises(LabelStudioError, match=r"exited with 3.*no database here"):
        server.start()
    server.stop()


# --- a real Label Studio ------------------------------------------------------------------------
# A character outside the BMP (counts twice in Label Studio's UTF-16 offsets) before the spans.
TEXT = """𠀀西岭县石桥镇人民政府2021年政府信息公开工作年度报告
一、总体情况
咨询电话：0833-5512345。
三、收到和处理政府信息公开申请情况
（一）予以公开 | 2 | 0 | 0 | 0 | 0 | 0 | 2 |
"""
MARKS = [("西岭县石桥镇人民政府", "AGENCY"), ("2021", "REPORT_YEAR"), ("一、总体情况", "H.overview"),
         ("0833-5512345", "POSTCODE"), ("三、收到和处理政府信息公开申请情况", "H.requests"),
         ("2", "T2.granted.natural_person"), ("2 |\n", "T2.granted.total")]


def _spans() -> list[Span]:
    spans, pos = [], 0
    for sub, label in MARKS:
        start = TEXT.index(sub, pos)
        spans.append(Span(start, start + len(sub.rstrip(" |\n")), label))
        pos = start + len(sub)
    return spans


@pytest.fixture(scope="module")
def label_studio():
    binary = find_label_studio()
    if binary is None:
        pytest.skip("label-studio not installed (set GOVREPORT_LABEL_STUDIO or put it on PATH)")
    server = LabelStudioServer(binary, start_timeout=float(os.environ.get("GOVREPORT_LS_START_TIMEOUT", 300)))
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.mark.labelstudio
def test_queued_tasks_import_with_their_scores_visible(label_studio, tmp_path):
    """govreport queue's tasks (runs before the round trip, which stops the server at its end)."""
    from govreport.annotations.formats import labelstudio_config
    from govreport.annotations.queue import queue

    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "shiqiao-2021.txt").write_text(TEXT, encoding="utf-8")
    (reports / "sure-2021.txt").write_text(TEXT.replace("石桥镇", "石门镇"), encoding="utf-8")
    predicted = _spans()

    def extract(text: str) -> SimpleNamespace:
        doubt = 0.35 if "石桥镇" in text else 0.97  # the shiqiao report is the least certain
        scores = {s: (doubt if s.label == "T2.granted.total" else 0.99) for s in predicted}
        record = {"template": "2021", "checks": [], "confidence": {"agency": 0.99, "requests.granted.total": doubt}}
        return SimpleNamespace(record=record, spans=predicted, scores=scores)

    tasks_path = tmp_path / "queue.json"
    result = queue([reports], 2, tasks_path, extractor=SimpleNamespace(extract=extract))
    assert [c.name.rsplit("/", 1)[-1] for c in result.queued] == ["shiqiao-2021.txt", "sure-2021.txt"]
    tasks = json.loads(tasks_path.read_text(encoding="utf-8"))

    client = label_studio.client()
    project = client.create_project("govreport review queue", labelstudio_config())
    summary = client.import_tasks(project, tasks)
    assert (summary["task_count"], summary["prediction_count"]) == (2, 2)
    by_doc = {}
    for task_id in client.task_ids(project):
        task = client.request("GET", f"/api/tasks/{task_id}")
        (pred,) = client.predictions(task_id)
        by_doc[task["data"]["doc_id"]] = (task, pred)
    task, pred = by_doc["shiqiao-2021"]
    assert pred["score"] == pytest.approx(0.35)  # the prediction's score: its lowest value confidence
    scores = {r["value"]["labels"][0]: r["score"] for r in pred["result"]}
    assert scores["T2.granted.total"] == pytest.approx(0.35) and scores["AGENCY"] == pytest.approx(0.99)
    assert pred["result"] == tasks[0]["predictions"][0]["result"]
    assert task["data"]["meta"]["review"]["rank"] == 1
    assert by_doc["sure-2021"][1]["score"] == pytest.approx(0.97)
    client.delete_project(project)


@pytest.mark.labelstudio
def test_round_trip_through_a_real_label_studio(label_studio, tmp_path):
    from govreport.annotations.formats import labelstudio_config, read_labelstudio
    from govreport.annotations.pre import pre_annotate
    from govreport.cli import main

    report = tmp_path / "shiqiao-2021.txt"
    report.write_text(TEXT, encoding="utf-8")
    predicted = _spans()
    model = SimpleNamespace(extract=lambda text: SimpleNamespace(record={}, spans=predicted))
    tasks_path = tmp_path / "tasks.json"
    pre_annotate([report], tasks_path, extractor=model)
    tasks = json.loads(tasks_path.read_text(encoding="utf-8"))

    client = label_studio.client()
    project = client.create_project("govreport round trip", labelstudio_config())
    summary = client.import_tasks(project, tasks)
    assert (summary["task_count"], summary["prediction_count"]) == (1, 1)
    (task_id,) = client.task_ids(project)

    # The pre-annotations Label Studio shows are ours, offsets included.
    (pred,) = client.predictions(task_id)
    assert pred["result"] == tasks[0]["predictions"][0]["result"]

    # An annotator accepts them and corrects one label; the export gives back exactly that.
    result = json.loads(json.dumps(pred["result"]))
    for r in result:
        if r["value"]["labels"] == ["POSTCODE"]:
            r["value"]["labels"] = ["PHONE"]
    client.create_annotation(task_id, result)
    exported = client.export(project)
    assert len(exported) == 1 and exported[0]["data"]["text"] == TEXT
    read = read_labelstudio(exported)
    assert not read.problems
    (doc,) = read.documents
    expected = sorted(Span(s.start, s.end, "PHONE" if s.label == "POSTCODE" else s.label) for s in predicted)
    assert doc.id == "shiqiao-2021" and doc.spans == expected
    assert [s.text(TEXT) for s in doc.spans][:2] == ["西岭县石桥镇人民政府", "2021"]

    # The export file imports into the training annotations.
    export_path = tmp_path / "export.json"
    export_path.write_text(json.dumps(exported, ensure_ascii=False), encoding="utf-8")
    assert main(["annotate", "import", str(export_path), "--out", str(tmp_path / "train")]) == 0
    assert json.loads((tmp_path / "train" / "shiqiao-2021.json").read_text(encoding="utf-8"))["meta"]["split"] \
        == "train"
    client.delete_project(project)

    # Stopping ends the server's whole process group and removes the data dir it made.
    proc, data_dir = label_studio.process, label_studio.data_dir
    assert proc is not None and proc.poll() is None
    label_studio.stop()
    assert proc.poll() is not None and not data_dir.exists()
    with pytest.raises(ProcessLookupError):
        os.killpg(proc.pid, 0)
