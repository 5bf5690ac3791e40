"""Make the pictures of the documentation (docs/img/).

    python examples/doc_images.py [output directory, default docs/img]

- ``descent.svg``: gradient descent paths on f(x, y) = x² + 10y², two learning rates. The path
  is computed with ndgrad's autograd; the picture is plain SVG written here (no plotting
  library needed).
- ``graph_seed.svg``, ``graph_mlp.svg``: backward graphs drawn by ``ndgrad.viz.render`` (these
  need the graphviz package and Graphviz's ``dot``; skipped with a message otherwise).
- ``explore_folded.png``, ``explore_replay.png``: ``ndgrad.viz.explore``'s page for the
  transformer of ``explore_graph.py``, screenshots taken in headless Chromium (these need the
  selenium package and a system Chromium with chromedriver; skipped with a message otherwise).
"""

from __future__ import annotations

import importlib
import math
import os
import runpy
import shutil
import sys
import tempfile

import ndgrad
from ndgrad import viz


def f(x: ndgrad.Tensor, y: ndgrad.Tensor) -> ndgrad.Tensor:
    """The valley of the tutorial: steep in y, shallow in x."""
    return x**2 + 10 * y**2


def descent_path(lr: float, steps: int, start: tuple[float, float] = (-4.0, 1.5)) -> list:
    """The points (x, y) that gradient descent visits, computed with autograd."""
    x = ndgrad.tensor(start[0], requires_grad=True)
    y = ndgrad.tensor(start[1], requires_grad=True)
    path = [(x.item(), y.item())]
    for _ in range(steps):
        loss = f(x, y)
        loss.backward()
        with ndgrad.no_grad():
            x -= lr * x.grad
            y -= lr * y.grad
        x.grad.zero_()
        y.grad.zero_()
        path.append((x.item(), y.item()))
    return path


def descent_svg(paths: list[tuple[str, str, list]], width: int = 640, height: int = 360) -> str:
    """An SVG of f's level sets (ellipses x² + 10y² = c) and the given (label, color, path)s."""
    x0, x1, y0, y1 = -5.0, 5.0, -2.6, 2.6
    sx, sy = width / (x1 - x0), height / (y1 - y0)

    def px(x: float, y: float) -> tuple[float, float]:
        return (x - x0) * sx, (y1 - y) * sy

    cx, cy = px(0.0, 0.0)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="Helvetica, Arial, sans-serif">',
        f'<rect width="{width}" height="{height}" fill="#fbfbfb" stroke="#999"/>',
    ]
    for c in (0.5, 2, 4.5, 8, 12.5, 18, 24.5, 32):
        rx, ry = math.sqrt(c) * sx, math.sqrt(c / 10) * sy
        out.append(
            f'<ellipse cx="{cx:.1f}" cy="{cy:.1f}" rx="{rx:.1f}" ry="{ry:.1f}" '
            'fill="none" stroke="#b8c4d6" stroke-width="1"/>'
        )
    out.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="4" fill="#333"/>')
    for k, (label, color, path) in enumerate(paths):
        points = " ".join(f"{a:.1f},{b:.1f}" for a, b in (px(x, y) for x, y in path))
        out.append(f'<polyline points="{points}" fill="none" stroke="{color}" stroke-width="2"/>')
        for x, y in path:
            a, b = px(x, y)
            out.append(f'<circle cx="{a:.1f}" cy="{b:.1f}" r="2.5" fill="{color}"/>')
        out.append(f'<text x="12" y="{22 + 20 * k}" font-size="14" fill="{color}">{label}</text>')
    out.append(
        f'<text x="{width - 12}" y="{height - 12}" font-size="13" text-anchor="end" '
        'fill="#555">f(x, y) = x² + 10y², minimum at the dot</text>'
    )
    out.append("</svg>")
    return "\n".join(out) + "\n"


def seed_graph() -> tuple[ndgrad.Tensor, dict[str, ndgrad.Tensor]]:
    """The graph of the tutorial: out = mean(3 (x + 2)²)."""
    x = ndgrad.ones(2, 2, requires_grad=True)
    y = x + 2
    z = y * y * 3
    return z.mean(), {"x": x}


def mlp_graph() -> tuple[ndgrad.Tensor, dict[str, ndgrad.Tensor]]:
    ndgrad.manual_seed(0)
    params = {
        "w1": ndgrad.randn(3, 4).requires_grad_(),
        "b1": ndgrad.zeros(4, requires_grad=True),
        "w2": ndgrad.randn(4, 1).requires_grad_(),
    }
    x = ndgrad.randn(8, 3)
    hidden = (x @ params["w1"] + params["b1"]).relu()
    return ((hidden @ params["w2"]) ** 2).mean(), params


def main(out_dir: str = os.path.join("docs", "img")) -> list[str]:
    os.makedirs(out_dir, exist_ok=True)
    written = []
    svg = descent_svg(
        [
            ("learning rate 0.02: slow and steady", "#1f77b4", descent_path(0.02, 40)),
            ("learning rate 0.09: zigzags across the valley", "#d62728", descent_path(0.09, 20)),
        ]
    )
    path = os.path.join(out_dir, "descent.svg")
    with open(path, "w") as fh:
        fh.write(svg)
    written.append(path)
    for name, make, saved in (("graph_seed", seed_graph, True), ("graph_mlp", mlp_graph, False)):
        out, params = make()
        try:
            written.append(
                viz.render(
                    out, os.path.join(out_dir, f"{name}.svg"), params=params, show_saved=saved
                )
            )
        except (ImportError, RuntimeError) as exc:
            print(f"skipped {name}.svg: {exc}")
    try:
        written += explorer_screenshots(out_dir)
    except (ImportError, RuntimeError) as exc:
        print(f"skipped the explorer screenshots: {exc}")
    for p in written:
        print(f"wrote {p}")
    return written


def explorer_screenshots(out_dir: str) -> list[str]:
    """Open the explorer page of examples/explore_graph.py in headless Chromium and take two
    screenshots: the modules folded, and a replay step inside an opened block."""
    try:
        webdriver = importlib.import_module("selenium.webdriver")
    except ImportError:
        raise ImportError("the selenium package is not installed") from None
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    if browser is None or driver_path is None:
        raise RuntimeError("Chromium and chromedriver are not installed")
    example = runpy.run_path(os.path.join(os.path.dirname(__file__), "explore_graph.py"))
    with tempfile.TemporaryDirectory() as tmp:
        page = os.path.join(tmp, "explore.html")
        example["main"](page)
        options = webdriver.ChromeOptions()
        for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1200,720"):
            options.add_argument(arg)
        options.binary_location = browser
        driver = webdriver.Chrome(service=webdriver.ChromeService(driver_path), options=options)
        written = []
        try:
            driver.get("file://" + page)
            folded = os.path.join(out_dir, "explore_folded.png")
            driver.save_screenshot(folded)
            written.append(folded)
            for _ in range(20):
                driver.find_element("id", "step-next").click()
            replay = os.path.join(out_dir, "explore_replay.png")
            driver.save_screenshot(replay)
            written.append(replay)
        finally:
            driver.quit()
    return written


if __name__ == "__main__":
    main(*sys.argv[1:2])
