"""A small Label Studio REST client, and a throw-away local server for tests and trials.

Only what the annotator loop needs: create a project with our labelling config, import tasks (with
pre-annotations as ``predictions``), read predictions back, add an annotation, export the project.
Standard library only (urllib), so it works in the project's environment without Label Studio's
own packages; the server itself runs from its own virtualenv (see ``find_label_studio``).

Authentication: Label Studio 1.23 accepts either a legacy API token (``Authorization: Token …``,
enabled per organisation or with ``--enable-legacy-api-token``) or a personal access token, which is
a JWT *refresh* token exchanged at ``/api/token/refresh/`` for a short-lived access token
(``Authorization: Bearer …``). The client takes either and tells them apart by shape.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ENV_BINARY = "GOVREPORT_LABEL_STUDIO"
ENV_VENV = "GOVREPORT_LS_VENV"
DEFAULT_VENV = "/opt/ls-venv"
DEFAULT_TIMEOUT = 60.0


class LabelStudioError(RuntimeError):
    """A request Label Studio refused or could not answer."""


def _is_jwt(token: str) -> bool:
    return token.count(".") == 2 and token.startswith("eyJ")


class LabelStudioClient:
    """REST calls against one Label Studio server."""

    def __init__(self, url: str, token: str, timeout: float = DEFAULT_TIMEOUT) -> None:
        if not token:
            raise ValueError("a Label Studio API token is required")
        self.url = url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self._access: str | None = None

    # --- transport --------------------------------------------------------------------------
    def _auth_header(self) -> str:
        if not _is_jwt(self.token):
            return f"Token {self.token}"
        if self._access is None:
            self._access = self._refresh_access()
        return f"Bearer {self._access}"

    def _refresh_access(self) -> str:
        data = self._send("POST", "/api/token/refresh/", {"refresh": self.token}, auth=None)
        if not isinstance(data, dict) or "access" not in data:
            raise LabelStudioError("token refresh gave no access token")
        return str(data["access"])

    def _send(self, method: str, path: str, body: Any = None, auth: str | None = None) -> Any:
        payload = None if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
        req = urllib.request.Request(self.url + path, data=payload, method=method)
        req.add_header("Accept", "application/json")
        if payload is not None:
            req.add_header("Content-Type", "application/json; charset=utf-8")
        if auth:
            req.add_header("Authorization", auth)
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                raw = resp.read()
        except urllib.error.HTTPError as e:
            detail = e.read()[:500].decode("utf-8", "replace")
            raise LabelStudioError(f"{method} {path}: HTTP {e.code}: {detail}") from e
        except (urllib.error.URLError, TimeoutError, ConnectionError) as e:
            raise LabelStudioError(f"{method} {path}: {e}") from e
        if not raw:
            return None
        try:
            return json.loads(raw)
        except json.JSONDecodeError as e:
            raise LabelStudioError(f"{method} {path}: not JSON: {raw[:200]!r}") from e

    def request(self, method: str, path: str, body: Any = None) -> Any:
        try:
            return self._send(method, path, body, self._auth_header())
        except LabelStudioError as e:
            # An access token lives minutes: refresh once on 401 and retry.
            if _is_jwt(self.token) and "HTTP 401" in str(e):
                self._access = None
                return self._send(method, path, body, self._auth_header())
            raise

    # --- the calls the annotator loop uses ----------------------------------------------------
    def whoami(self) -> dict[str, Any]:
        return self.request("GET", "/api/current-user/whoami")

    def create_project(self, title: str, label_config: str) -> int:
        # Label Studio wants titles of 3..50 characters.
        title = (title + "   ")[:50] if len(title) < 3 else title[:50]
        data = self.request("POST", "/api/projects", {"title": title, "label_config": label_config})
        return int(data["id"])

    def delete_project(self, project_id: int) -> None:
        self.request("DELETE", f"/api/projects/{project_id}/")

    def import_tasks(self, project_id: int, tasks: list[dict[str, Any]]) -> dict[str, Any]:
        """Import tasks (each ``{"data": {...}, "predictions": [...]}``); returns the import summary."""
        return self.request("POST", f"/api/projects/{project_id}/import", tasks)

    def task_ids(self, project_id: int) -> list[int]:
        ids: list[int] = []
        page = 1
        while True:
            data = self.request("GET", f"/api/tasks?project={project_id}&page={page}&page_size=100")
            tasks = data.get("tasks", []) if isinstance(data, dict) else data
            ids += [int(t["id"]) for t in tasks]
            total = data.get("total", len(ids)) if isinstance(data, dict) else len(ids)
            if not tasks or len(ids) >= total:
                return ids
            page += 1

    def predictions(self, task_id: int) -> list[dict[str, Any]]:
        return self.request("GET", f"/api/predictions?task={task_id}")

    def create_annotation(self, task_id: int, result: list[dict[str, Any]]) -> dict[str, Any]:
        """Submit an annotation, as an annotator does after accepting or correcting pre-annotations."""
        return self.request("POST", f"/api/tasks/{task_id}/annotations",
                            {"result": result, "was_cancelled": False, "ground_truth": False})

    def export(self, project_id: int, all_tasks: bool = False) -> list[dict[str, Any]]:
        """The project in Label Studio's JSON export format (annotated tasks only, unless ``all_tasks``)."""
        flag = "true" if all_tasks else "false"
        return self.request("GET", f"/api/projects/{project_id}/export?exportType=JSON&download_all_tasks={flag}")


# --- a local server -----------------------------------------------------------------------------
def _executable(path: str | Path) -> bool:
    return Path(path).is_file() and os.access(path, os.X_OK)


def find_label_studio() -> str | None:
    """The ``label-studio`` executable: $GOVREPORT_LABEL_STUDIO (if set, only there), else PATH, else the
    virtualenv scripts/install-test-tools.sh makes ($GOVREPORT_LS_VENV, default /opt/ls-venv), else None."""
    env = os.environ.get(ENV_BINARY)
    if env:
        return env if _executable(env) else None
    on_path = shutil.which("label-studio")
    if on_path:
        return on_path
    venv_bin = Path(os.environ.get(ENV_VENV) or DEFAULT_VENV) / "bin" / "label-studio"
    return str(venv_bin) if _executable(venv_bin) else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _signal_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        pass


class LabelStudioServer:
    """A Label Studio server on loopback with a fresh data dir, a user and a legacy API token.

    Use as a context manager; the server (its whole process group) is always stopped on exit and
    the data dir removed if it was created here.
    """

    def __init__(self, binary: str, data_dir: Path | None = None, port: int | None = None,
                 start_timeout: float = 240.0) -> None:
        self.binary = binary
        self._own_dir = data_dir is None
        self.data_dir = Path(data_dir or tempfile.mkdtemp(prefix="govreport-ls-"))
        self.port = port or free_port()
        self.start_timeout = start_timeout
        self.username = "annotator@example.com"
        self.password = secrets.token_hex(12)  # hex: never starts with "-" (argparse)
        self.token = secrets.token_hex(20)
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = self.data_dir / "label-studio.log"
        self._proc: subprocess.Popen[bytes] | None = None

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update({
            "LABEL_STUDIO_BASE_DATA_DIR": str(self.data_dir),
            "LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN": "true",
            "LATEST_VERSION_CHECK": "false",  # no calls to the outside at start
            "COLLECT_ANALYTICS": "false",
            "SECRET_KEY": secrets.token_hex(25),
        })
        # Our own venv's variables must not leak into Label Studio's interpreter.
        for key in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME"):
            env.pop(key, None)
        return env

    def start(self) -> LabelStudioServer:
        cmd = [self.binary, "start", "--no-browser", "--internal-host", "127.0.0.1", "--port", str(self.port),
               "--data-dir", str(self.data_dir), "--username", self.username, "--password", self.password,
               "--user-token", self.token, "--enable-legacy-api-token", "--log-level", "WARNING"]
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("wb")
        try:
            self._proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                          env=self._env(), start_new_session=True)
        finally:
            log.close()
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise LabelStudioError(f"label-studio exited with {self._proc.returncode}: {self.log_tail()}")
            if self._healthy():
                return self
            time.sleep(1.0)
        self.stop()
        raise LabelStudioError(f"label-studio not up after {self.start_timeout:.0f} s: {self.log_tail()}")

    def _healthy(self) -> bool:
        try:
            with urllib.request.urlopen(self.url + "/health", timeout=3) as resp:
                return resp.status == 200
        except (urllib.error.URLError, TimeoutError, ConnectionError, OSError):
            return False

    def log_tail(self, n: int = 2000) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")[-n:]
        except OSError:
            return ""

    @property
    def process(self) -> subprocess.Popen[bytes] | None:
        """The running server process (None before start and after stop)."""
        return self._proc

    def client(self, timeout: float = DEFAULT_TIMEOUT) -> LabelStudioClient:
        return LabelStudioClient(self.url, self.token, timeout=timeout)

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            # The server runs in its own session: signal exactly that process group.
            _signal_group(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                _signal_group(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        if self._own_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    def __enter__(self) -> LabelStudioServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
