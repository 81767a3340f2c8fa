"""The harness itself, before any page: chromium starts from playwright-core,
a labelled form is filled with the keyboard alone with JavaScript on and off,
axe-core runs and finds the one violation planted (an image without alt), a
screenshot is written."""
import os


def test_browser_keyboard_and_axe_work(web, js):
    res = web.run("smoke.mjs", js=js, keyboard=True, name="harness")
    assert res["violations"] == ["image-alt"], res
    assert res["js"] is js
    assert os.path.isfile(os.path.join(web.shots, "harness-390.png"))


def test_gessd_answers_the_browser(web):
    r = web.get("/healthz")
    assert r.status_code == 200
