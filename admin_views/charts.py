"""ECharts options for the dashboard, built from figures the queries return.

An option is plain data (no functions), embedded in the page as JSON and handed to
`echarts.setOption` by static/dashboard.js. Figures go in as raw numbers (money in yuan, a
rate in percent); labels come in already translated. Each option carries a `media` rule
for a phone: the legend stays below the plot, axis labels get smaller and fewer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal

# Series beyond this many start hidden (a click on the legend shows them): a company of
# two hundred projects still draws a readable chart.
SHOWN_SERIES = 8
PHONE_WIDTH = 500  # px: the media rule's width
PHONE_AXIS_LABELS = 4  # at most this many category labels on a phone
PALETTE = ("#2f6fb0", "#e08a1e", "#3a9d5d", "#c8423b", "#7b5ea7", "#8c6d31", "#d0649b",
           "#5f6b73", "#1fa3a8", "#a3a322")


def number(value: Decimal | int | float | None) -> float | int | None:
    """A figure as a JSON number (None stays null: a gap, not a zero)."""
    if value is None:
        return None
    if isinstance(value, int):
        return value
    return float(value)


@dataclass
class Table:
    """The figures under a chart: headers and rows of text (money through `money`)."""

    headers: list[str]
    rows: list[list[str]]


@dataclass
class Chart:
    key: str  # the HTML id
    title: str
    option: dict
    table: Table | None = None
    note: str = ""
    links: list[tuple[str, str]] = field(default_factory=list)  # (label, url)
    height: int = 340


def _category_axis(labels: list[str]) -> dict:
    return {"type": "category", "data": labels, "axisLabel": {"hideOverlap": True}}


def _value_axis(name: str = "", percent: bool = False, *, right: bool = False,
                **more) -> dict:
    """A value axis named above its top end (toward the plot, so the name stays inside)."""
    axis = {"type": "value", "name": name,
            "nameTextStyle": {"align": "right" if right else "left"}, **more}
    if percent:
        axis["axisLabel"] = {"formatter": "{value}%"}
    return axis


def frame(categories: list[str], series: list[dict], *, value_axes: list[dict],
          horizontal: bool = False, legend: bool = True) -> dict:
    """The option around `series`: category and value axes, tooltip, a scrolling legend
    below the plot with the first SHOWN_SERIES series on, and the phone's media rule."""
    category = "yAxis" if horizontal else "xAxis"
    value = "xAxis" if horizontal else "yAxis"
    base = {
        "tooltip": {"trigger": "axis", "confine": True, "axisPointer": {"type": "shadow"}},
        "grid": {"left": 8, "right": 24, "top": 36, "bottom": 36 if legend else 8,
                 "containLabel": True},
        category: _category_axis(categories),
        value: value_axes if len(value_axes) > 1 else value_axes[0],
        "series": series,
    }
    if horizontal:
        base[category]["inverse"] = True  # the first row on top, as in the table
    if legend:
        names = [s["name"] for s in series]
        base["legend"] = {"type": "scroll", "bottom": 0, "data": names,
                          "selected": {n: i < SHOWN_SERIES for i, n in enumerate(names)}}
    step = max(0, math.ceil(len(categories) / PHONE_AXIS_LABELS) - 1)
    if horizontal:
        step = 0  # each row is someone: name them all
    phone = {category: {"axisLabel": {"fontSize": 10, "interval": step}},
             "grid": {"right": 12}}
    if legend:
        phone["legend"] = {"itemWidth": 14, "itemGap": 6, "textStyle": {"fontSize": 11}}
    return {"baseOption": base, "media": [{"query": {"maxWidth": PHONE_WIDTH},
                                           "option": phone}]}


def bar_series(name: str, values: list, *, stack: str | None = None, color: str | None = None,
               opacity: float | None = None) -> dict:
    series = {"name": name, "type": "bar", "data": [number(v) for v in values],
              "barMaxWidth": 36, "emphasis": {"focus": "series"}}
    if stack:
        series["stack"] = stack
    style = {key: value for key, value in (("color", color), ("opacity", opacity)) if value}
    if style:
        series["itemStyle"] = style
    return series


def line_series(name: str, values: list, *, axis: int = 0, bold: bool = False,
                color: str | None = None) -> dict:
    series = {"name": name, "type": "line", "data": [number(v) for v in values],
              "connectNulls": False, "symbolSize": 6}
    if axis:
        series["yAxisIndex"] = axis
    if bold or color:
        series["lineStyle"] = {"width": 3 if bold else 2, **({"color": color} if color else {})}
    if color:
        series["itemStyle"] = {"color": color}
    return series


def bars(categories: list[str], series: list[tuple[str, list]], *, axis_name: str = "",
         stacked: bool = False, horizontal: bool = False, counts: bool = False,
         scores: bool = False) -> dict:
    """Bars by category, one series per (name, values); stacked into one column if asked.
    A horizontal chart's value axis is left unnamed (its title names the figure): the name
    would run off a phone's screen. Counts are whole numbers; scores run to 100."""
    more = {"minInterval": 1} if counts else {"max": 100} if scores else {}
    return frame(categories, [bar_series(name, values, stack="all" if stacked else None)
                              for name, values in series],
                 value_axes=[_value_axis("" if horizontal else axis_name, **more)],
                 horizontal=horizontal, legend=len(series) > 1)


def lines(categories: list[str], series: list[tuple[str, list]], *, axis_name: str = "",
          percent: bool = False, bold_first: bool = False) -> dict:
    """Lines by category (months), one per (name, values); the first in bold if asked."""
    return frame(categories, [line_series(name, values, bold=bold_first and i == 0,
                                          color="#222" if bold_first and i == 0 else None)
                              for i, (name, values) in enumerate(series)],
                 value_axes=[_value_axis(axis_name, percent, scale=True)])


def paired_bars_with_rate(categories: list[str], pairs: list[tuple[str, str, list, list]],
                          rate_name: str, rates: list, *, money_axis: str,
                          rate_axis: str) -> dict:
    """Two stacks per category — the first figure of each pair (light) and the second
    (solid), each pair in its colour — and a line of `rates` on a percent axis."""
    series = []
    for index, (first_name, second_name, first, second) in enumerate(pairs):
        color = PALETTE[index % len(PALETTE)]
        series += [bar_series(first_name, first, stack="first", color=color, opacity=0.4),
                   bar_series(second_name, second, stack="second", color=color)]
    series.append(line_series(rate_name, rates, axis=1, bold=True, color="#222"))
    option = frame(categories, series, value_axes=[
        _value_axis(money_axis), _value_axis(rate_axis, percent=True, right=True, max=100,
                                             splitLine={"show": False})])
    # the rate and the first pairs on; the legend's selection counts series, two a pair
    selected = option["baseOption"]["legend"]["selected"]
    for i, name in enumerate(selected):
        selected[name] = name == rate_name or i < 2 * (SHOWN_SERIES // 2)
    return option


def funnel(stages: list[tuple[str, int]]) -> dict:
    """A funnel of (stage, count), widest first; the counts written on it."""
    top = max([count for _, count in stages] + [1])
    return {"baseOption": {
        "tooltip": {"trigger": "item", "confine": True, "formatter": "{b}: {c}"},
        "series": [{"type": "funnel", "sort": "none", "left": "8%", "right": "8%",
                    "top": 16, "bottom": 16, "min": 0, "max": top, "minSize": "8%",
                    "gap": 2, "label": {"show": True, "position": "inside",
                                        "formatter": "{b}  {c}"},
                    "data": [{"name": name, "value": count} for name, count in stages]}],
    }, "media": [{"query": {"maxWidth": PHONE_WIDTH},
                  "option": {"series": [{"left": "2%", "right": "2%",
                                         "label": {"fontSize": 11}}]}}]}


def with_note(option: dict, text: str) -> dict:
    """Write `text` across an empty chart ("no overdue tickets"), instead of bare axes."""
    option["baseOption"]["title"] = {"text": text, "left": "center", "top": "middle",
                                     "textStyle": {"fontSize": 14, "fontWeight": "normal",
                                                   "color": "#6c757d"}}
    return option


def series_of(option: dict) -> list[dict]:
    """The series of an option (for tests and tables): name → data by position."""
    return option["baseOption"]["series"]
