"""The mini-program's pages laid out as a phone lays them out, and measured against WeChat's
適老化 guidance: miniprogram/tests/layout/render.layout.js renders each main page (its real WXML,
JS and WXSS, data from a stand-in server) into HTML over WeChat's own component styles; Debian's
Chromium lays it out 375 px wide; every piece of text, button, input and tap target is measured.
Screenshots land in var/screenshots/miniprogram/ to be looked at."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REQUIRE_SERVICES
from tests.test_miniprogram import MINIPROGRAM, jest_or_skip
from tests.test_plates_browser import CHROMIUM_ARGS, chromium_or_skip

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "var" / "screenshots" / "miniprogram"
WIDTH = 375
# WeChat's elderly-friendly guidance: body text ≥ 17 px, key actions ≥ 18 px, tap targets ≥ 48 px,
# contrast ≥ 4.5:1 (3:1 for large text, 24 px and up, and for the star glyphs, which are graphics).
MIN_TEXT, MIN_ACTION, MIN_TARGET, MIN_CONTRAST, MIN_CONTRAST_LARGE = 17, 18, 48, 4.5, 3.0
ELDER_SCALE = 1.25

MEASURE = """
(minText) => {
  const problems = [];
  const rgb = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const visible = (el) => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
  const name = (el) => `${el.tagName.toLowerCase()}.${el.className || ''} «${(el.textContent || '').trim().slice(0, 16)}»`;
  for (const el of document.body.querySelectorAll('*')) {
    if (!visible(el)) continue;
    const style = getComputedStyle(el);
    const ownText = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    const size = parseFloat(style.fontSize);
    if (ownText) {
      if (size < minText - 0.01) problems.push(`text ${size}px < ${minText}: ${name(el)}`);
      const fg = rgb(style.color);
      const [l1, l2] = [lum(fg.slice(0, 3)), lum(background(el))].sort((a, b) => b - a);
      const ratio = (l1 + 0.05) / (l2 + 0.05);
      const star = el.classList.contains('star');
      const needed = star || size >= 24 ? 3.0 : 4.5;
      if (ratio < needed - 0.005) problems.push(`contrast ${ratio.toFixed(2)} < ${needed}: ${name(el)}`);
    }
    const tag = el.tagName.toLowerCase();
    const height = el.getBoundingClientRect().height;
    const target = tag === 'wx-button' || tag === 'wx-input' || tag === 'wx-textarea' || el.classList.contains('picker')
      || el.classList.contains('menu-item') || el.classList.contains('tap') || el.classList.contains('check');
    if (target && height < 48 - 0.5) problems.push(`target ${height.toFixed(1)}px < 48: ${name(el)}`);
    if (tag === 'wx-button' && size < minText + 1 - 0.01) problems.push(`action ${size}px < ${minText + 1}: ${name(el)}`);
  }
  if (document.documentElement.scrollWidth > window.innerWidth) problems.push(`wider than the screen: ${document.documentElement.scrollWidth}px`);
  return problems;
}
"""


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> Path:
    jest = jest_or_skip()
    out = tmp_path_factory.mktemp("layout")
    result = subprocess.run([str(jest), "--ci", "--silent", "--testMatch", "**/tests/layout/render.layout.js"], cwd=MINIPROGRAM,
                            capture_output=True, text=True, timeout=300, env={**os.environ, "RENDER_DIR": str(out), "CI": "true"})
    assert result.returncode == 0, (result.stdout + result.stderr)[-6000:]
    return out


@pytest.fixture(scope="module")
def phone():
    from playwright.sync_api import sync_playwright

    executable = chromium_or_skip()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": WIDTH, "height": 812}, device_scale_factor=2, locale="zh-CN")
        yield context.new_page()
        browser.close()


def measure(page, html: Path, min_text: float) -> list[str]:
    page.goto(html.as_uri())
    page.wait_for_load_state("load")
    return page.evaluate(MEASURE, min_text)


def test_every_main_page_meets_the_elderly_friendly_minimums_at_375_px(rendered, phone):
    pages = sorted(rendered.glob("*.html"))
    assert len(pages) >= 60, [p.name for p in pages]  # 30 screens, standard and 长辈模式
    SHOTS.mkdir(parents=True, exist_ok=True)
    found = {}
    for html in pages:
        elder = html.name.endswith(".elder.html")
        problems = measure(phone, html, MIN_TEXT * ELDER_SCALE if elder else MIN_TEXT)
        phone.screenshot(path=str(SHOTS / html.with_suffix(".png").name), full_page=True)
        if problems:
            found[html.name] = problems
    assert not found, found


def test_large_text_mode_makes_the_text_larger(rendered, phone):
    sizes = {}
    for mode in ("standard", "elder"):
        phone.goto((rendered / f"activity.{mode}.html").as_uri())
        sizes[mode] = phone.evaluate("parseFloat(getComputedStyle(document.querySelector('.title')).fontSize)")
    assert sizes["elder"] == pytest.approx(sizes["standard"] * ELDER_SCALE)


def test_the_measure_catches_what_the_issue_found(rendered, phone, tmp_path):
    """The checks can fail: a mini button whose class loses to WeChat's own button[size=mini]
    (13 px, as the issue found), a bare input (1.4rem tall) and #999 text, laid over the same
    styles, are all reported."""
    source = (rendered / "scan.standard.html").read_text()
    head = source[: source.index("<body>")]
    broken = tmp_path / "broken.html"
    broken.write_text(head + '<body><main><wx-view class="card"><wx-button class="btn" size="mini">回复</wx-button>'
                      '<wx-input>姓名</wx-input><wx-view style="color:#999">暂时没有活动</wx-view></wx-view></main></body></html>')
    problems = " | ".join(measure(phone, broken, MIN_TEXT))
    assert "action 13px" in problems and "text 13px" in problems and "target 29.9px < 48: wx-button" in problems
    assert "target 22.4px < 48: wx-input" in problems
    assert "contrast 2.58 < 4.5" in problems


def test_no_page_uses_mini_buttons_or_index_keys():
    """button[size=mini] loses to WeChat's own style whatever the class says; wx:key="index"
    rebuilds rows in a list people add to and delete from."""
    if not shutil.which("node") and REQUIRE_SERVICES:
        pytest.fail("node is missing")
    offenders = []
    for wxml in (MINIPROGRAM / "src").rglob("*.wxml"):
        text = wxml.read_text()
        if 'size="mini"' in text or 'wx:key="index"' in text:
            offenders.append(str(wxml.relative_to(MINIPROGRAM)))
        if "wx:for" in text and text.count("wx:for=") != text.count("wx:key="):
            offenders.append(f"{wxml.relative_to(MINIPROGRAM)}: a wx:for without wx:key")
    assert not offenders
