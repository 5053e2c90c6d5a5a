"""`pip wheel .` makes a package that can serve: its templates, word list and API-doc pages are
in it, `dangjian` is a command, and the installed wheel, run from an empty folder, migrates,
loads the demo and serves a plate's public page and the API docs."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import time
import zipfile
from pathlib import Path

import httpx
import pytest

from server.demo import DEMO_PLATE_CODE
from tests.serverproc import free_port

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    # Built from a copy of the tracked tree: setuptools leaves build/ and *.egg-info beside the
    # source, and files git ignores must not slip into the package either.
    source = tmp_path_factory.mktemp("source")
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for name in tracked.decode().split("\0"):
        if name and (ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    out = tmp_path_factory.mktemp("wheel")
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                            "-w", str(out), str(source)], capture_output=True, text=True, timeout=300, cwd=out)
    assert build.returncode == 0, build.stderr[-3000:]
    [built] = out.glob("dangjian-*.whl")
    return built


def test_the_wheel_carries_what_the_server_reads_at_run_time(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in ("server/plates/templates/profile.html", "server/plates/templates/base.html",
                   "server/plates/templates/message.html", "server/plates/blocked_words.txt",
                   "server/docs/swagger.html", "server/docs/redoc.html", "server/docs/start-swagger.js",
                   "migrations/0001_initial.py", "plates/render.py", "server/__main__.py"):
        assert needed in names, needed
    assert not [n for n in names if n.startswith("tests/") or n.startswith("bench/")]
    [entry_points] = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
    assert "dangjian = server.__main__:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_the_installed_wheel_serves_from_an_empty_folder(wheel, tmp_path):
    # A clean venv with the wheel alone; its dependencies come from the project's venv through
    # a .pth file (the source tree is not on the path: the server must come from the wheel).
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    site = Path(subprocess.check_output([str(venv / "bin" / "python"), "-c",
                                         "import sysconfig; print(sysconfig.get_paths()['purelib'])"], text=True).strip())
    (site / "project-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "--no-deps", "-q",
                    str(wheel)],
                   check=True, timeout=120)
    work = tmp_path / "empty"
    work.mkdir()
    port = free_port()
    env = {"PATH": f"{venv / 'bin'}:{os.environ['PATH']}", "DANGJIAN_PORT": str(port)}
    where = subprocess.check_output([str(venv / "bin" / "python"), "-c", "import server; print(server.__file__)"],
                                    cwd=work, env=env, text=True)
    assert where.startswith(str(venv)), where
    for command in ("migrate", "seed-demo"):
        done = subprocess.run([str(venv / "bin" / "dangjian"), command], cwd=work, env=env, capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 0, done.stderr[-3000:]
    assert (work / "var" / "dangjian.sqlite3").is_file()  # data beside where it runs, not in site-packages
    server = subprocess.Popen([str(venv / "bin" / "dangjian"), "serve"], cwd=work, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        page = httpx.get(f"{base}/p/{DEMO_PLATE_CODE}")
        docs = httpx.get(f"{base}/docs/swagger")
        script = httpx.get(f"{base}/docs/assets/swagger-ui/swagger-ui-bundle.js")
    finally:
        server.terminate()
        output = server.communicate(timeout=15)[0].decode(errors="replace")
    assert page.status_code == 200 and "王建国" in page.text, output[-3000:]
    assert docs.status_code == 200 and script.status_code == 200
