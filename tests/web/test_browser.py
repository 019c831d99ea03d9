"""A whole Lanshan round in headless Chromium (Debian's chromium + chromium-driver, Selenium), JavaScript off.

Screenshots go to ``$CAMPAIGNFLOW_SCREENSHOTS`` (default ``build/screenshots/``) for a person to look at.
Skipped without Chromium on a developer's machine; under CI=true a missing browser fails.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from server_support import served
from web_support import CID, EDUCATION, LANSHAN, ROOT, need

CHROMIUM = next((p for p in (shutil.which("chromium"), shutil.which("chromium-browser")) if p), None)
DRIVER = shutil.which("chromedriver")
SHOTS = Path(os.environ.get("CAMPAIGNFLOW_SCREENSHOTS", ROOT / "build" / "screenshots"))


@pytest.fixture()
def browser() -> Iterator[object]:
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        need("selenium", False)
    need("Debian's chromium (apt-get install chromium)", CHROMIUM is not None)
    need("chromedriver (apt-get install chromium-driver)", DRIVER is not None)
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM  # type: ignore[assignment]
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900",
                "--lang=zh-CN"):
        options.add_argument(arg)
    # Reading must work without JavaScript: the pages are plain HTML forms.
    options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    os.environ.setdefault("SE_OFFLINE", "true")  # never let Selenium Manager download a browser
    driver = webdriver.Chrome(options=options, service=Service(executable_path=DRIVER))
    driver.set_page_load_timeout(30)
    SHOTS.mkdir(parents=True, exist_ok=True)
    try:
        yield driver
    finally:
        driver.quit()


def _shot(driver, name: str) -> None:
    driver.save_screenshot(str(SHOTS / f"{name}.png"))


def test_a_lanshan_round_in_the_browser(browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.support.ui import Select, WebDriverWait

    d = browser
    find = d.find_element

    def sign_in(person: str, unit: str) -> None:
        d.get(f"{url}/c/{CID}/inbox")  # signed out: sent to the sign-in form
        assert "/login" in d.current_url
        find(By.ID, "person").send_keys(person)
        Select(find(By.ID, "unit")).select_by_value(unit)
        click(find(By.ID, "signin"))
        assert find(By.ID, "who").text == person

    def open_task(task: str, cid: str = CID) -> None:
        d.get(f"{url}/c/{cid}/tasks/{task}")

    def click(element: object) -> None:
        # A form post loads a new page: wait until the old one is gone before reading the new one.
        element.click()  # type: ignore[attr-defined]

        def gone(_driver: object) -> bool:
            # chromedriver reports a node of an unloaded page as stale, or as "not in the document".
            try:
                element.is_enabled()  # type: ignore[attr-defined]
            except WebDriverException:
                return True
            return False

        WebDriverWait(d, 15).until(gone)

    def press(action: str) -> None:
        click(find(By.ID, f"do-{action}"))
        assert "已办理" in find(By.ID, "message").text

    edu = "lanshan-education-bureau"
    # The statistics bureau's plan sends (报) its plan to the district office; the education bureau's
    # plan (the example host's) has the office approve it: the round has both.
    with served(tmp_path / "browser.db", plans=(LANSHAN, EDUCATION)) as url:
        # JavaScript is really off: a page's script does not run.
        d.get("data:text/html,<p id=js>off</p><script>document.getElementById('js').textContent='on'</script>")
        assert find(By.ID, "js").text == "off"
        sign_in("王丽", "stats-bureau")
        d.get(f"{url}/c/{CID}/inbox")
        _shot(d, "01-bureau-inbox")
        assert "我的待办" in find(By.TAG_NAME, "h1").text
        click(find(By.LINK_TEXT, "区统计局成立“扶贫日”活动领导小组"))
        press("start")
        press("complete")
        open_task("bureau-plan")
        press("start")
        _shot(d, "02-bureau-plan-started")
        assert "区扶贫办" in find(By.ID, "do-complete").text  # 办结并报送 (区扶贫办): no approval to ask for
        press("complete")
        assert find(By.ID, "state").text.startswith("已办结")
        assert find(By.CSS_SELECTOR, "#reports .report-state").text.startswith("已报送")
        click(find(By.XPATH, "//form[@action='/logout']//button"))

        sign_in("孙华", "education-bureau")
        open_task("bureau-plan", edu)
        press("start")
        press("submit")
        assert find(By.ID, "state").text.startswith("审批中")
        click(find(By.XPATH, "//form[@action='/logout']//button"))

        sign_in("赵敏", "district-fpb")
        d.get(f"{url}/c/{CID}/inbox")
        received = find(By.CSS_SELECTOR, "#received tr[data-report='bureau-plan']").text
        assert "已报送" in received
        _shot(d, "03-office-received")
        d.get(f"{url}/c/{edu}/inbox")
        rows = d.find_elements(By.CSS_SELECTOR, "#tasks tbody tr")
        assert [r.get_attribute("data-task") for r in rows] == ["bureau-plan"]
        _shot(d, "03-office-inbox")
        open_task("bureau-plan", edu)
        stale = d.current_window_handle
        # A second tab approves first; the first tab's button is stale now.
        d.switch_to.new_window("tab")
        open_task("bureau-plan", edu)
        press("approve")
        _shot(d, "04-office-approved")
        assert find(By.ID, "state").text.startswith("已办结")
        assert "赵敏" in find(By.ID, "chain").text
        d.close()
        d.switch_to.window(stale)
        click(find(By.ID, "do-approve"))
        refusal = find(By.ID, "message").text
        _shot(d, "05-refused")
        assert refusal.startswith("操作被拒绝") and "bureau-plan" in refusal and "Traceback" not in d.page_source

        d.get(f"{url}/c/{CID}/overview")
        _shot(d, "06-overview")
        assert len(d.find_elements(By.CSS_SELECTOR, "#gantt .bar")) == 17
        d.get(f"{url}/c/{CID}/audit")
        assert "哈希链校验通过" in find(By.ID, "chain-check").text
        _shot(d, "07-audit")
        d.get(f"{url}/c/{CID}/ledger?lang=en")
        assert find(By.TAG_NAME, "h1").text.startswith("Ledger")
        _shot(d, "08-ledger-en")

        # 延期 (issue 16): the bureau asks for a later deadline with a reason; the district grants it.
        d.get(f"{url}/c/{CID}/inbox?lang=zh")
        click(find(By.XPATH, "//form[@action='/logout']//button"))
        sign_in("王丽", "stats-bureau")
        open_task("photo-entries")
        find(By.ID, "request-extension-until").send_keys("2016-11-15")
        value = find(By.ID, "request-extension-until").get_attribute("value")
        if value != "2016-11-15":  # the date field's typing order follows the browser's locale
            find(By.ID, "request-extension-until").clear()
            find(By.ID, "request-extension-until").send_keys("11152016")
        find(By.ID, "request-extension-reason").send_keys("参赛作品征集延长")
        press("request-extension")
        assert find(By.ID, "requested-due").text == "2016-11-15"
        _shot(d, "09-extension-requested")
        click(find(By.XPATH, "//form[@action='/logout']//button"))
        sign_in("李明", "district")
        open_task("photo-entries")
        press("grant-extension")
        _shot(d, "10-extension-granted")
        assert not d.find_elements(By.ID, "requested-due")
        assert "2016-11-15" in find(By.XPATH, "//tr[th='截止时间' or th='时间窗口']").text
        history = find(By.ID, "history").text
        assert "extension-requested" in history and "extended" in history and "参赛作品征集延长" in history
    assert len(list(SHOTS.glob("*.png"))) >= 10
