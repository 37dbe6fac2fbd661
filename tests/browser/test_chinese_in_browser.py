"""The date pickers in a real browser speak the page's language: in Chinese, weekday heads
一 … 日 from Monday, month names 一月 … 十二月, buttons 确定 / 取消 and a 清除 that empties
the field, ranges written with 至; in English, Flask-Admin's own words (static/
date-pickers.zh-CN.js is loaded only on Chinese pages)."""

from __future__ import annotations

import re
from urllib.parse import unquote_plus

import pytest

pytestmark = pytest.mark.screens

WEEK = ["一", "二", "三", "四", "五", "六", "日"]
MONTHS = ["一月", "二月", "三月", "四月", "五月", "六月", "七月", "八月", "九月", "十月",
          "十一月", "十二月"]


def _open_picker(tab, selector: str):
    """The picker a click on `selector` opens (the visible one of the page's pickers)."""
    tab.page.click(selector)
    picker = tab.page.locator(".daterangepicker:visible")
    picker.wait_for()
    return picker


def _weekday_heads(picker) -> list[str]:
    return [text.strip() for text in picker.locator(
        ".calendar.left thead tr").nth(1).locator("th").all_inner_texts()]


def test_the_date_picker_is_in_chinese_and_clears_the_field(tab):
    tab.sign_in("steward1")
    tab.go("/admin/work-log/new/")
    assert tab.page.locator("#day").input_value()  # a new log starts at today
    picker = _open_picker(tab, "#day")
    assert _weekday_heads(picker) == WEEK
    assert picker.locator(".calendar.left select.monthselect option").all_inner_texts() \
        == MONTHS
    tab.screenshot("date-picker-zh")
    picker.get_by_role("button", name="清除").click()
    assert tab.page.locator("#day").input_value() == ""


def test_a_time_picker_has_chinese_buttons(tab):
    tab.sign_in("steward1")
    tab.go("/admin/ticket/new/")
    picker = _open_picker(tab, "#intake_at")
    assert _weekday_heads(picker) == WEEK
    buttons = picker.locator("button:visible").all_inner_texts()
    assert {"确定", "取消", "清除"} <= {b.strip() for b in buttons}, buttons
    picker.get_by_role("button", name="确定").click()  # written to the minute, as shown
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d",
                        tab.page.locator("#intake_at").input_value())


def test_a_list_filter_s_date_range_is_written_with_zhi_and_read_back(tab):
    """A range chosen in a list's filter is sent as "… 至 …" and the list filters by it."""
    tab.sign_in("steward1")
    tab.go("/admin/work-log/")
    page = tab.page
    page.click("a.dropdown-toggle:has-text('添加筛选条件')")
    page.click("a.filter:has-text('日期')")
    operation = page.locator("select.filter-op").last  # behind its select2 widget
    between = next(value for value, text in (
        (o.get_attribute("value"), o.inner_text()) for o in operation.locator("option").all())
        if text.strip() == "介于")
    operation.evaluate("(el, v) => { el.value = v; el.dispatchEvent(new Event('change')); }",
                       between)
    field = page.locator("input.filter-val:visible").last
    picker = _open_picker(tab, "input.filter-val:visible >> nth=-1")
    assert _weekday_heads(picker) == WEEK
    picker.get_by_role("button", name="确定").click()
    assert " 至 " in field.input_value()
    page.click("button:has-text('应用')")
    page.wait_for_url("**/admin/work-log/?*flt*")
    assert "至" in unquote_plus(page.url)
    assert "筛选值无效" not in page.content()  # Flask-Admin's "invalid filter value"
    assert page.locator("table.model-list").count() == 1


def test_in_english_the_pickers_keep_flask_admin_s_words(tab):
    tab.sign_in("steward1")
    tab.go("/admin/work-log/new/?lang=en")
    picker = _open_picker(tab, "#day")
    assert _weekday_heads(picker)[0] in ("Su", "Mo")
    assert "清除" not in picker.inner_text()


def test_a_searched_picker_prompts_in_chinese(tab):
    """The unit picker names what it picks (请选择房屋) and asks for a character in Chinese,
    not select2's "Please enter 1 or more character"."""
    from playwright.sync_api import expect  # installed with the browser tests' fixtures

    tab.sign_in("steward1")
    tab.go("/admin/ticket/new/")
    picker = tab.page.locator("#s2id_unit")
    expect(picker.locator(".select2-chosen")).to_have_text("请选择房屋")
    picker.locator(".select2-choice").click()
    drop = tab.page.locator(".select2-drop-active")
    expect(drop).to_contain_text("请再输入 1 个字")
    drop.locator("input.select2-input").fill("801")
    expect(drop.locator(".select2-result-label").first).to_contain_text("801")
    drop.locator("input.select2-input").fill("无此房间")
    expect(drop).to_contain_text("没有找到")
    tab.screenshot("picker-zh")
