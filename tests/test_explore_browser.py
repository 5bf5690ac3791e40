"""ndgrad.viz.explore in a real browser: headless Chromium driven by Selenium.

Needs the ``selenium`` package and a system Chromium with its driver (Debian: ``apt-get install
chromium chromium-driver``); nothing is downloaded at run time. Skips with the reason otherwise.
The pages are opened from disk with name resolution switched off, and the tests check the
panel's text against the tensors' real values.
"""

from __future__ import annotations

import importlib
import os
import shutil

import numpy as np
import pytest

import ndgrad
from ndgrad import viz

from .explore_models import mlp_loss, transformer_loss

try:
    webdriver = importlib.import_module("selenium.webdriver")
    By = importlib.import_module("selenium.webdriver.common.by").By
except ImportError:  # pragma: no cover - depends on the machine
    webdriver = None

BROWSER = next(
    (p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None
)
DRIVER = shutil.which("chromedriver")

pytestmark = [
    pytest.mark.skipif(
        webdriver is None, reason="selenium is not installed (pip install selenium)"
    ),
    pytest.mark.skipif(
        BROWSER is None or DRIVER is None,
        reason="Chromium and chromedriver are not installed "
        "(apt-get install chromium chromium-driver)",
    ),
]


@pytest.fixture(scope="module")
def browser():
    options = webdriver.ChromeOptions()
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1400,900",
        # No network: every host name fails to resolve.
        "--host-resolver-rules=MAP * ~NOTFOUND",
    ):
        options.add_argument(arg)
    options.binary_location = BROWSER
    driver = webdriver.Chrome(service=webdriver.ChromeService(DRIVER), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def _open(browser, page, tmp_path, name="graph.html"):
    path = page.save(tmp_path / name)
    browser.get("file://" + os.path.abspath(path))
    assert browser.execute_script("return document.body.dataset.ready") == "1"
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []
    return browser


def _node(browser, data, pick):
    (node,) = [n for n in data["nodes"] if pick(n)]
    return browser.find_element(By.CSS_SELECTOR, f'[data-node="{node["id"]}"]'), node


def _details(browser):
    return browser.find_element(By.ID, "details").text


def _active(browser):
    return browser.find_elements(By.CSS_SELECTOR, "[data-node].active")


def _seed_graph():
    # The tutorial's graph: out = mean(3 (x + 2)²) at x = ones(2, 2).
    x = ndgrad.ones(2, 2, requires_grad=True)
    y = x + 2
    return x, (y * y * 3).mean()


def test_opens_from_disk_without_network_and_shows_details(browser, tmp_path):
    x, out = _seed_graph()
    page = viz.explore(out, {"x": x})
    _open(browser, page, tmp_path)
    fetched = browser.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
    )
    assert fetched == []
    ops = sorted(
        e.get_attribute("data-op") for e in browser.find_elements(By.CSS_SELECTOR, "[data-node]")
    )
    assert ops == [
        "AccumulateGrad",
        "AddBackward0",
        "MeanBackward0",
        "MulBackward0",
        "MulBackward0",
    ]
    element, _ = _node(browser, page.data, lambda n: n["label"] == "x")
    assert element.get_attribute("data-op") == "AccumulateGrad"
    assert element.text.splitlines() == ["x", "[2, 2] float32"]
    element.click()
    text = _details(browser)
    out.backward()
    # d out / dx = 6 (x + 2) / 4 = 4.5: the gradient the leaf received is its real .grad
    assert x.grad.tolist() == [[4.5, 4.5], [4.5, 4.5]]
    assert "op AccumulateGrad\nleaf x\nmodule (top level)\nshape [2, 2] float32\n" in text
    assert "values\n[[4.5, 4.5], [4.5, 4.5]]" in text
    assert "NaN / inf 0 / 0" in text
    # Choosing a leaf highlights its path to the output, and nothing else.
    on_path = {
        e.get_attribute("data-op")
        for e in browser.find_elements(By.CSS_SELECTOR, "[data-node].path")
    }
    assert on_path == {"AccumulateGrad", "AddBackward0", "MulBackward0", "MeanBackward0"}
    assert len(browser.find_elements(By.CSS_SELECTOR, "[data-node].path")) == 5
    assert len(browser.find_elements(By.CSS_SELECTOR, "path.edge.path")) == 4
    (mul,) = [n for n in page.data["nodes"] if n["op"] == "MulBackward0" and n["saved"] == []]
    browser.find_element(By.CSS_SELECTOR, f'[data-node="{mul["id"]}"]').click()
    assert "saved nothing" in _details(browser)


def test_replay_steps_through_the_engines_order(browser, tmp_path):
    model, loss = mlp_loss()
    page = viz.explore(loss, model)
    _open(browser, page, tmp_path)
    with ndgrad.autograd.trace(params=model) as t:
        loss.backward(retain_graph=True)
    expected = [(r.op, r.name) for r in t]
    assert _active(browser) == []
    seen = []
    nxt = browser.find_element(By.ID, "step-next")
    for k in range(len(expected)):
        nxt.click()
        (active,) = _active(browser)
        node = next(n for n in page.data["nodes"] if n["id"] == active.get_attribute("data-node"))
        seen.append(
            (active.get_attribute("data-op"), node["label"] if node["kind"] == "leaf" else None)
        )
        assert f"step {k + 1} / {len(expected)}" in browser.find_element(By.ID, "step-label").text
    assert seen == expected
    assert nxt.get_attribute("disabled") is not None  # the last step
    # The panel follows the replay: the last leaf's gradient is its real .grad.
    name = expected[-1][1]
    grad = dict(model.named_parameters())[name].grad.numpy().reshape(-1)
    text = _details(browser)
    assert f"norm {float(np.linalg.norm(grad)):.5g}\n" in text
    assert f"min / max {grad.min():.5g} / {grad.max():.5g}\n" in text
    browser.find_element(By.ID, "step-prev").click()
    (active,) = _active(browser)
    assert (active.get_attribute("data-op"), None)[0] == expected[-2][0]


def test_nan_marking(browser, tmp_path):
    x = ndgrad.tensor([0.0, 2.0], requires_grad=True)
    with np.errstate(divide="ignore"):
        loss = ndgrad.where(x > 0, x.log(), ndgrad.zeros(2)).sum()
    page = viz.explore(loss, {"x": x})
    _open(browser, page, tmp_path)
    marked = browser.find_elements(By.CSS_SELECTOR, "[data-node][class*=nan]")
    origin = [
        e.get_attribute("data-op") for e in marked if "nan-origin" in e.get_attribute("class")
    ]
    assert origin == ["LogBackward0"]
    assert sorted(e.get_attribute("data-op") for e in marked) == ["AccumulateGrad", "LogBackward0"]
    element, _ = _node(browser, page.data, lambda n: n["op"] == "LogBackward0")
    element.click()
    text = _details(browser)
    assert "turns NaN here" in text
    assert "[NaN, 0.5]" in text  # what log's backward returned: 0 * (1 / 0) and 1 / 2


def test_module_scopes_fold_and_unfold(browser, tmp_path):
    model, loss = transformer_loss()
    page = viz.explore(loss, model)
    _open(browser, page, tmp_path)

    def scopes():
        return [
            e.get_attribute("data-scope")
            for e in browser.find_elements(By.CSS_SELECTOR, "[data-scope]")
        ]

    assert sorted(scopes()) == ["blocks", "embedding", "lm_head", "ln_f"]
    browser.find_element(By.CSS_SELECTOR, '[data-scope="blocks"]').click()
    assert {"blocks", "blocks.0", "blocks.1"} <= set(scopes())
    browser.find_element(By.CSS_SELECTOR, '[data-scope="blocks.0"]').click()
    browser.find_element(By.CSS_SELECTOR, '[data-scope="blocks.0.sa"]').click()
    browser.find_element(By.CSS_SELECTOR, '[data-scope="blocks.0.sa.heads"]').click()
    browser.find_element(By.CSS_SELECTOR, '[data-scope="blocks.0.sa.heads.1"]').click()
    browser.find_element(By.CSS_SELECTOR, '[data-scope="blocks.0.sa.heads.1.query"]').click()
    element, node = _node(
        browser, page.data, lambda n: n["label"] == "blocks.0.sa.heads.1.query.weight"
    )
    element.click()
    assert "module blocks.0.sa.heads.1.query\n" in _details(browser)
    # The op that uses the weight is drawn in the same box.
    users = [b for a, b in page.data["edges"] if a == node["id"]]
    assert all(browser.find_elements(By.CSS_SELECTOR, f'[data-node="{u}"]') for u in users)
    # Folding blocks hides everything inside it again.
    browser.find_element(By.ID, "fit").click()
    browser.find_element(By.CSS_SELECTOR, '[data-scope="blocks"] .head').click()
    assert sorted(scopes()) == ["blocks", "embedding", "lm_head", "ln_f"]
    assert browser.find_elements(By.CSS_SELECTOR, f'[data-node="{node["id"]}"]') == []


def test_search_and_replay_open_folded_modules(browser, tmp_path):
    model, loss = transformer_loss()
    page = viz.explore(loss, model)
    _open(browser, page, tmp_path)
    search = browser.find_element(By.ID, "search")
    search.send_keys("heads.1.value")
    results = browser.find_elements(By.CSS_SELECTOR, "#search-results [data-result]")
    # In each of the two blocks: the value Linear's ops as PyTorch records them (the input's
    # 2-d view, weight.t(), mm, the output's view) and its weight.
    assert len(results) == 10
    in_scope = [n for n in page.data["nodes"] if n["scope"].endswith("heads.1.value")]
    assert {r.get_attribute("data-result") for r in results} == {n["id"] for n in in_scope}
    assert browser.find_elements(By.CSS_SELECTOR, '[data-scope="blocks"].match')
    picked = results[0].get_attribute("data-result")
    results[0].click()
    assert browser.find_element(By.CSS_SELECTOR, f'[data-node="{picked}"].selected')
    assert "heads.1.value" in _details(browser)
    # Stepping into a folded module opens it: the active node is always drawn.
    browser.find_element(By.ID, "fold-all").click()
    for _ in range(8):
        browser.find_element(By.ID, "step-next").click()
    (active,) = _active(browser)
    assert active.get_attribute("data-node") == page.data["order"][7]


@pytest.mark.parametrize("layout", ["builtin", "dot"])
def test_every_edge_points_down_with_either_layout(browser, tmp_path, layout):
    if layout == "dot" and shutil.which("dot") is None:
        pytest.skip("Graphviz's dot is not installed")
    model, loss = transformer_loss()
    page = viz.explore(loss, model, layout=layout)
    _open(browser, page, tmp_path)
    expected = "Graphviz dot" if layout == "dot" else "built-in"
    assert f"layout: {expected}" in browser.find_element(By.ID, "mode").text
    browser.find_element(By.ID, "unfold-all").click()
    assert len(browser.find_elements(By.CSS_SELECTOR, "[data-node]")) == len(page.data["nodes"])
    # Each edge runs from the bottom of its source box down to the top of its target box.
    ends = browser.execute_script(
        "return [...document.querySelectorAll('path.edge')].map(p => p.getAttribute('d')"
        ".match(/-?[0-9.]+/g).map(Number))"
    )
    assert len(ends) == len(page.data["edges"])
    assert all(d[1] <= d[-1] for d in ends)
    # No two nodes overlap.
    boxes = browser.execute_script(
        "return [...document.querySelectorAll('[data-node]')].map(e => {"
        "const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; })"
    )
    boxes.sort()
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            if b[0] >= a[2]:
                break
            assert b[1] >= a[3] or b[3] <= a[1], (a, b)
