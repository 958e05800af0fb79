"""Small steps the journeys share: fill a TDesign form item, pick from a select, confirm."""

from __future__ import annotations


def field(scope, label: str):
    """The input of the form item labelled `label` (inside a dialog or a page)."""
    return scope.locator(".t-form__item", has=scope.page.locator(".t-form__label", has_text=label)
                         ).locator("input").first


def choose(page, select, option: str) -> None:
    """Open a TDesign select (a locator) and click the option with this text."""
    select.click()
    page.locator(".t-popup:visible .t-select-option", has_text=option).first.click()


def dialog(page):
    return page.locator(".t-dialog:visible")


def save(page, button: str = "保存") -> None:
    dialog(page).get_by_role("button", name=button).click()


def popconfirm(page) -> None:
    page.locator(".t-popconfirm:visible").get_by_role("button", name="确定").click()


def row(scope, text: str):
    """The table row holding this text."""
    return scope.locator("tbody tr", has_text=text)


def settled(page) -> None:
    """Wait until no CSS transition runs (a drawer sliding in), before a screenshot."""
    page.wait_for_function(
        "document.getAnimations().every((a) => a.playState !== 'running')")
