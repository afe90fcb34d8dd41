"""
Retake the README's screenshots of the public home page, on a desktop and a phone.

Start the app with its demo data first (`bin/run`), then:

    .venv/bin/python scripts/screenshots.py [address]   # default http://127.0.0.1:8000

It writes docs/screenshots/home.png and docs/screenshots/home-phone.png, using
Playwright (installed by bin/setup) with Debian's Chromium at /usr/bin/chromium
(or the browser named by CHROMIUM).
"""
import os
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
# name: (viewport width, height of the picture), both in CSS pixels.
SHOTS = {"home.png": (1024, 1500), "home-phone.png": (390, 1400)}


def main(address):
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"), args=["--no-sandbox"]
        )
        for name, (width, height) in SHOTS.items():
            page = browser.new_page(viewport={"width": width, "height": height})
            page.goto(address.rstrip("/") + "/")
            page.screenshot(path=OUT / name)
            page.close()
            print(f"Wrote {OUT / name} ({(OUT / name).stat().st_size // 1024} KB)")
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000")
