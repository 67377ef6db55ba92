"""The README's course command: JupyterLab serves labs/, with the widget extension the lessons need."""
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str):
    with urllib.request.urlopen(url, timeout=5) as r:
        return r.status, r.read()


@pytest.fixture
def lab_server(tmp_path):
    port, token = free_port(), "course-test"
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(tmp_path / "config"), JUPYTER_RUNTIME_DIR=str(tmp_path / "rt"))
    proc = subprocess.Popen(
        [str(BIN / "jupyter"), "lab", "labs/", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
         f"--IdentityProvider.token={token}", "--ServerApp.open_browser=False",
         *(["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else [])],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                get(f"{base}/api/status?token={token}")
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("JupyterLab did not start within 60 s")
        yield base, token
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_jupyterlab_serves_the_labs(lab_server):
    base, token = lab_server
    status, body = get(f"{base}/api/contents?token={token}")
    listing = {item["name"] for item in json.loads(body)["content"]}
    expected = {p.name for p in (ROOT / "labs").iterdir() if p.is_dir()}
    assert expected and expected <= listing
    status, body = get(f"{base}/lab?token={token}")
    assert status == 200 and b"JupyterLab" in body
    lesson = sorted(expected)[0]
    status, body = get(f"{base}/api/contents/{lesson}/{lesson}.ipynb?token={token}")
    assert json.loads(body)["type"] == "notebook"


def test_widget_extension_is_installed():
    out = subprocess.run([str(BIN / "jupyter"), "labextension", "list"], capture_output=True, text=True)
    assert "@jupyter-widgets/jupyterlab-manager" in out.stdout + out.stderr
