#!/usr/bin/python3
"""Opens the demo page in headless Chromium (Debian's chromium + chromium-driver, driven by
Debian's python3-selenium), clicks "Fetch dynamic" several times and prints, as JSON, which
instances answered. Saves a screenshot.

Usage: demo_page.py URL SCREENSHOT [CLICKS]
"""
import json
import sys
import tempfile
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By


def main():
    url, screenshot = sys.argv[1], sys.argv[2]
    clicks = int(sys.argv[3]) if len(sys.argv) > 3 else 6
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 f"--user-data-dir={tempfile.mkdtemp(prefix='sluice-browser-')}", "--window-size=1000,800"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    try:
        driver.get(url)
        # Stop the page reloading itself before clicking.
        driver.find_element(By.ID, "reload-toggle").click()
        served_by = driver.find_element(By.ID, "instance").text
        for _ in range(clicks):
            driver.find_element(By.ID, "fetch").click()
            time.sleep(0.15)
        deadline = time.time() + 10
        while time.time() < deadline and len(driver.find_elements(By.CSS_SELECTOR, "#answers li")) < clicks:
            time.sleep(0.1)
        answers = [li.text for li in driver.find_elements(By.CSS_SELECTOR, "#answers li")]
        driver.save_screenshot(screenshot)
        print(json.dumps({"page": served_by, "answers": answers}))
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
