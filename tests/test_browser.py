"""What a student sees: every solutions notebook run in JupyterLab 4 and in Notebook 7 (default settings)
in headless Chromium, every widget's figure drawn on first show and redrawn when a control moves.

Needs Debian's ``chromium`` and ``chromium-driver`` (``.ci/run`` installs them where it can); without
a browser the test says so in one line and the rest of the suite runs.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

import course.lessons
from course.execution import private_kernels

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
DRIVER = shutil.which("chromedriver")
NOTEBOOKS = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "solutions").glob("*/*.ipynb"))

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not (CHROMIUM and DRIVER), reason="no Chromium and ChromeDriver: install Debian's chromium "
                       "and chromium-driver to run the browser test"),
]

# The figure of a widget is an <img> in its output; its pixels must not all be one colour.
_IMAGE_STATS = """
const img = arguments[0];
if (!img.complete || !img.naturalWidth) return null;
const c = document.createElement('canvas');
c.width = img.naturalWidth; c.height = img.naturalHeight;
const ctx = c.getContext('2d');
ctx.drawImage(img, 0, 0);
const d = ctx.getImageData(0, 0, c.width, c.height).data;
const seen = new Set();
for (let i = 0; i < d.length; i += 4 * 97) { seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]); }
return {w: c.width, h: c.height, colours: seen.size, src: img.src.length + ':' + img.src.slice(-40)};
"""


#: The front ends a student opens: the server command, the switch that puts the app on ``window.jupyterapp``
#: (where the test reads the notebook's cells), and where one notebook opens.
FRONT_ENDS = {
    "JupyterLab 4": ("lab", "--LabApp.expose_app_in_browser=True", "{base}/lab/tree/{path}?token={token}&reset"),
    "Notebook 7": ("notebook", "--JupyterNotebookApp.expose_app_in_browser=True", "{base}/notebooks/{path}?token={token}"),
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module", params=list(FRONT_ENDS))
def lab(request, tmp_path_factory):
    command, expose, url = FRONT_ENDS[request.param]
    tmp = tmp_path_factory.mktemp(command)
    # JupyterLab saves what it runs: serve a copy, never the repository's notebooks.
    served = tmp / "course"
    shutil.copytree(ROOT / "solutions", served / "solutions")
    port, token = _free_port(), "browser-test"
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(tmp / "config"), JUPYTER_RUNTIME_DIR=str(tmp / "rt"),
               JUPYTER_DATA_DIR=str(tmp / "data"), MPLBACKEND="module://matplotlib_inline.backend_inline")
    env["JUPYTER_PATH"] = str(Path(sys.prefix) / "share" / "jupyter")
    proc = subprocess.Popen(
        [str(BIN / "jupyter"), command, "--no-browser", "--ip=127.0.0.1", f"--port={port}",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={served}", expose,
         *[f"--KernelManager.{key}={value}" for key, value in private_kernels().KernelManager.items()],
         *(["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else [])],
        cwd=served, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=5)
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail(f"{request.param} did not start within 60 s")
        yield base, token, url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture
def browser(tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--window-size=1400,1000", f"--user-data-dir={tmp_path / 'chrome'}"):
        opts.add_argument(flag)
    driver = webdriver.Chrome(service=Service(DRIVER), options=opts)
    driver.set_script_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def _wait(predicate, timeout, step=0.5, what="condition"):
    end = time.time() + timeout
    while time.time() < end:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    pytest.fail(f"timed out after {timeout} s waiting for {what}")


def _run_all(driver, lab, path):
    base, token, url = lab
    driver.get(url.format(base=base, path=path, token=token))
    _wait(lambda: driver.execute_script(
        "const a = window.jupyterapp; if (!a) return false;"
        "const w = a.shell.currentWidget; return !!(w && w.sessionContext && w.sessionContext.session"
        " && w.sessionContext.session.kernel && w.sessionContext.session.kernel.connectionStatus === 'connected'"
        " && w.content && w.content.widgets.length);"), 120, what="the notebook and its kernel")
    _wait(lambda: driver.execute_script(
        "const w = window.jupyterapp.shell.currentWidget; return w.sessionContext.session.kernel.status === 'idle';"),
        120, what="an idle kernel")
    driver.execute_script("window.jupyterapp.commands.execute('notebook:run-all-cells');")
    _wait(lambda: driver.execute_script(
        "const w = window.jupyterapp.shell.currentWidget;"
        "const cells = w.content.widgets.filter(c => c.model.type === 'code');"
        "return cells.length > 0 && cells.every(c => c.model.executionCount !== null && c.promptNode"
        " && !c.promptNode.textContent.includes('*'));"), 600, step=1, what="every cell to run")


_CONTROLS = (".noUi-handle, .ui-slider-handle, input[type=range], select, button.jupyter-button, "
             ".widget-button, .widget-toggle-button, input[type=checkbox], input[type=number]")


def _widget_cells(driver):
    """Code cells whose output holds an interactive widget (a progress bar alone does not count)."""
    return driver.execute_script(
        "const w = window.jupyterapp.shell.currentWidget; const out = [];"
        "w.content.widgets.forEach((c, i) => { if (c.model.type !== 'code') return;"
        "  const area = c.node.querySelector('.jp-Cell-outputArea, .jp-OutputArea');"
        "  if (area && area.querySelector(arguments[0])) out.push(i); });"
        "return out;", _CONTROLS)


def _cell_images(driver, index):
    cell = driver.execute_script("return window.jupyterapp.shell.currentWidget.content.widgets[arguments[0]].node;",
                                 index)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", cell)
    imgs = cell.find_elements("css selector", ".jp-OutputArea-output img")
    return cell, [driver.execute_script(_IMAGE_STATS, img) for img in imgs]


def _errors(driver):
    return driver.execute_script(
        "const w = window.jupyterapp.shell.currentWidget; const bad = [];"
        "w.content.widgets.forEach((c, i) => { if (c.model.type !== 'code') return;"
        "  const outs = c.model.outputs.toJSON();"
        "  outs.forEach(o => { if (o.output_type === 'error') bad.push(i + ': ' + o.ename + ': ' + o.evalue.slice(0, 200)); });"
        "});"
        "return bad;")


def _actions(driver, cell):
    """Ways to move the widget's controls, one at a time: sliders dragged both ways with the mouse (as the
    notebooks ask; Notebook 7 takes arrow keys for moving between cells), dropdowns, buttons."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.support.ui import Select

    area = cell.find_element("css selector", ".jp-Cell-outputArea, .jp-OutputArea")
    for handle in area.find_elements("css selector", ".noUi-handle, .ui-slider-handle, input[type=range]"):
        if driver.execute_script("return !!arguments[0].closest('[disabled]');", handle):
            continue  # a control the widget has switched off

        def drag(dx, h=handle):
            driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", h)
            ActionChains(driver).click_and_hold(h).move_by_offset(dx, 0).release().perform()
        yield "slider", lambda d=drag: d(30)
        yield "slider", lambda d=drag: d(-60)
    for element in area.find_elements("css selector", "select"):
        def pick(e=element):
            sel = Select(e)
            current = sel.first_selected_option.get_attribute("value")
            others = [o.get_attribute("value") for o in sel.options if o.get_attribute("value") != current]
            if others:
                sel.select_by_value(others[0])
        yield "dropdown", pick
    for button in area.find_elements("css selector", "button.jupyter-button, .widget-button, .widget-toggle-button"):
        yield "button", button.click


@pytest.mark.parametrize("path", NOTEBOOKS)
def test_widgets_draw_on_first_show_and_follow_their_controls(path, lab, browser):
    _run_all(browser, lab, path)
    errors = _errors(browser)
    assert not errors, f"{path}: cells raised in the browser: {errors}"
    cells = _widget_cells(browser)
    assert cells, f"{path} has no widget"
    for index in cells:
        cell, stats = _wait(lambda: (lambda c, s: (c, s) if s and all(s) else None)(*_cell_images(browser, index)),
                            30, what=f"the figure of the widget in cell {index}")
        blank = [s for s in stats if s["colours"] < 3]
        assert not blank, f"{path}, cell {index}: a widget figure is blank on first show: {stats}"
        before = [s["src"] for s in stats]
        tried = []
        for what, act in _actions(browser, cell):
            tried.append(what)
            try:
                act()
            except Exception:  # a control hidden or disabled: try the next one
                continue
            end = time.time() + 20
            while time.time() < end and [s["src"] for s in _cell_images(browser, index)[1] if s] == before:
                time.sleep(0.5)
            if [s["src"] for s in _cell_images(browser, index)[1] if s] != before:
                break
        else:
            pytest.fail(f"{path}, cell {index}: the figure did not change after moving its controls ({tried})")
        after = _cell_images(browser, index)[1]
        assert all(s and s["colours"] >= 3 for s in after), f"{path}, cell {index}: blank after the {what} moved"


def test_lesson_list_is_the_notebooks():
    assert {p.split("/")[1] for p in NOTEBOOKS} == set(course.lessons.names())
